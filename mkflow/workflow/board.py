"""What boards and My work show: a fixed number of queries however many cards there are."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, joinedload

from mkflow.extensions import db
from mkflow.models import (
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Stage,
    StageKind,
    User,
)
from mkflow.workflow.access import visible_templates_filter

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
            assignee_id=int(assignee) if assignee.isdigit() else None,
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


@dataclass
class Column:
    key: str
    name: str
    kind: StageKind
    cards: list = field(default_factory=list)
    finished: list = field(default_factory=list)
    finished_total: int = 0

    def overdue_count(self, now: datetime) -> int:
        return sum(1 for card in self.cards if is_overdue(card, now))


def is_overdue(instance: ProcessInstance, now: datetime) -> bool:
    return bool(instance.is_active and instance.stage_due_at and instance.stage_due_at < now)


def _apply(query, filters: BoardFilters, user: User, now: datetime):
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


def _cards_query():
    return (
        select(ProcessInstance)
        .join(ProcessInstance.stage)
        .options(contains_eager(ProcessInstance.stage), joinedload(ProcessInstance.assignee))
    )


def build_board(
    template: ProcessTemplate, user: User, filters: BoardFilters, now: datetime
) -> list[Column]:
    """Columns in stage order; items on older versions sit in the column of the same stage key,
    or in a column of their own when that stage no longer exists."""
    stages = db.session.scalars(
        select(Stage)
        .where(Stage.version_id == template.current_version_id)
        .order_by(Stage.position)
    ).all()
    columns = {s.key: Column(s.key, s.name, s.kind) for s in stages}
    active = (
        db.session.scalars(
            _apply(
                _cards_query().where(
                    ProcessInstance.template_id == template.id,
                    ProcessInstance.state == InstanceState.ACTIVE,
                ),
                filters,
                user,
                now,
            ).order_by(
                ProcessInstance.stage_due_at.is_(None),
                ProcessInstance.stage_due_at,
                ProcessInstance.id,
            )
        )
        .unique()
        .all()
    )
    for card in active:
        stage = card.stage
        columns.setdefault(stage.key, Column(stage.key, stage.name, stage.kind)).cards.append(card)
    final = next((c for c in columns.values() if c.kind == StageKind.FINAL), None)
    if final is not None and not (filters.overdue or filters.mine or filters.assignee_id):
        done = _apply(
            _cards_query().where(
                ProcessInstance.template_id == template.id,
                ProcessInstance.state == InstanceState.DONE,
            ),
            filters,
            user,
            now,
        )
        final.finished = (
            db.session.scalars(
                done.order_by(ProcessInstance.finished_at.desc()).limit(FINISHED_ON_BOARD)
            )
            .unique()
            .all()
        )
        final.finished_total = db.session.scalar(select(func.count()).select_from(done.subquery()))
    return list(columns.values())


def finished_items(template: ProcessTemplate, limit: int = 500) -> list[ProcessInstance]:
    query = _cards_query().where(
        ProcessInstance.template_id == template.id, ProcessInstance.state != InstanceState.ACTIVE
    )
    return (
        db.session.scalars(query.order_by(ProcessInstance.finished_at.desc()).limit(limit))
        .unique()
        .all()
    )


def my_work(user: User) -> list[ProcessInstance]:
    """Everything waiting for ``user``, most urgent first."""
    query = _cards_query().where(
        ProcessInstance.assignee_id == user.id, ProcessInstance.state == InstanceState.ACTIVE
    )
    return (
        db.session.scalars(
            query.order_by(
                ProcessInstance.stage_due_at.is_(None),
                ProcessInstance.stage_due_at,
                ProcessInstance.id,
            )
        )
        .unique()
        .all()
    )


def my_work_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.assignee_id == user.id, ProcessInstance.state == InstanceState.ACTIVE
        )
    )


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


def people_on_board(template: ProcessTemplate) -> list[User]:
    """Assignees of the template's active items, for the assignee filter."""
    query = (
        select(User)
        .join(ProcessInstance, ProcessInstance.assignee_id == User.id)
        .where(
            ProcessInstance.template_id == template.id,
            ProcessInstance.state == InstanceState.ACTIVE,
        )
    )
    return db.session.scalars(query.distinct().order_by(User.name)).all()
