"""What boards and My work show: a fixed number of queries however many cards there are.

Cards are plain rows, not ORM objects: a board of 300 cards must render in a few dozen
milliseconds on modest hardware.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from mkflow.core.database import db
from mkflow.core.inputs import parse_id
from mkflow.core.text import initials
from mkflow.models import (
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Stage,
    StageKind,
    User,
)
from mkflow.people.process_access import visible_templates_filter
from mkflow.processes import published
from mkflow.processes.rules import actions_for

FINISHED_ON_BOARD = 5


@dataclass
class BoardFilters:
    mine: bool = False
    overdue: bool = False
    assignee_id: int | None = None
    text: str = ""

    @classmethod
    def from_args(cls, args) -> "BoardFilters":
        assignee = args.get("assignee", "")
        return cls(
            mine=args.get("mine") == "1",
            overdue=args.get("overdue") == "1",
            assignee_id=parse_id(assignee),
            text=(args.get("q") or "").strip()[:100],
        )

    def as_args(self) -> dict:
        args = {
            "mine": "1" if self.mine else None,
            "overdue": "1" if self.overdue else None,
            "assignee": self.assignee_id,
            "q": self.text or None,
        }
        return {k: v for k, v in args.items() if v}

    @property
    def narrows_people(self) -> bool:
        return self.mine or self.overdue or bool(self.assignee_id)


@dataclass(slots=True)
class Card:
    id: int
    title: str
    template_id: int
    template_name: str
    stage_key: str
    stage_name: str
    state: str
    assignee_id: int | None
    assignee_name: str | None
    stage_due_at: datetime | None
    stage_entered_at: datetime
    finished_at: datetime | None
    rework_count: int
    lock_version: int
    actions: tuple = ()  # what the user may do; its display is the web's (web.cards)

    @property
    def is_active(self) -> bool:
        return self.state == InstanceState.ACTIVE

    @property
    def assignee_initials(self) -> str:
        return initials(self.assignee_name or "")


@dataclass
class Column:
    key: str
    name: str
    kind: StageKind
    cards: list = field(default_factory=list)
    finished: list = field(default_factory=list)
    count: int = 0  # cards shown; in the final column, all finished items
    late: int = 0

    @property
    def is_final(self) -> bool:
        return self.kind == StageKind.FINAL


def cards_of(columns: list[Column]):
    for column in columns:
        yield from column.cards
        yield from column.finished


def is_overdue(item, now: datetime) -> bool:
    return bool(item.is_active and item.stage_due_at and item.stage_due_at < now)


def _card_rows(*conditions):
    return _card_columns().where(*conditions)


@cache
def _card_columns():
    """The card query without conditions, built once: statements are immutable, and
    building this one costs more than running it on a small board."""
    assignee = aliased(User)
    return (
        select(
            ProcessInstance.id,
            ProcessInstance.title,
            ProcessInstance.template_id,
            ProcessTemplate.name,
            Stage.key,
            Stage.name,
            ProcessInstance.state,
            ProcessInstance.assignee_id,
            assignee.name,
            ProcessInstance.stage_due_at,
            ProcessInstance.stage_entered_at,
            ProcessInstance.finished_at,
            ProcessInstance.rework_count,
            ProcessInstance.lock_version,
            Stage.kind,
        )
        .join(Stage, ProcessInstance.stage_id == Stage.id)
        .join(ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id)
        .outerjoin(assignee, ProcessInstance.assignee_id == assignee.id)
    )


def _cards(query, user: User | None) -> list[Card]:
    """Cards from _card_rows(): its columns are Card's fields in order, then the stage kind.
    Without a user (a share link) cards offer no actions."""
    user_id = user.id if user is not None else None  # once: often the current_user proxy
    cards = []
    # On the session's connection: plain rows, without the ORM's per-row work.
    for *fields, kind in db.session.connection().execute(query):
        card = Card(*fields)
        if user_id is not None:
            card.actions = actions_for(
                kind, is_assignee=card.assignee_id == user_id, is_active=card.is_active
            )
        cards.append(card)
    return cards


def _filtered(query, filters: BoardFilters, user: User, now: datetime):
    if filters.mine:
        query = query.where(ProcessInstance.assignee_id == user.id)
    if filters.assignee_id:
        query = query.where(ProcessInstance.assignee_id == filters.assignee_id)
    if filters.overdue:
        query = query.where(ProcessInstance.stage_due_at < now)
    if filters.text:
        title = func.lower(ProcessInstance.title)
        query = query.where(title.contains(filters.text.lower(), autoescape=True))
    return query


def _most_urgent_first(query):
    return query.order_by(
        ProcessInstance.stage_due_at.is_(None), ProcessInstance.stage_due_at, ProcessInstance.id
    )


def build_board(
    template: ProcessTemplate,
    user: User | None,
    filters: BoardFilters,
    now: datetime,
    only: set[str] | None = None,
) -> list[Column]:
    """Columns in stage order (``only`` some of them). Items on older versions sit in the
    column of the same stage key, or in a column of their own."""
    columns = _columns(template, only)
    active = _card_rows(
        ProcessInstance.template_id == template.id, ProcessInstance.state == InstanceState.ACTIVE
    )
    if only is not None:
        active = active.where(Stage.key.in_(only))
    for card in _cards(_most_urgent_first(_filtered(active, filters, user, now)), user):
        column = columns.get(card.stage_key)
        if column is None:
            column = columns[card.stage_key] = Column(
                card.stage_key, card.stage_name, StageKind.WORK
            )
        column.cards.append(card)
        column.count += 1
        column.late += is_overdue(card, now)
    final = _final(columns)
    if final is not None and not filters.narrows_people:
        done = _done(template, filters, user, now)
        final.finished = _cards(
            done.order_by(ProcessInstance.finished_at.desc()).limit(FINISHED_ON_BOARD), user
        )
        final.count = _done_count(template, filters, user, now)
    return list(columns.values())


def _columns(template: ProcessTemplate, only: set[str] | None) -> dict[str, Column]:
    stages = published.stage_heads(template.current_version)
    return {
        key: Column(key, name, kind) for key, name, kind in stages if only is None or key in only
    }


def _final(columns: dict[str, Column]) -> Column | None:
    return next((c for c in columns.values() if c.is_final), None)


def _done(template: ProcessTemplate, filters: BoardFilters, user: User, now: datetime):
    done = _card_rows(
        ProcessInstance.template_id == template.id, ProcessInstance.state == InstanceState.DONE
    )
    return _filtered(done, filters, user, now)


def _done_count(template: ProcessTemplate, filters: BoardFilters, user: User, now: datetime):
    query = (
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.template_id == template.id, ProcessInstance.state == InstanceState.DONE
        )
    )
    return db.session.scalar(_filtered(query, filters, user, now))


def column_heads(
    template: ProcessTemplate, user: User, filters: BoardFilters, now: datetime, keys: set[str]
) -> list[Column]:
    """Just the counts of some columns, after a card moved between them."""
    columns = _columns(template, keys)
    late = func.sum(case((ProcessInstance.stage_due_at < now, 1), else_=0))
    query = _filtered(
        select(Stage.key, func.count(), late)
        .join(Stage, ProcessInstance.stage_id == Stage.id)
        .where(
            ProcessInstance.template_id == template.id,
            ProcessInstance.state == InstanceState.ACTIVE,
            Stage.key.in_(keys),
        ),
        filters,
        user,
        now,
    ).group_by(Stage.key)
    for key, count, overdue in db.session.execute(query):
        if key in columns:
            columns[key].count, columns[key].late = count, int(overdue or 0)
    final = _final(columns)
    if final is not None and not filters.narrows_people:
        final.count = _done_count(template, filters, user, now)
    return list(columns.values())


def card_on_board(
    instance_id: int, user: User, filters: BoardFilters, now: datetime
) -> Card | None:
    """The item as its card, if the board's filters still show it."""
    found = _cards(
        _filtered(_card_rows(ProcessInstance.id == instance_id), filters, user, now), user
    )
    return found[0] if found else None


def finished_items(template: ProcessTemplate, user: User, limit: int = 500) -> list[Card]:
    query = _card_rows(
        ProcessInstance.template_id == template.id, ProcessInstance.state != InstanceState.ACTIVE
    )
    return _cards(query.order_by(ProcessInstance.finished_at.desc()).limit(limit), user)


def my_work(user: User) -> list[Card]:
    """Everything waiting for ``user``, most urgent first."""
    return _cards(
        _most_urgent_first(
            _card_rows(
                ProcessInstance.assignee_id == user.id,
                ProcessInstance.state == InstanceState.ACTIVE,
            )
        ),
        user,
    )


def card(instance_id: int, user: User) -> Card | None:
    found = _cards(_card_rows(ProcessInstance.id == instance_id), user)
    return found[0] if found else None


def visible_templates(user: User, *, archived: bool = False) -> list[ProcessTemplate]:
    query = select(ProcessTemplate).where(
        visible_templates_filter(user), ProcessTemplate.archived == archived
    )
    return db.session.scalars(query.order_by(ProcessTemplate.name)).all()


def template_stats(now: datetime) -> dict[int, tuple[int, int]]:
    """Per template: (active items, overdue items), in one query."""
    overdue = func.sum(case((ProcessInstance.stage_due_at < now, 1), else_=0))
    rows = db.session.execute(
        select(ProcessInstance.template_id, func.count(), overdue)
        .where(ProcessInstance.state == InstanceState.ACTIVE)
        .group_by(ProcessInstance.template_id)
    ).all()
    return {template_id: (count, int(late or 0)) for template_id, count, late in rows}


def people_on_board(template: ProcessTemplate) -> list[tuple[int, str]]:
    """(id, name) of the assignees of the template's active items, for the filter."""
    # Distinct assignees first: joined straight to users, Postgres preferred walking the
    # assignee index over every item of every process.
    assignees = (
        select(ProcessInstance.assignee_id)
        .where(
            ProcessInstance.template_id == template.id,
            ProcessInstance.state == InstanceState.ACTIVE,
        )
        .group_by(ProcessInstance.assignee_id)
        .subquery()
    )
    query = select(User.id, User.name).join(assignees, assignees.c.assignee_id == User.id)
    return db.session.execute(query.order_by(User.name)).all()
