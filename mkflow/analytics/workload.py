"""Each person's work: open process items and tasks, overdue, finished this week and last
week, and the workload up to the end of next week across every process and project.

Open work is what is open now (the items themselves); finished work comes from the events:
a stage handed on by the person (completed, approved, rejected, published) or a task of
theirs accepted as done.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from mkflow.analytics.filters import Filters, Period, monday
from mkflow.analytics.task_events import done_tasks
from mkflow.core.database import db
from mkflow.models import (
    Event,
    EventKind,
    InstanceState,
    ProcessInstance,
    Project,
    Task,
    TaskStatus,
    User,
)

STAGE_WORK = (EventKind.COMPLETED, EventKind.APPROVED, EventKind.REJECTED, EventKind.PUBLISHED)
# Open work due by the end of next week (overdue included) above this is an overload.
OVERLOAD = 10


@dataclass
class Weeks:
    """The weeks people figures speak of, around ``today`` (Mondays; ``later`` = after)."""

    last: date
    this: date
    next: date
    later: date

    @classmethod
    def around(cls, day: date) -> "Weeks":
        this = monday(day)
        week = timedelta(weeks=1)
        return cls(this - week, this, this + week, this + 2 * week)


@dataclass
class Person:
    id: int
    name: str
    items: int = 0  # active process items they hold
    tasks: int = 0  # open tasks assigned to them
    overdue: int = 0
    done_this_week: int = 0
    done_last_week: int = 0
    # Open work by when it is due (overdue work counts as overdue only).
    due_this_week: int = 0
    due_next_week: int = 0
    due_later: int = 0  # later or without a date

    @property
    def active(self) -> int:
        return self.items + self.tasks

    @property
    def load(self) -> int:
        """Open work due by the end of next week, overdue included."""
        return self.overdue + self.due_this_week + self.due_next_week

    @property
    def overloaded(self) -> bool:
        return self.load > OVERLOAD


def open_tasks():
    """Conditions on Task for open work: not done, in a live project."""
    return (
        Task.status != TaskStatus.DONE,
        Project.is_template.is_(False),
        Project.archived_at.is_(None),
    )


def people(f: Filters, now: datetime, today: date) -> list[Person]:
    """The department's active people (or the chosen person), in name order."""
    query = select(User.id, User.name).where(User.active).order_by(User.name)
    if f.person_id is not None:
        query = query.where(User.id == f.person_id)
    else:
        query = query.where(User.department_id == f.department_id)
    found = {pid: Person(pid, name) for pid, name in db.session.execute(query)}
    if not found:
        return []
    ids = list(found)
    weeks = Weeks.around(today)
    _open_items(found, ids, now, weeks, f.period.offset)
    _open_tasks(found, ids, today, weeks)
    _finished(found, ids, min(f.period.end, today), f.period.offset)
    return list(found.values())


def _at(day: date, offset: timedelta) -> datetime:
    """The stored (naive UTC) moment the company's ``day`` begins."""
    return datetime.combine(day, time.min) - offset


def _by_due(who, due, now, next_week, later):
    """A select of each ``who``'s count of rows and how many of them are ``due`` before
    ``now``, from then until ``next_week`` and from then until ``later``."""
    return select(
        who,
        func.count(),
        func.sum(case((due < now, 1), else_=0)),
        func.sum(case((due < now, 0), (due < next_week, 1), else_=0)),
        func.sum(case((due < next_week, 0), (due < later, 1), else_=0)),
    ).group_by(who)


def _open_items(found, ids, now, weeks: Weeks, offset: timedelta) -> None:
    next_week, later = _at(weeks.next, offset), _at(weeks.later, offset)
    query = _by_due(
        ProcessInstance.assignee_id, ProcessInstance.stage_due_at, now, next_week, later
    )
    rows = db.session.execute(
        query.where(
            ProcessInstance.state == InstanceState.ACTIVE, ProcessInstance.assignee_id.in_(ids)
        )
    )
    _add_open(found, rows, "items")


def _open_tasks(found, ids, today, weeks: Weeks) -> None:
    query = _by_due(Task.assignee_id, Task.due_date, today, weeks.next, weeks.later)
    rows = db.session.execute(
        query.join(Project, Task.project_id == Project.id).where(
            *open_tasks(), Task.assignee_id.in_(ids)
        )
    )
    _add_open(found, rows, "tasks")


def _add_open(found, rows, what: str) -> None:
    """Each person's open ``what`` ("items" or "tasks") by when it is due."""
    for pid, count, overdue, this_week, next_week in rows:
        person = found[pid]
        setattr(person, what, count)
        person.overdue += overdue
        person.due_this_week += this_week
        person.due_next_week += next_week
        person.due_later += count - overdue - this_week - next_week


def _finished(found, ids, day: date, offset: timedelta) -> None:
    """Stages handed on and tasks done in the week of ``day`` and the week before."""
    weeks = Weeks.around(day)
    this_week = case((Event.at >= _at(weeks.this, offset), 1), else_=0)
    in_weeks = (Event.at >= _at(weeks.last, offset), Event.at < _at(weeks.next, offset))
    stages = (
        select(Event.actor_id, func.count(), func.sum(this_week))
        .where(Event.kind.in_(STAGE_WORK), Event.actor_id.in_(ids), *in_weeks)
        .group_by(Event.actor_id)
    )
    done = done_tasks(Period(weeks.last, weeks.next - timedelta(days=1), offset))
    tasks = (
        select(
            Task.assignee_id,
            func.count(),
            func.sum(case((done.c.at >= _at(weeks.this, offset), 1), else_=0)),
        )
        .select_from(done)
        .join(Task, Task.id == done.c.task_id)
        .where(Task.assignee_id.in_(ids))
        .group_by(Task.assignee_id)
    )
    for query in (stages, tasks):
        for pid, count, current in db.session.execute(query):
            found[pid].done_this_week += current
            found[pid].done_last_week += count - current
