"""Departments side by side: open and overdue work now; finished work, on-time rate and
median cycle time in the period and in the period before it.

"Finished" counts process items brought to their final stage and tasks accepted as done
(a task once, at its last acceptance). On time: an item finished on or before its
deadline, a task done on or before its due date; items and tasks without one don't count.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from mkflow.analytics.filters import Filters, seconds_between
from mkflow.analytics.process_figures import cycles_of, day_of, finished
from mkflow.analytics.project_figures import project_conditions
from mkflow.analytics.task_events import done_tasks
from mkflow.core.database import db
from mkflow.models import (
    Department,
    Event,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Project,
    Task,
    TaskStatus,
    User,
)


@dataclass
class Numbers:
    """One period's finished work."""

    finished: int = 0
    due: int = 0  # finished work that had a deadline or due date
    on_time: int = 0
    median_hours: float | None = None

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.on_time / self.due if self.due else None


@dataclass
class Summary:
    department_id: int
    name: str
    active: int = 0
    overdue: int = 0
    now: Numbers = field(default_factory=Numbers)
    before: Numbers = field(default_factory=Numbers)


def summaries(f: Filters, now: datetime, today: date) -> list[Summary]:
    """One summary per department (or only the filters' department), in name order."""
    query = select(Department.id, Department.name).order_by(Department.name)
    if f.department_id is not None:
        query = query.where(Department.id == f.department_id)
    found = {did: Summary(did, name) for did, name in db.session.execute(query)}
    both = f.narrowed(replace(f.period, start=f.period.previous().start))
    current = case((Event.at >= f.period.lo, 1), else_=0)
    for rows in (_open_items(f, now), _open_tasks(f, today)):
        for owner, holder, count, overdue in rows:
            # A department's own page counts its processes' and projects' work and what its
            # people hold elsewhere (as its People table does); side by side, each piece of
            # work counts once, for the department it belongs to.
            counted = {owner, holder} if f.department_id is not None else {owner}
            for did in counted & found.keys():
                found[did].active += count
                found[did].overdue += overdue or 0
    for did, is_current, count, due, on_time in _finished_items(both, current):
        _add(found, did, is_current, count, due, on_time)
    for did, is_current, count, due, on_time in _done_tasks(both, f.period.lo):
        _add(found, did, is_current, count, due, on_time)
    for (did, is_current), cycle in _cycle_rows(both, current).items():
        if did in found:
            numbers = found[did].now if is_current else found[did].before
            numbers.median_hours = cycle.median_hours
    return list(found.values())


def _add(found, did, is_current, count, due, on_time) -> None:
    if did not in found:
        return
    numbers = found[did].now if is_current else found[did].before
    numbers.finished += count
    numbers.due += due or 0
    numbers.on_time += on_time or 0


def _open_items(f: Filters, now: datetime):
    """Active items by (the process's department, the holder's department): those of the
    filters' processes and those their people hold in any process; with a person, those
    they hold now (as the People table counts them), not every item they once held."""
    holder = aliased(User)
    conditions = [ProcessInstance.state == InstanceState.ACTIVE]
    if f.template_id is not None:
        conditions.append(ProcessInstance.template_id == f.template_id)
    elif f.department_id is not None:
        conditions.append(
            or_(
                ProcessTemplate.department_id == f.department_id,
                holder.department_id == f.department_id,
            )
        )
    if f.person_id is not None:
        conditions.append(ProcessInstance.assignee_id == f.person_id)
    return db.session.execute(
        select(
            ProcessTemplate.department_id,
            holder.department_id,
            func.count(),
            func.sum(case((ProcessInstance.stage_due_at < now, 1), else_=0)),
        )
        .join(ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id)
        .outerjoin(holder, ProcessInstance.assignee_id == holder.id)
        .where(*conditions)
        .group_by(ProcessTemplate.department_id, holder.department_id)
    )


def _open_tasks(f: Filters, today: date):
    """Open tasks by (the project's department, the assignee's department), as for items."""
    holder = aliased(User)
    conditions = [
        Task.status != TaskStatus.DONE,
        Project.is_template.is_(False),
        Project.archived_at.is_(None),
    ]
    if f.department_id is not None:
        conditions.append(
            or_(Project.department_id == f.department_id, holder.department_id == f.department_id)
        )
    if f.person_id is not None:
        conditions.append(Task.assignee_id == f.person_id)
    return db.session.execute(
        select(
            Project.department_id,
            holder.department_id,
            func.count(),
            func.sum(case((Task.due_date < today, 1), else_=0)),
        )
        .join(Project, Task.project_id == Project.id)
        .outerjoin(holder, Task.assignee_id == holder.id)
        .where(*conditions)
        .group_by(Project.department_id, holder.department_id)
    )


def _finished_items(f: Filters, current):
    deadline = ProcessInstance.deadline
    query = finished(
        f,
        ProcessTemplate.department_id,
        current,
        func.count(),
        func.sum(case((deadline.is_not(None), 1), else_=0)),
        func.sum(case((day_of(Event.at, f.period.offset) <= deadline, 1), else_=0)),
    ).join(ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id)
    return db.session.execute(query.group_by(ProcessTemplate.department_id, current))


def _done_tasks(f: Filters, since: datetime):
    done = done_tasks(f.period)
    due = Task.due_date
    current = case((done.c.at >= since, 1), else_=0)
    return db.session.execute(
        select(
            Project.department_id,
            current,
            func.count(),
            func.sum(case((due.is_not(None), 1), else_=0)),
            func.sum(case((day_of(done.c.at, f.period.offset) <= due, 1), else_=0)),
        )
        .select_from(done)
        .join(Task, Task.id == done.c.task_id)
        .join(Project, Task.project_id == Project.id)
        .where(*project_conditions(f))
        .group_by(Project.department_id, current)
    )


def _cycle_rows(f: Filters, current) -> dict:
    """Cycle times by (department, in the current period)."""
    seconds = seconds_between(ProcessInstance.created_at, Event.at)
    query = finished(f, ProcessTemplate.department_id, current, seconds).join(
        ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id
    )
    return cycles_of(db.session.execute(query))
