"""What boards and My work show: a fixed number of queries however many cards there are.

Cards are plain rows, not ORM objects. A board costs the same at 50 cards as at 5,000: each
column shows its most urgent PAGE cards (due first, undated last, then by id) and counts all
of them; the next ones come by keyset (a Cursor after the last card shown), so cards that move
meanwhile are neither shown twice nor skipped.
"""

from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cache, lru_cache

from sqlalchemy import and_, bindparam, case, func, or_, select, union_all
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
PAGE = 12  # cards a column shows at first, and brings in each time: about a screenful


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
    due_is_day: bool = False  # a waiting stage is due on a day (the publication), not a moment

    @property
    def is_active(self) -> bool:
        return self.state == InstanceState.ACTIVE

    @property
    def assignee_initials(self) -> str:
        return initials(self.assignee_name or "")


@dataclass(frozen=True)
class Cursor:
    """Where a column's shown cards end: the last card's due moment (None: undated) and id."""

    due: datetime | None
    id: int

    @property
    def text(self) -> str:
        """For a link or a form: ``<id>`` or ``<id>-<due>``, URL-safe."""
        return str(self.id) if self.due is None else f"{self.id}-{self.due:{_CURSOR_TIME}}"

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        """The cursor ``text`` wrote; None when it is missing or malformed."""
        card_id, _, due = (text or "").partition("-")
        card_id = parse_id(card_id)
        if card_id is None:
            return None
        if not due:
            return cls(None, card_id)
        try:
            return cls(datetime.strptime(due, _CURSOR_TIME), card_id)
        except ValueError:
            return None

    @classmethod
    def of(cls, card) -> "Cursor":
        return cls(card.stage_due_at, card.id)

    @property
    def order(self) -> tuple:
        """The column's order: due first, undated last, then by id."""
        return (self.due is None, self.due or datetime.min, self.id)


_CURSOR_TIME = "%Y%m%dT%H%M%S%f"


@dataclass
class Column:
    key: str
    name: str
    kind: StageKind
    cards: list = field(default_factory=list)  # the first ones (a page)
    finished: list = field(default_factory=list)
    count: int = 0  # every card the filters let through; in the final column, finished items
    late: int = 0
    left: int = 0  # cards after those shown
    after: Cursor | None = None  # the last card shown (on a board, while some are left)
    stages: list = field(default_factory=list, repr=False)  # its _StageCounts, to read cards

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


def _cards(query, user: User | None, params: dict | None = None) -> list[Card]:
    """Cards from _card_rows(): its columns are Card's fields in order, then the stage kind.
    Without a user (a share link) cards offer no actions."""
    user_id = user.id if user is not None else None  # once: often the current_user proxy
    cards = []
    # On the session's connection: plain rows, without the ORM's per-row work.
    for *fields, kind in db.session.connection().execute(query, params or {}):
        card = Card(*fields)
        # waiting for a publication date: due on that day (stored as its midnight)
        due = card.stage_due_at
        card.due_is_day = kind == StageKind.WAIT and due is not None and due.time() == time()
        if user_id is not None:
            card.actions = actions_for(
                kind, is_assignee=card.assignee_id == user_id, is_active=card.is_active
            )
        cards.append(card)
    return cards


# The board's statements are built once per shape (which filters, which parts), with the
# values as bound parameters: building a statement cost more than running it.


def _shape(filters: BoardFilters) -> tuple:
    return (filters.mine, bool(filters.assignee_id), filters.overdue, bool(filters.text))


def _values(template: ProcessTemplate | None, filters: BoardFilters, user, now) -> dict:
    """The parameters of _filtered() and of the statements built by shape."""
    return {
        "template_id": template.id if template is not None else None,
        "now": now,
        "user_id": user.id if filters.mine else None,
        "assignee_id": filters.assignee_id,
        # What contains(autoescape=True) does, which takes no bound parameter.
        "text": filters.text.lower().replace("/", "//").replace("%", "/%").replace("_", "/_"),
    }


def _filtered(query, shape: tuple):
    mine, assignee, overdue, text = shape
    if mine:
        query = query.where(ProcessInstance.assignee_id == bindparam("user_id"))
    if assignee:
        query = query.where(ProcessInstance.assignee_id == bindparam("assignee_id"))
    if overdue:
        query = query.where(ProcessInstance.stage_due_at < bindparam("now"))
    if text:
        title = func.lower(ProcessInstance.title)
        query = query.where(title.contains(bindparam("text"), escape="/"))
    return query


def _most_urgent_first(query):
    return query.order_by(
        ProcessInstance.stage_due_at.is_(None), ProcessInstance.stage_due_at, ProcessInstance.id
    )


def _after(undated: bool, n: int):
    """Cards that come after cursor ``n`` (parameters after_due_n, after_id_n) in a
    column's order (due first, undated last); ``undated``: the cursor's card has no due."""
    due, card_id = ProcessInstance.stage_due_at, ProcessInstance.id
    cursor_due, cursor_id = bindparam(f"after_due_{n}"), bindparam(f"after_id_{n}")
    if undated:
        return and_(due.is_(None), card_id > cursor_id)
    return or_(due.is_(None), due > cursor_due, and_(due == cursor_due, card_id > cursor_id))


def _cursor_values(cursors) -> dict:
    values = {}
    for n, cursor in enumerate(cursors):
        values[f"after_due_{n}"] = cursor.due
        values[f"after_id_{n}"] = cursor.id
    return values


@dataclass
class _StageCount:
    """One stage's share of a column (items of older versions sit in the same column)."""

    stage_id: int
    count: int
    undated: int


def _stage_counts(
    template: ProcessTemplate,
    user: User | None,
    filters: BoardFilters,
    now: datetime,
    *,
    keys: set[str] | None = None,
    after: dict[str, Cursor] | None = None,
    with_done: bool = False,
):
    """Per stage and state of the template's items, in one GROUP BY: (stage id, key, name,
    state, count, overdue, undated, count after the column's cursor in ``after``). The
    finished items too, ``with_done``."""
    after = after or {}
    query = _counts_statement(
        with_done,
        tuple(sorted(keys)) if keys is not None else None,
        tuple((key, cursor.due is None) for key, cursor in after.items()),
        _shape(filters),
    )
    values = _values(template, filters, user, now) | _cursor_values(after.values())
    return db.session.execute(query, values).all()


@lru_cache(maxsize=256)
def _counts_statement(with_done: bool, keys: tuple | None, after: tuple, shape: tuple):
    """_stage_counts()'s statement; ``after``: (column key, its cursor is undated) each."""
    pi = ProcessInstance
    active = pi.state == InstanceState.ACTIVE
    late = func.sum(case((and_(active, pi.stage_due_at < bindparam("now")), 1), else_=0))
    undated = func.sum(case((pi.stage_due_at.is_(None), 1), else_=0))
    later = [(and_(_stage_is(key), _after(at, n)), 1) for n, (key, at) in enumerate(after)]
    left = func.sum(case(*later, else_=0)) if later else func.sum(0)
    states = [InstanceState.ACTIVE, InstanceState.DONE] if with_done else [InstanceState.ACTIVE]
    grouped = select(pi.stage_id, pi.state, func.count(), late, undated, left).where(
        pi.template_id == bindparam("template_id"), pi.state.in_(states)
    )
    if keys is not None:
        grouped = grouped.where(_stage_is(*keys))
    grouped = _filtered(grouped, shape).group_by(pi.stage_id, pi.state).subquery()
    first, *rest = grouped.c
    return select(Stage.id, Stage.key, Stage.name, *rest).join(grouped, first == Stage.id)


def _stage_is(*keys: str):
    """The item's stage has one of ``keys`` (in whichever version)."""
    return ProcessInstance.stage_id.in_(select(Stage.id).where(Stage.key.in_(keys)))


@dataclass(frozen=True)
class _Part:
    """One LIMITed select of cards: ``kind`` "dated", "undated" (of one stage, after a
    cursor whose due is ``cursor_undated``, or from the start: None) or "done"."""

    kind: str
    size: int
    stage_id: int | None = None
    cursor: Cursor | None = None

    @property
    def shape(self) -> tuple:
        return (self.kind, self.size, None if self.cursor is None else self.cursor.due is None)


def _page_of(stage: _StageCount, cursor: Cursor | None, size: int = PAGE) -> list[_Part]:
    """The selects of the next ``size`` cards of one stage after ``cursor``: dated cards by
    (due, id), undated ones by id, each read in the order of ix_process_instance_column and
    stopped after PAGE rows, so a column of 5,000 cards costs what one of 50 does."""
    parts = []
    if stage.undated < stage.count and (cursor is None or cursor.due is not None):
        parts.append(_Part("dated", size, stage.stage_id, cursor))
    if stage.undated:
        parts.append(_Part("undated", size, stage.stage_id, cursor))
    return parts


def _read_pages(parts: list[_Part], user: User | None, filters: BoardFilters, values: dict):
    """Every part's cards in one statement (a UNION ALL of LIMITed selects); ``values``:
    _values()'s."""
    if not parts:
        return []
    values = dict(values)
    for n, part in enumerate(parts):
        values[f"stage_{n}"] = part.stage_id
        if part.cursor is not None:
            values[f"after_due_{n}"], values[f"after_id_{n}"] = part.cursor.due, part.cursor.id
    statement = _pages_statement(tuple(part.shape for part in parts), _shape(filters))
    return _cards(statement, user, values)


@lru_cache(maxsize=256)
def _pages_statement(parts: tuple, shape: tuple):
    """_read_pages()'s statement for parts of these shapes (_Part.shape)."""
    selects = [_part_select(n, *part, shape) for n, part in enumerate(parts)]
    if len(selects) == 1:
        return selects[0]
    # SQLite takes ORDER BY and LIMIT only on a compound's last member: each is a subquery.
    return union_all(*(part.subquery().select() for part in selects))


def _part_select(n: int, kind: str, size: int, cursor_undated: bool | None, shape: tuple):
    pi = ProcessInstance
    due, card_id = pi.stage_due_at, pi.id
    if kind == "done":
        done = _card_rows(
            pi.template_id == bindparam("template_id"), pi.state == InstanceState.DONE
        )
        return _filtered(done, shape).order_by(pi.finished_at.desc()).limit(size)
    base = _filtered(
        _card_rows(
            pi.template_id == bindparam("template_id"),
            pi.state == InstanceState.ACTIVE,
            pi.stage_id == bindparam(f"stage_{n}"),
        ),
        shape,
    )
    cursor_due, cursor_id = bindparam(f"after_due_{n}"), bindparam(f"after_id_{n}")
    if kind == "dated":
        dated = base.where(due.is_not(None))
        if cursor_undated is not None:
            dated = dated.where(or_(due > cursor_due, and_(due == cursor_due, card_id > cursor_id)))
        return dated.order_by(due, card_id).limit(size)
    undated = base.where(due.is_(None))
    if cursor_undated:
        undated = undated.where(card_id > cursor_id)
    return undated.order_by(card_id).limit(size)


def _fill(column: Column, cards: list[Card], to_come: int) -> None:
    """The column shows the most urgent PAGE of ``cards``, out of ``to_come``."""
    cards.sort(key=lambda card: Cursor.of(card).order)
    column.cards = cards[:PAGE]
    column.left = max(0, to_come - len(column.cards))
    column.after = Cursor.of(column.cards[-1]) if column.left and column.cards else None


def build_board(
    template: ProcessTemplate, user: User | None, filters: BoardFilters, now: datetime
) -> list[Column]:
    """Columns in stage order, each with its first PAGE cards and its counts over all; the
    final column with the newest finished items. Items on older versions sit in the column
    of the same stage key, or in a column of their own. Two statements, whatever the size."""
    columns = _columns(template, None)
    final = _final(columns)
    with_done = final is not None and not filters.narrows_people
    stages = []
    for stage_id, key, name, state, count, late, undated, _left in _stage_counts(
        template, user, filters, now, with_done=with_done
    ):
        if state == InstanceState.DONE:
            final.count += count
            continue
        column = columns.get(key)
        if column is None:
            column = columns[key] = Column(key, name, StageKind.WORK)
        column.count += count
        column.late += int(late or 0)
        stages.append(_StageCount(stage_id, count, int(undated or 0)))
    parts = [part for stage in stages for part in _page_of(stage, None)]
    if with_done and final.count:
        parts.append(_Part("done", FINISHED_ON_BOARD))
    by_key: dict[str, list[Card]] = {}
    for card in _read_pages(parts, user, filters, _values(template, filters, user, now)):
        if card.is_active:
            by_key.setdefault(card.stage_key, []).append(card)
        else:
            final.finished.append(card)
    for column in columns.values():
        _fill(column, by_key.get(column.key, []), column.count)
    if final is not None:
        final.finished.sort(key=lambda card: card.finished_at, reverse=True)
    return list(columns.values())


def column_page(
    template: ProcessTemplate,
    user: User,
    filters: BoardFilters,
    now: datetime,
    key: str,
    after: Cursor | None,
) -> Column | None:
    """One column with its next PAGE cards after ``after`` (the first ones without it), its
    counts over all its cards and what is left after the page. None: no such column."""
    column = _columns(template, {key}).get(key)
    stages, to_come = [], 0
    cursors = {key: after} if after is not None else None
    for stage_id, _key, name, _state, count, late, undated, later in _stage_counts(
        template, user, filters, now, keys={key}, after=cursors
    ):
        if column is None:
            column = Column(key, name, StageKind.WORK)
        column.count += count
        column.late += int(late or 0)
        to_come += int(later or 0) if after is not None else count
        stages.append(_StageCount(stage_id, count, int(undated or 0)))
    if column is None:
        return None
    parts = [part for stage in stages for part in _page_of(stage, after)]
    _fill(column, _read_pages(parts, user, filters, _values(template, filters, user, now)), to_come)
    return column


def column_heads(
    template: ProcessTemplate,
    user: User,
    filters: BoardFilters,
    now: datetime,
    keys: set[str],
    after: dict[str, Cursor] | None = None,
) -> list[Column]:
    """Just the counts of some columns, after a card moved between them, and how many are
    left after each one's cursor in ``after`` (where the page's column ends)."""
    columns = _columns(template, keys)
    final = _final(columns)
    with_done = final is not None and not filters.narrows_people
    after = {key: cursor for key, cursor in (after or {}).items() if key in keys}
    for stage_id, key, _name, state, count, late, undated, later in _stage_counts(
        template, user, filters, now, keys=keys, after=after, with_done=with_done
    ):
        if state == InstanceState.DONE:
            final.count += count
        elif key in columns:
            column = columns[key]
            column.count += count
            column.late += int(late or 0)
            column.left += int(later or 0)
            column.stages.append(_StageCount(stage_id, count, int(undated or 0)))
    for key, cursor in after.items():
        if key in columns:
            columns[key].after = cursor
    return list(columns.values())


def card_on_board(
    instance_id: int, user: User, filters: BoardFilters, now: datetime
) -> Card | None:
    """The item as its card, if the board's filters still show it."""
    query = _card_on_board_statement(_shape(filters))
    found = _cards(query, user, _values(None, filters, user, now) | {"instance_id": instance_id})
    return found[0] if found else None


@lru_cache(maxsize=16)
def _card_on_board_statement(shape: tuple):
    return _filtered(_card_rows(ProcessInstance.id == bindparam("instance_id")), shape)


def next_in_column(
    template: ProcessTemplate,
    column: Column,
    card: Card,
    user: User,
    filters: BoardFilters,
    now: datetime,
) -> int | None:
    """The id of the card after ``card`` in ``column`` (from column_heads, the filters
    applied): an action's answer puts the card just before it. None: it is the last."""
    after = Cursor.of(card)
    parts = [part for stage in column.stages for part in _page_of(stage, after, size=1)]
    following = _read_pages(parts, user, filters, _values(template, filters, user, now))
    return min(following, key=lambda c: Cursor.of(c).order).id if following else None


def _columns(template: ProcessTemplate, only: set[str] | None) -> dict[str, Column]:
    stages = published.stage_heads(template.current_version)
    return {
        key: Column(key, name, kind) for key, name, kind in stages if only is None or key in only
    }


def _final(columns: dict[str, Column]) -> Column | None:
    return next((c for c in columns.values() if c.is_final), None)


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
