"""The project board a page at a time (projects.listing): each column its most urgent tasks
first, counts over all the tasks the filters let through, the next page after a cursor
(keyset, not offsets), and what a move changed — in a number of queries that does not grow
with the project."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, text
from support import add_people, new_project, new_task, user

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Task, TaskStatus
from mkflow.projects import listing
from mkflow.projects import tasks as rules

S = TaskStatus
TODAY = date(2026, 12, 8)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(listing, "BOARD_PAGE", 3)


@pytest.fixture
def manager(demo):
    return user("head@demo.local")


def make(project, count, status=S.ASSIGNED, **data):
    """``count`` tasks in ``status``, due one a day from 1 March in creation order."""
    tasks, fixed = [], "due_date" in data
    due = data.pop("due_date", None)
    for n in range(count):
        day = due if fixed else date(2026, 3, 1) + timedelta(days=n)
        task = new_task(project, f"{status} {n}", due_date=day, **data)
        task.status = status
        tasks.append(task)
    db.session.commit()
    return tasks


def columns(project, manager, filters=None):
    found = listing.board_columns(project, manager, TODAY, is_manager=True, filters=filters)
    return {c.status: c for c in found}


def ids(rows):
    return [row.id for row in rows]


def every_page(project, manager, status, filters=None):
    """The column's ids, page after page, as the "more" links walk it."""
    column = columns(project, manager, filters)[status]
    seen = ids(column.rows)
    while column.cursor:
        column = listing.board_page(
            project, status, column.cursor, manager, TODAY, is_manager=True, filters=filters
        )
        seen += ids(column.rows)
    return seen


def test_each_column_shows_its_first_page_and_counts_all(manager):
    project = new_project()
    assigned = make(project, 5)
    undated = make(project, 2, due_date=None)
    in_progress = make(project, 2, S.IN_PROGRESS)
    done = make(project, 4, S.DONE)
    for n, task in enumerate(done):  # the last one done latest; one never stamped
        task.status_changed_at = datetime(2026, 3, 2, 9) + timedelta(hours=n) if n else None
    db.session.commit()
    found = columns(project, manager)
    assert ids(found[S.ASSIGNED].rows) == ids(assigned[:3])
    assert (found[S.ASSIGNED].count, found[S.ASSIGNED].left) == (7, 4)
    assert ids(found[S.IN_PROGRESS].rows) == ids(in_progress)
    assert (found[S.IN_PROGRESS].left, found[S.IN_PROGRESS].cursor) == (0, "")
    assert ids(found[S.DONE].rows) == [done[3].id, done[2].id, done[1].id]
    assert found[S.DONE].count == 4 and found[S.REOPENED].count == 0
    # Page after page: soonest due first, the undated last; Done latest first, unstamped last.
    assert every_page(project, manager, S.ASSIGNED) == ids(assigned + undated)
    assert every_page(project, manager, S.DONE) == [t.id for t in reversed(done[1:])] + [done[0].id]


def test_the_cursor_continues_without_duplicates_after_moves(manager):
    project = new_project()
    tasks = make(project, 8)
    first = columns(project, manager)[S.ASSIGNED]
    assert ids(first.rows) == ids(tasks[:3])
    # The last task shown and one not yet shown start; a new task comes in before the cursor.
    for task in (tasks[2], tasks[4]):
        rules.move(db.session.get(Task, task.id), manager, "start")
    make(project, 1, due_date=date(2026, 2, 1))
    db.session.commit()
    second = listing.board_page(project, S.ASSIGNED, first.cursor, manager, TODAY, is_manager=True)
    assert ids(second.rows) == [tasks[3].id, tasks[5].id, tasks[6].id]
    assert second.left == 1
    third = listing.board_page(project, S.ASSIGNED, second.cursor, manager, TODAY, is_manager=True)
    assert ids(third.rows) == [tasks[7].id] and third.cursor == ""


def test_filters_apply_to_every_page_and_to_the_counts(manager):
    project = new_project()
    add_people(project, "copywriter@demo.local")
    copywriter = user("copywriter@demo.local")
    tasks = [
        make(project, 1, due_date=date(2026, 3, n), assignee=copywriter if n % 3 else None)[0]
        for n in range(1, 13)
    ]
    theirs = [t.id for t in tasks if t.assignee_id == copywriter.id]
    filters = listing.TaskFilters(assignee_id=copywriter.id)
    assert every_page(project, manager, S.ASSIGNED, filters) == theirs
    assert columns(project, manager, filters)[S.ASSIGNED].count == len(theirs) == 8
    # Overdue (every one is: due in March) with the assignee; a search finds none.
    late = listing.TaskFilters(assignee_id=copywriter.id, overdue=True)
    assert every_page(project, manager, S.ASSIGNED, late) == theirs
    assert (
        columns(project, manager, listing.TaskFilters(text="no such task"))[S.ASSIGNED].rows == []
    )


def test_a_malformed_cursor_reads_the_column_from_its_start(manager):
    project = new_project()
    tasks = make(project, 4)
    for cursor in ("", "x", "2026-13-01_1_1", "__", "2026-03-01_1_99999999999", "2026-03-01_a_1"):
        page = listing.board_page(project, S.ASSIGNED, cursor, manager, TODAY, is_manager=True)
        assert ids(page.rows) == ids(tasks[:3]), cursor
    assert listing.decode_cursor(S.DONE, "2026-03-02T09:00:00_7") == (datetime(2026, 3, 2, 9), 7)


def test_a_move_places_the_card_among_what_its_column_has_loaded(manager):
    project = new_project()
    assigned = make(project, 4)
    in_progress = make(project, 5, S.IN_PROGRESS)  # due 1–5 March
    board = columns(project, manager)
    cursors = {S.ASSIGNED: board[S.ASSIGNED].cursor, S.IN_PROGRESS: board[S.IN_PROGRESS].cursor}

    def start(task):  # as the board asks, with In progress loaded to 3 March
        rules.move(db.session.get(Task, task.id), manager, "start")
        return listing.board_update(
            project,
            task.id,
            {S.ASSIGNED, S.IN_PROGRESS},
            manager,
            TODAY,
            is_manager=True,
            cursors=cursors,
        )

    update = start(assigned[1])  # due 2 March: among the loaded, before 2 March's
    assert update.row.id == assigned[1].id and update.next_id == in_progress[1].id
    counts = {c.status: (c.count, c.left) for c in update.columns}
    assert counts == {S.ASSIGNED: (3, 1), S.IN_PROGRESS: (6, 2)}
    # One due later than anything loaded only changes the counts.
    db.session.get(Task, assigned[3].id).due_date = date(2026, 3, 20)
    update = start(assigned[3])
    assert update.row is None
    assert {c.status: c.left for c in update.columns}[S.IN_PROGRESS] == 3


def test_statements_do_not_grow_with_the_project(manager):
    project = new_project()

    def asked(work):
        statements = []
        listener = lambda *_args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def all_three():
        board = columns(project, manager)
        cursor = board[S.ASSIGNED].cursor
        task = board[S.ASSIGNED].rows[0]
        return [
            asked(lambda: columns(project, manager)),
            asked(
                lambda: listing.board_page(
                    project, S.ASSIGNED, cursor, manager, TODAY, is_manager=True
                )
            ),
            asked(
                lambda: listing.board_update(
                    project,
                    task.id,
                    {S.ASSIGNED},
                    manager,
                    TODAY,
                    is_manager=True,
                    cursors={S.ASSIGNED: cursor},
                )
            ),
        ]

    make(project, 5)
    make(project, 4, S.DONE)
    small = all_three()
    for status in S:
        make(project, 40, status)
    clock.set(clock.now() + timedelta(minutes=1))
    assert all_three() == small


@pytest.mark.parametrize("status", [S.ASSIGNED, S.DONE])
@pytest.mark.parametrize("after", [False, True])
def test_a_column_is_read_along_its_index_without_sorting(manager, status, after):
    """Each part of a column's page follows an index's order (migration 0011), so it stops
    after a page instead of sorting every task of the status."""
    project = new_project()
    task = new_task(project, "Brief", due_date=TODAY)
    task.status, task.status_changed_at = status, clock.now()
    db.session.flush()
    key = listing.row_key(listing.plain_rows(project, TODAY, None)[0]) if after else None
    for part in listing._page_ids(project.id, status, key, 12, []):
        sql = str(part.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(db.session.scalars(text(f"EXPLAIN {sql}")))
            assert "Sort" not in plan and "ix_task_" in plan, plan
        else:
            plan = " ".join(
                row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            )
            assert "TEMP B-TREE" not in plan and "ix_task_" in plan, plan
