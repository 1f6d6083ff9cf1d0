"""Dates of a project's tasks kept consistent with their links and their subtasks.

Loads the project's dates and links as plain rows, lets ``schedule`` work out what moves,
and writes the moves back in one batch with a "rescheduled" event per moved task.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, text, update

from mkflow.core.database import db, on_postgres
from mkflow.models import Event, EventKind, LinkKind, Project, Task, TaskLink, User
from mkflow.people import calendar
from mkflow.projects import scheduling
from mkflow.projects.scheduling import Calendar, Link, Span

# Parents roll up and links move tasks; a parent that moved can push its own successors.
MAX_ROUNDS = 10


def company_calendar() -> Calendar:
    """The company's working days: its weekend (MKFLOW_WEEKEND), holidays and moved working
    days, the same calendar stage deadlines and reminders count with."""
    return calendar.company_calendar()


@dataclass
class Moved:
    id: int
    title: str
    start: date | None
    due: date | None


# The three loaders read plain Core rows: a project has thousands of tasks and each
# replan reads them all; ORM rows cost several times more per row.


def tree_of(project_id: int) -> tuple[dict[int, Span], dict[int, int | None]]:
    """Every task's dates and its parent, in one read."""
    task = Task.__table__
    rows = db.session.execute(
        select(task.c.id, task.c.title, task.c.start_date, task.c.due_date, task.c.parent_id).where(
            task.c.project_id == project_id
        )
    ).all()
    spans = {tid: Span(tid, title, start, due) for tid, title, start, due, _ in rows}
    return spans, {row[0]: row[4] for row in rows}


def links_of(project_id: int) -> list[Link]:
    link = TaskLink.__table__
    rows = db.session.execute(
        select(link.c.predecessor_id, link.c.successor_id, link.c.kind, link.c.lag).where(
            link.c.project_id == project_id
        )
    ).all()
    return [Link(pred, succ, LinkKind(kind), lag) for pred, succ, kind, lag in rows]


def parents_of(project_id: int) -> dict[int, int | None]:
    task = Task.__table__
    rows = db.session.execute(
        select(task.c.id, task.c.parent_id).where(task.c.project_id == project_id)
    ).all()
    return dict(rows)


def replan(project: Project, changed: set[int], actor: User | None, at: datetime) -> list[Moved]:
    """Move what must move after ``changed`` tasks got new dates or links; return the moves
    of other tasks (the changed ones are what the user just did)."""
    db.session.flush()
    cal = company_calendar()
    spans, parents = tree_of(project.id)
    before = {tid: (s.start, s.due) for tid, s in spans.items()}
    links = links_of(project.id)
    # A rolled-up parent without links can move nothing more: another scheduling round
    # (a pass over the whole project) is only worth it for parents with links.
    linked = {link.predecessor for link in links} | {link.successor for link in links}
    pending = set(changed)
    for _round in range(MAX_ROUNDS):
        moved = scheduling.reschedule(spans, links, cal, pending) if project.auto_schedule else {}
        _apply(spans, moved)
        rolled = scheduling.roll_up(spans, parents)
        _apply(spans, rolled)
        pending = set(rolled) & linked
        if not pending:
            break
    updates = [
        Moved(tid, span.title, span.start, span.due)
        for tid, span in spans.items()
        if (span.start, span.due) != before[tid]
    ]
    _store(updates, before, actor, at)
    return [m for m in updates if m.id not in changed]


def _apply(spans: dict[int, Span], dates: dict) -> None:
    for tid, (start, due) in dates.items():
        spans[tid].start, spans[tid].due = start, due


def _store(updates: list[Moved], before: dict, actor: User | None, at: datetime) -> None:
    """The new dates and a "rescheduled" event for each moved task."""
    if not updates:
        return
    actor_id = actor.id if actor else None  # once: the actor may be a request-bound proxy
    comments = [_span_text(*before[m.id]) + " → " + _span_text(m.start, m.due) for m in updates]
    if on_postgres():
        _store_arrays(updates, comments, actor_id, at)
    else:
        _store_rows(updates, comments, actor_id, at)
    # Task objects already loaded must not keep their old dates or version.
    ids = {m.id for m in updates}
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Task) and obj.id in ids:
            db.session.expire(obj)


def _store_rows(updates: list[Moved], comments: list[str], actor_id, at: datetime) -> None:
    table = Task.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("tid"))
        .values(
            start_date=bindparam("start"),
            due_date=bindparam("due"),
            lock_version=table.c.lock_version + 1,
        ),
        [{"tid": m.id, "start": m.start, "due": m.due} for m in updates],
    )
    db.session.execute(
        Event.__table__.insert(),
        [
            {
                "task_id": m.id,
                "actor_id": actor_id,
                "kind": EventKind.RESCHEDULED,
                "comment": comment,
                "at": at,
            }
            for m, comment in zip(updates, comments, strict=True)
        ],
    )


# Postgres runs each row of an executemany as a statement of its own; a long chain moves
# in two statements instead, its rows passed as arrays.
UPDATE_FROM_ARRAYS = text(
    "UPDATE task SET start_date = m.start, due_date = m.due,"
    " lock_version = task.lock_version + 1"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:starts AS date[]), CAST(:dues AS date[]))"
    " AS m(id, start, due) WHERE task.id = m.id"
)
EVENTS_FROM_ARRAYS = text(
    "INSERT INTO event (task_id, actor_id, kind, comment, at)"
    " SELECT m.id, CAST(:actor AS integer), :kind, m.comment, :at"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:comments AS text[])) AS m(id, comment)"
)


def _store_arrays(updates: list[Moved], comments: list[str], actor_id, at: datetime) -> None:
    ids = [m.id for m in updates]
    db.session.execute(
        UPDATE_FROM_ARRAYS,
        {"ids": ids, "starts": [m.start for m in updates], "dues": [m.due for m in updates]},
    )
    db.session.execute(
        EVENTS_FROM_ARRAYS,
        {
            "ids": ids,
            "comments": comments,
            "actor": actor_id,
            "kind": EventKind.RESCHEDULED.value,
            "at": at,
        },
    )


def _span_text(start: date | None, due: date | None) -> str:
    return f"{start.isoformat() if start else '…'}–{due.isoformat() if due else '…'}"


def broken_links(project_id: int) -> set[tuple[int, int]]:
    """(predecessor, successor) of every link the current dates break (manual mode flags)."""
    cal = company_calendar()
    found = scheduling.broken_links(tree_of(project_id)[0], links_of(project_id), cal)
    return {(link.predecessor, link.successor) for link in found}
