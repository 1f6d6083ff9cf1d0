"""Project figures: each live project's progress and overdue tasks, its tasks whose dates
the scheduler moved in the period ("rescheduled" events), and the upcoming milestones.
With a person chosen, only the tasks assigned to them count."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from mkflow.analytics.filters import Filters
from mkflow.analytics.task_events import slipped_counts
from mkflow.core.database import db
from mkflow.models import Project, Task, TaskStatus

UPCOMING = 10  # milestones listed


def project_conditions(f: Filters) -> list:
    conditions = [Project.is_template.is_(False), Project.archived_at.is_(None)]
    if f.department_id is not None:
        conditions.append(Project.department_id == f.department_id)
    if f.person_id is not None:
        conditions.append(Task.assignee_id == f.person_id)
    return conditions


@dataclass
class ProjectRow:
    id: int
    name: str
    total: int
    done: int
    overdue: int
    slipped: int = 0  # tasks whose dates moved in the period

    @property
    def progress(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def projects(f: Filters, today: date) -> list[ProjectRow]:
    done = Task.status == TaskStatus.DONE
    rows = db.session.execute(
        select(
            Project.id,
            Project.name,
            func.count(Task.id),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((done, 0), (Task.due_date < today, 1), else_=0)),
        )
        .join(Task, Task.project_id == Project.id)
        .where(*project_conditions(f))
        .group_by(Project.id, Project.name)
        .order_by(Project.name)
    )
    found = {row[0]: ProjectRow(*row) for row in rows}
    for project_id, count in db.session.execute(
        slipped(f, slipped_counts(f.period), Project.id, func.count()).group_by(Project.id)
    ):
        if project_id in found:
            found[project_id].slipped = count
    return list(found.values())


def slipped(f: Filters, moved, *columns):
    """A select of ``columns`` over the tasks in ``moved`` (``tasks.slipped_counts``) that
    the filters cover."""
    return (
        select(*columns)
        .select_from(moved)
        .join(Task, Task.id == moved.c.task_id)
        .join(Project, Task.project_id == Project.id)
        .where(*project_conditions(f))
    )


@dataclass
class Milestone:
    task_id: int
    title: str
    due: date
    project_id: int
    project: str


def milestones(f: Filters, today: date) -> list[Milestone]:
    """The next open milestones from today on, soonest first."""
    rows = db.session.execute(
        select(Task.id, Task.title, Task.due_date, Project.id, Project.name)
        .join(Project, Task.project_id == Project.id)
        .where(
            Task.milestone.is_(True),
            Task.status != TaskStatus.DONE,
            Task.due_date >= today,
            *project_conditions(f),
        )
        .order_by(Task.due_date, Task.id)
        .limit(UPCOMING)
    )
    return [Milestone(*row) for row in rows]
