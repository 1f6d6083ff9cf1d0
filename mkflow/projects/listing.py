"""What project pages show: the project list, the board, the task list, My work.

Tasks are read as plain rows with a fixed number of queries, however many there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import selectinload

from mkflow.core.database import db, on_postgres
from mkflow.core.inputs import MAX_ID, parse_id, parse_int
from mkflow.core.text import initials
from mkflow.models import ChecklistItem, Department, Project, Task, TaskLink, TaskStatus, User
from mkflow.people.project_access import visible_projects_filter
from mkflow.projects.status import COLUMNS, Move, moves_for

WORKING = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.REOPENED)
SORTS = ("tree", "title", "start", "due", "status", "assignee")
# A page of the task list and the done tasks on the board: rendering thousands of rows
# costs more than anyone reads; the list (filtered by status) has every done task.
PAGE_SIZE = 50
# A board column shows this many tasks, then as many more each time the reader asks or
# scrolls to its end: about a screenful, as on a process board.
BOARD_PAGE = 12


@dataclass
class ProjectSummary:
    project: Project
    total: int = 0
    done: int = 0
    overdue: int = 0
    milestone: str | None = None
    milestone_due: date | None = None


def project_list(user: User, today: date, *, archived: bool = False, templates: bool = False):
    """Visible projects grouped by department name, each with its progress numbers."""
    query = (
        select(Project)
        .outerjoin(Department, Project.department_id == Department.id)
        .where(
            Project.is_template.is_(templates),
            Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None),
        )
        .order_by(Department.name, Project.start_date.desc(), Project.id)
    )
    if not templates:
        query = query.where(visible_projects_filter(user))
    summaries = {p.id: ProjectSummary(p) for p in db.session.scalars(query).unique()}
    if summaries:
        _fill_numbers(summaries, today)
    groups: dict[str, list[ProjectSummary]] = defaultdict(list)
    for summary in summaries.values():
        department = summary.project.department
        groups[department.name if department else ""].append(summary)
    return list(groups.items())


def templates() -> list[Project]:
    """The live project templates, by name (to pick one; no numbers needed)."""
    query = select(Project).where(Project.is_template, Project.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Project.name)))


def _fill_numbers(summaries: dict[int, ProjectSummary], today: date) -> None:
    ids = list(summaries)
    open_ = Task.status != TaskStatus.DONE
    numbers = db.session.execute(
        select(
            Task.project_id,
            func.count(),
            func.sum(case((Task.status == TaskStatus.DONE, 1), else_=0)),
            func.sum(case((and_(open_, Task.due_date < today), 1), else_=0)),
        )
        .where(Task.project_id.in_(ids))
        .group_by(Task.project_id)
    )
    for project_id, total, done, overdue in numbers:
        summary = summaries[project_id]
        summary.total, summary.done, summary.overdue = total, done or 0, overdue or 0
    milestones = db.session.execute(
        select(Task.project_id, Task.title, Task.due_date)
        .where(Task.project_id.in_(ids), Task.milestone, open_)
        .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
    )
    for project_id, title, due in milestones:
        summary = summaries[project_id]
        if summary.milestone is None:
            summary.milestone, summary.milestone_due = title, due


@dataclass(slots=True)
class TaskRow:
    id: int
    parent_id: int | None
    title: str
    status: str
    assignee_id: int | None
    assignee_name: str | None
    reviewer_id: int | None
    start_date: date | None
    due_date: date | None
    milestone: bool
    position: int
    lock_version: int
    changed_at: datetime | None = None  # of the status
    depth: int = 0
    subtasks: int = 0
    subtasks_done: int = 0
    checks: int = 0
    checks_done: int = 0
    blocked: bool = False
    moves: tuple = ()
    late: bool = False
    # Filled by web.cards.prepare_rows for the pages and the Gantt chart that print them.
    url: str = ""
    start_text: str = ""
    due_text: str = ""

    @property
    def assignee_initials(self) -> str:
        return initials(self.assignee_name or "")

    @property
    def indent(self) -> int:
        """The indent class of the row; levels past six share the deepest one."""
        return min(self.depth, 6)


@dataclass
class TaskFilters:
    assignee_id: int | None = None
    status: str | None = None
    overdue: bool = False
    text: str = ""
    sort: str = "tree"

    @classmethod
    def from_args(cls, args) -> "TaskFilters":
        assignee, status, sort = args.get("assignee", ""), args.get("status", ""), args.get("sort")
        return cls(
            assignee_id=parse_id(assignee),
            status=status if status in set(TaskStatus) else None,
            overdue=args.get("overdue") == "1",
            text=(args.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "tree",
        )

    def as_args(self, **changes) -> dict:
        args = {
            "assignee": self.assignee_id,
            "status": self.status,
            "overdue": "1" if self.overdue else None,
            "q": self.text or None,
            "sort": None if self.sort == "tree" else self.sort,
        }
        args.update(changes)
        return {k: v for k, v in args.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.assignee_id or self.status or self.overdue or self.text)


# Made once: an alias builds its column objects anew each time. Plain tables, not ORM
# aliases: the counters are Core queries like the rows (see plain_rows).
ASSIGNEE = User.__table__.alias("assignee")
CHILD = Task.__table__.alias("child")
PREDECESSOR = Task.__table__.alias("predecessor")
CHECK = ChecklistItem.__table__


def among(column, ids: list[int]):
    """``column IN ids``; on Postgres one array parameter instead of one per id, which
    saves adapting and planning hundreds of parameters on every page."""
    if on_postgres():
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def plain_rows(
    project: Project, today: date, filters: TaskFilters | None, *conditions, limit=None, ids=None
):
    """The tasks' own columns and ``late``, one query; no counters, no moves. Plain Core
    rows with the status as text: the ORM and enum conversion per row cost more here
    than the query. ``ids``: selects of task ids (UNION ALL-ed) to read just those, joined
    (as ``IN`` Postgres would scan all the project's tasks to match them)."""
    task, assignee = Task.__table__, ASSIGNEE
    query = (
        select(
            task.c.id,
            task.c.parent_id,
            task.c.title,
            type_coerce(task.c.status, String),
            task.c.assignee_id,
            assignee.c.name,
            task.c.reviewer_id,
            task.c.start_date,
            task.c.due_date,
            task.c.milestone,
            task.c.position,
            task.c.lock_version,
            task.c.status_changed_at,
        )
        .outerjoin(assignee, task.c.assignee_id == assignee.c.id)
        .where(task.c.project_id == project.id, *conditions)
    )
    if ids is not None:
        page = union_all(*ids).subquery()
        query = query.join(page, page.c.id == task.c.id)
    if filters is not None:
        query = _filtered(query, filters, today)
    if limit is not None:
        query = query.order_by(task.c.id).limit(limit)
    rows = [TaskRow(*row) for row in db.session.execute(query).all()]
    done = TaskStatus.DONE
    for row in rows:
        row.late = row.status != done and row.due_date is not None and row.due_date < today
    return rows


def fill_moves(project: Project, rows: list[TaskRow], user: User, *, is_manager: bool) -> None:
    """The status moves ``user`` may make on each row (none in archives and templates)."""
    if project.archived_at is not None or project.is_template:
        return
    user_id = user.id  # once: ``user`` is often current_user, a proxy costly per access
    cache: dict[tuple, tuple] = {}
    for row in rows:
        key = (row.status, row.assignee_id == user_id, row.reviewer_id == user_id, row.blocked)
        if key not in cache:
            cache[key] = card_moves(
                moves_for(
                    TaskStatus(row.status),
                    is_assignee=key[1],
                    is_reviewer=key[2],
                    is_manager=is_manager,
                ),
                blocked=row.blocked,
            )
        row.moves = cache[key]


def card_moves(moves: tuple, *, blocked: bool) -> tuple:
    """The moves a card offers: a waiting task shows that it waits instead of a Start that
    would be refused (the manager's override is on the task's page, with its reason)."""
    return tuple(m for m in moves if m != Move.START) if blocked else moves


def _filtered(query, filters: TaskFilters, today: date):
    return query.where(*_conditions(filters, today))


def _conditions(filters: TaskFilters | None, today: date) -> list:
    """The filters' conditions on the task table (none without filters)."""
    if filters is None:
        return []
    task = Task.__table__  # plain columns keep the query a Core one (see plain_rows)
    conditions = []
    if filters.assignee_id:
        conditions.append(task.c.assignee_id == filters.assignee_id)
    if filters.status:
        conditions.append(task.c.status == filters.status)
    if filters.overdue:
        conditions += [task.c.status != TaskStatus.DONE, task.c.due_date < today]
    if filters.text:
        # autoescape: "%" and "_" in the search are text, not LIKE wildcards
        text = filters.text.lower()
        conditions.append(
            or_(
                func.lower(task.c.title).contains(text, autoescape=True),
                func.lower(task.c.description).contains(text, autoescape=True),
            )
        )
    return conditions


def _fill_counters(rows: list[TaskRow], *, checks: bool = True) -> None:
    """Subtasks done/all, checklist done/all (unless ``checks`` is false: the board does
    not show them), and "blocked" (an open finish-to-start predecessor), over the rows
    shown only: three grouped selects sent as one statement."""
    by_id = {row.id: row for row in rows}
    if not by_id:
        return
    ids = list(by_id)
    child, check = CHILD, CHECK
    counts = [
        select(
            literal("subtasks"),
            child.c.parent_id,
            func.count(),
            func.sum(case((child.c.status == TaskStatus.DONE, 1), else_=0)),
        )
        .where(among(child.c.parent_id, ids))
        .group_by(child.c.parent_id),
        _blocked(ids).add_columns(func.count(), func.count()),
    ]
    if checks:
        counts.append(
            select(
                literal("checks"),
                check.c.task_id,
                func.count(),
                func.sum(case((check.c.done, 1), else_=0)),
            )
            .where(among(check.c.task_id, ids))
            .group_by(check.c.task_id)
        )
    for kind, task_id, total, done in db.session.execute(union_all(*counts)).all():
        row = by_id[task_id]
        if kind == "subtasks":
            row.subtasks, row.subtasks_done = total, done or 0
        elif kind == "checks":
            row.checks, row.checks_done = total, done or 0
        else:
            row.blocked = True


def _blocked(ids: list[int]):
    """("blocked", task id) of each of ``ids`` with an open finish-to-start predecessor: it
    waits, and Start is refused but for the manager's override."""
    link, predecessor = TaskLink.__table__, PREDECESSOR
    return (
        select(literal("blocked"), link.c.successor_id)
        .join(predecessor, predecessor.c.id == link.c.predecessor_id)
        .where(
            among(link.c.successor_id, ids),
            link.c.kind == "fs",
            predecessor.c.status != TaskStatus.DONE,
        )
        .group_by(link.c.successor_id)
    )


def blocked_among(ids: list[int]) -> set[int]:
    """Which of ``ids`` wait for an open predecessor (one query)."""
    if not ids:
        return set()
    return {task_id for _kind, task_id in db.session.execute(_blocked(ids))}


def tree_order(items) -> list[tuple[int, int]]:
    """(id, depth) of ``items`` — (id, parent_id, position, ...) — parents before their
    subtasks, each level by position. An item whose parent is not among them starts a tree
    of its own. Runs on every list page over the whole project, hence the plain loops."""
    ids = {item[0] for item in items}
    children: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for task_id, parent_id, position, *_ in items:
        children[parent_id if parent_id in ids else None].append((position, task_id))
    for siblings in children.values():
        siblings.sort()
    ordered = []
    stack = [(task_id, 0) for _, task_id in reversed(children[None])]
    while stack:
        task_id, depth = stack.pop()
        ordered.append((task_id, depth))
        kids = children.get(task_id)
        if kids:
            stack.extend([(kid, depth + 1) for _, kid in reversed(kids)])
    return ordered


def outline(project: Project) -> list[tuple[int, int, str]]:
    """(id, depth, title) of every task in tree order, from a narrow query."""
    task = Task.__table__
    rows = db.session.execute(
        select(task.c.id, task.c.parent_id, task.c.position, task.c.title).where(
            task.c.project_id == project.id
        )
    ).all()
    titles = {row[0]: row[3] for row in rows}
    return [(task_id, depth, titles[task_id]) for task_id, depth in tree_order(rows)]


def as_tree(rows: list[TaskRow]) -> list[TaskRow]:
    """``rows`` in tree order with ``depth`` set for indenting."""
    by_id = {row.id: row for row in rows}
    ordered = []
    for task_id, depth in tree_order([(r.id, r.parent_id, r.position) for r in rows]):
        row = by_id[task_id]
        row.depth = depth
        ordered.append(row)
    return ordered


FAR = date.max
# Sort keys over the list's key columns (see _list_order): id, parent, position, then these.
SORT_KEYS = {
    "title": lambda k: (k[3].lower(), k[0]),
    "start": lambda k: (k[4] or FAR, k[0]),
    "due": lambda k: (k[5] or FAR, k[0]),
    "status": lambda k: (COLUMNS.index(TaskStatus(k[6])), k[0]),
    "assignee": lambda k: ((k[7] or "\uffff").lower(), k[0]),
}


def _list_order(project: Project, today: date, filters: TaskFilters) -> list[tuple[int, int]]:
    """(id, depth) of every task the filters let through, in the list's order: a query of
    a few columns, so that only one page of full rows is read."""
    task = Task.__table__
    query = select(task.c.id, task.c.parent_id, task.c.position)
    if filters.sort != "tree":
        query = query.add_columns(
            task.c.title,
            task.c.start_date,
            task.c.due_date,
            type_coerce(task.c.status, String),
            ASSIGNEE.c.name,
        ).outerjoin(ASSIGNEE, task.c.assignee_id == ASSIGNEE.c.id)
    query = _filtered(query.where(task.c.project_id == project.id), filters, today)
    keys = db.session.execute(query).all()
    if filters.sort == "tree":
        return tree_order(keys)
    return [(k[0], 0) for k in sorted(keys, key=SORT_KEYS[filters.sort])]


@dataclass
class TaskPage:
    """One page of the task list, in the list's order."""

    rows: list  # (id, depth) pairs when cut, then the page's TaskRows
    number: int  # from 1
    pages: int
    total: int  # tasks on all pages
    first: int = 0  # position of the first row over all pages, from 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def paginate(rows: list, number: int, size: int | None = None) -> TaskPage:
    """Page ``number`` of ``rows``; a number past the end gives the last page."""
    size = size or PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return TaskPage(rows[start : start + size], number, pages, len(rows), start + 1)


def task_page(
    project: Project,
    user: User,
    today: date,
    *,
    is_manager: bool,
    filters: TaskFilters,
    number: int = 1,
) -> TaskPage:
    """The filtered, sorted task list cut to one page: the order from a narrow query over
    all tasks, then full rows, counters and moves for that page only. Three queries,
    whatever the size of the project."""
    page = paginate(_list_order(project, today, filters), number)
    order = page.rows
    if order:
        by_id = {
            row.id: row
            for row in plain_rows(project, today, None, among(Task.id, [i for i, _ in order]))
        }
        page.rows = [by_id[task_id] for task_id, _ in order]
        for row, (_id, depth) in zip(page.rows, order, strict=True):
            row.depth = depth
    _fill_counters(page.rows)
    fill_moves(project, page.rows, user, is_manager=is_manager)
    return page


@dataclass
class BoardColumn:
    """A status column: its rows (one page), how many tasks it has over all pages (under
    the filters), how many come after the rows shown (``left``) and where the next page
    starts (``cursor``, "" when nothing is left)."""

    status: TaskStatus
    rows: list = field(default_factory=list)
    count: int = 0
    left: int = 0
    cursor: str = ""

    @property
    def more(self) -> bool:
        return self.left > 0


# The order of a column, a keyset over (key, *ties): open statuses by due date (soonest
# first, undated last), then position and id; Done the latest done first. A null key sorts
# last on both databases: each page reads the dated part and the undated part separately,
# so that each part walks an index in its own order.
def _column_order(status):
    task = Task.__table__
    if status == TaskStatus.DONE:
        return task.c.status_changed_at, (task.c.id,), True
    return task.c.due_date, (task.c.position, task.c.id), False


def row_key(row: TaskRow) -> tuple:
    """The row's place in its column's order, as a cursor holds it."""
    if row.status == TaskStatus.DONE:
        return (row.changed_at, row.id)
    return (row.due_date, row.position, row.id)


EPOCH = datetime(2000, 1, 1)


def _rank(status, key: tuple) -> tuple:
    """Python's reading of the column order, over keys (row_key): rows are read in parts."""
    if status == TaskStatus.DONE:
        changed, task_id = key
        return (changed is None, -(changed - EPOCH).total_seconds() if changed else 0, -task_id)
    due, position, task_id = key
    return (due is None, due or FAR, position, task_id)


def _in_order(status, rows: list) -> list:
    return sorted(rows, key=lambda row: _rank(status, row_key(row)))


def encode_cursor(key: tuple) -> str:
    """A cursor for a link: the key's values joined by "_" (an empty first one is null)."""
    first, *ties = key
    return "_".join([first.isoformat() if first is not None else "", *map(str, ties)])


def decode_cursor(status, text: str | None) -> tuple | None:
    """The key a cursor holds, None when it is missing or malformed (the column's start)."""
    parts = (text or "").split("_")
    done = status == TaskStatus.DONE
    if len(parts) != (2 if done else 3):
        return None
    first, *ties = parts
    numbers = [parse_int(t, -MAX_ID, MAX_ID) for t in ties]  # a position, then the id
    if None in numbers:
        return None
    try:
        if not first:
            value = None
        else:
            value = datetime.fromisoformat(first) if done else date.fromisoformat(first)
    except ValueError:
        return None
    return (value, *numbers)


def _after(status, key: tuple | None, *, segment: str):
    """The condition for the ``segment`` ("dated" or "undated") of a column past ``key``
    (None: from the start); None when that segment lies wholly before the key."""
    column, ties, descending = _column_order(status)
    if segment == "dated":
        if key is None:
            return column.is_not(None)
        if key[0] is None:
            return None
        bound = _pair((column, *ties), key)
    else:
        if key is None or key[0] is not None:
            return column.is_(None)
        bound = _pair(ties, key[1:])
    later = bound[0] < bound[1] if descending else bound[0] > bound[1]
    return and_(column.is_not(None), later) if segment == "dated" else and_(column.is_(None), later)


def _pair(columns, values):
    """``columns`` and ``values`` as two sides of a comparison (row values for several),
    each value bound with its column's type (a date stored as text compares as text)."""
    binds = [bindparam(None, v, type_=c.type) for c, v in zip(columns, values, strict=True)]
    if len(columns) == 1:
        return columns[0], binds[0]
    return tuple_(*columns), tuple_(*binds)


def _past(status, key: tuple | None):
    """Every task of a column past ``key``: both segments in one condition."""
    parts = [c for c in (_after(status, key, segment=s) for s in SEGMENTS) if c is not None]
    return or_(*parts)


SEGMENTS = ("dated", "undated")


def _page_ids(project_id: int, status, key, limit: int, conditions):
    """The ids of a column's next ``limit`` tasks past ``key``, per segment, each a read
    along the index in the column's order."""
    task = Task.__table__
    column, ties, descending = _column_order(status)
    parts = []
    for segment in SEGMENTS:
        condition = _after(status, key, segment=segment)
        if condition is None:
            continue
        # The key stays first in the undated part too (all null there): the same order
        # as the index, so Postgres reads it along the index instead of sorting.
        order = [column, *ties]
        parts.append(
            select(task.c.id)
            .where(task.c.project_id == project_id, task.c.status == status, condition, *conditions)
            .order_by(*[o.desc() if descending else o for o in order])
            .limit(limit)
            .subquery()
        )
    return [select(part.c.id) for part in parts]


def board_columns(
    project: Project,
    user: User | None,
    today: date,
    *,
    is_manager: bool,
    filters: TaskFilters | None = None,
):
    """Each status's first page (BOARD_PAGE tasks, the most urgent first: soonest due, in
    Done the latest done) and the count of all its tasks under ``filters``. Three queries,
    however big the project. Without a user (a share link) tasks offer no moves."""
    conditions = _conditions(filters, today)
    ids = [
        part
        for status in COLUMNS
        for part in _page_ids(project.id, status, None, BOARD_PAGE, conditions)
    ]
    columns = {status: BoardColumn(status) for status in COLUMNS}
    for row in plain_rows(project, today, None, ids=ids):
        columns[TaskStatus(row.status)].rows.append(row)
    for column in columns.values():  # a column read its dated and undated parts: one page
        column.rows = _in_order(column.status, column.rows)[:BOARD_PAGE]
    shown = [row for column in columns.values() for row in column.rows]
    _fill_counters(shown, checks=False)
    if user is not None:
        fill_moves(project, shown, user, is_manager=is_manager)
    task = Task.__table__
    counts = db.session.execute(
        select(type_coerce(task.c.status, String), func.count())
        .where(task.c.project_id == project.id, *conditions)
        .group_by(task.c.status)
    )
    for status, count in counts:
        columns[TaskStatus(status)].count = count
    for column in columns.values():
        column.left = column.count - len(column.rows)
        if column.left > 0:
            column.cursor = encode_cursor(row_key(column.rows[-1]))
    return list(columns.values())


def board_page(
    project: Project,
    status,
    cursor: str | None,
    user: User | None,
    today: date,
    *,
    is_manager: bool,
    filters: TaskFilters | None = None,
) -> BoardColumn:
    """A column's next page past ``cursor`` (a malformed one reads from the start), with how
    many are left after it (``count`` is not read). Three queries."""
    key = decode_cursor(status, cursor)
    conditions = _conditions(filters, today)
    ids = _page_ids(project.id, status, key, BOARD_PAGE, conditions)
    rows = plain_rows(project, today, None, ids=ids)
    column = BoardColumn(TaskStatus(status))
    column.rows = _in_order(status, rows)[:BOARD_PAGE]
    _fill_counters(column.rows, checks=False)
    if user is not None:
        fill_moves(project, column.rows, user, is_manager=is_manager)
    if column.rows:
        last = row_key(column.rows[-1])
        task = Task.__table__
        column.left = db.session.scalar(
            select(func.count()).where(
                task.c.project_id == project.id,
                task.c.status == status,
                _past(status, last),
                *conditions,
            )
        )
        if column.left:
            column.cursor = encode_cursor(last)
    return column


@dataclass
class BoardUpdate:
    """What a move changed on a board whose columns have loaded up to their cursors.

    ``row``: the task as its new column shows it (None when the filters leave it out or
    its column has not loaded that far), to go before the task ``next_id`` (None: at the
    end of what is loaded); ``columns``: the two columns with their counts, and
    ``left``/``cursor`` past what is loaded; ``dependents``: loaded cards whose "waiting"
    changed with the move (at most DEPENDENTS_SHOWN)."""

    row: TaskRow | None
    columns: list
    next_id: int | None = None
    dependents: list = field(default_factory=list)


# A move to or from Done may change the "waiting" of this many dependent cards in the
# answer; more are right on the next load (the answer stays small whatever the project).
DEPENDENTS_SHOWN = 10
WAITING_SHOWN = (TaskStatus.ASSIGNED, TaskStatus.REOPENED)  # the cards that show "waiting"


def board_update(
    project: Project,
    task_id: int,
    statuses: set,
    user: User,
    today: date,
    *,
    is_manager: bool,
    filters: TaskFilters | None = None,
    cursors: dict | None = None,
    dependents: bool = False,
) -> BoardUpdate:
    """After a move on a board: the task's row as its column shows it and where it goes,
    the columns of ``statuses`` with their counts and what is left past their loaded part,
    and, with ``dependents`` (the move went to or from Done), the loaded cards of its
    finish-to-start successors. ``cursors`` holds, per status, the cursor of the column's
    last loaded task ("": all of it is loaded; missing: unknown, as all loaded for the moved
    card, but no dependent is sent there). At most five queries, however big the project."""
    task = Task.__table__
    cursors = cursors or {}
    conditions = _conditions(filters, today)
    loaded = {s: decode_cursor(s, cursors.get(str(s))) for s in COLUMNS}
    rows = plain_rows(project, today, filters, task.c.id == task_id)
    columns = {status: BoardColumn(TaskStatus(status)) for status in COLUMNS if status in statuses}
    past = [
        (and_(task.c.status == status, _past(status, loaded[status])), 1)
        for status in columns
        if loaded[status] is not None
    ]
    left = func.sum(case(*past, else_=0)) if past else literal(0)
    counts = db.session.execute(
        select(type_coerce(task.c.status, String), func.count(), left)
        .where(task.c.project_id == project.id, task.c.status.in_(list(columns)), *conditions)
        .group_by(task.c.status)
    )
    for status, count, after in counts:
        column = columns[TaskStatus(status)]
        column.count, column.left = count, after or 0
        key = loaded[column.status]
        column.cursor = encode_cursor(key) if key is not None and column.left else ""
    update = BoardUpdate(None, list(columns.values()))
    if dependents:
        update.dependents = [
            row
            for row in _successor_rows(project, task_id, today, filters)
            if cursors.get(row.status) is not None and _within(row, loaded[row.status])
        ]
    row = rows[0] if rows else None
    if row is not None and _within(row, loaded[row.status]):
        update.row = row
    shown = ([update.row] if update.row else []) + update.dependents
    _fill_counters(shown, checks=False)
    fill_moves(project, shown, user, is_manager=is_manager)
    if update.row is not None:
        update.next_id = _next_loaded(project.id, row, loaded[row.status], conditions)
    return update


def _within(row: TaskRow, bound: tuple | None) -> bool:
    """Whether ``row`` falls within its column's loaded part (``bound``: None, all of it)."""
    status = TaskStatus(row.status)
    return bound is None or _rank(status, row_key(row)) <= _rank(status, bound)


def _successor_rows(project: Project, task_id: int, today: date, filters) -> list[TaskRow]:
    link = TaskLink.__table__
    successors = select(link.c.successor_id).where(
        link.c.predecessor_id == task_id, link.c.kind == "fs"
    )
    task = Task.__table__
    return plain_rows(
        project,
        today,
        filters,
        task.c.id.in_(successors),
        task.c.status.in_([str(s) for s in WAITING_SHOWN]),
        limit=DEPENDENTS_SHOWN,
    )


def _next_loaded(project_id: int, row: TaskRow, bound: tuple | None, conditions) -> int | None:
    """The loaded task that comes right after ``row`` in its column, if any."""
    task = Task.__table__
    status, key = TaskStatus(row.status), row_key(row)
    following = _page_ids(project_id, status, key, 1, conditions)
    candidates = db.session.execute(
        select(task.c.id, task.c.due_date, task.c.position, task.c.status_changed_at).where(
            task.c.id.in_(union_all(*following))
        )
    ).all()
    keys = [
        (changed, task_id) if status == TaskStatus.DONE else (due, position, task_id)
        for task_id, due, position, changed in candidates
    ]
    if not keys:
        return None
    nearest = min(keys, key=lambda k: _rank(status, k))
    if bound is None or _rank(status, nearest) <= _rank(status, bound):
        return nearest[-1]
    return None


# My work


def _waiting_for(user: User):
    """Tasks theirs to do or theirs to review, in live projects."""
    return and_(
        Project.archived_at.is_(None),
        Project.is_template.is_(False),
        or_(
            and_(Task.assignee_id == user.id, Task.status.in_(WORKING)),
            and_(Task.reviewer_id == user.id, Task.status == TaskStatus.ON_REVIEW),
        ),
    )


def my_tasks(user: User) -> list[Task]:
    """With their projects and workgroups loaded: each task shows the user's moves."""
    query = (
        select(Task)
        .join(Project, Project.id == Task.project_id)
        .where(_waiting_for(user))
        .options(selectinload(Task.project).selectinload(Project.members))
        .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
    )
    return list(db.session.scalars(query))


def my_task(user: User, task_id: int) -> Task | None:
    """The task, if it is waiting for ``user`` (as in my_tasks)."""
    query = (
        select(Task)
        .join(Project, Project.id == Task.project_id)
        .where(Task.id == task_id, _waiting_for(user))
    )
    return db.session.scalar(query)


def waiting_tasks(user: User):
    """The tasks waiting for ``user``, for the navigation's counter (which counts them)."""
    return select(Task.id).join(Project, Project.id == Task.project_id).where(_waiting_for(user))
