"""A department's portfolio: its live projects as bars from their first to their last day,
each followed by its milestones; three reads, however many projects."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import and_, case, func, select

from mkflow.analytics.timeline import Group, Span, figure
from mkflow.core.database import db
from mkflow.core.formatting import Formatter
from mkflow.models import Department, Project, Task, TaskStatus, User
from mkflow.people.process_access import sees_everything
from mkflow.people.project_access import visible_projects_filter

STATE_COLOURS = {
    "planned": "#6b7f95",
    "running": "#2f80ed",
    "finished": "#219653",
}


@dataclass
class Milestone:
    id: int
    title: str
    due: date | None
    done: bool

    def late(self, today: date) -> bool:
        return not self.done and self.due is not None and self.due < today


@dataclass
class PortfolioRow:
    project: Project
    first: date  # the earliest task start, else the project's start date
    last: date  # the latest due date, else ``first``
    total: int = 0
    done: int = 0
    overdue: int = 0
    milestones: list[Milestone] = field(default_factory=list)

    def state(self, today: date) -> str:
        if self.total and self.done == self.total:
            return "finished"
        return "planned" if self.first > today else "running"


def may_view(user: User, department: Department, rows: list[PortfolioRow]) -> bool:
    """Someone who sees none of its projects sees a portfolio only of their own department
    (or one they head, or as management)."""
    return bool(
        rows
        or sees_everything(user)
        or department.head_id == user.id
        or department.id == user.department_id
    )


def portfolio(department: Department, user: User, today: date) -> list[PortfolioRow]:
    """The department's live projects that ``user`` may see, in order of their first day."""
    projects = db.session.scalars(
        select(Project).where(
            Project.department_id == department.id,
            Project.is_template.is_(False),
            Project.archived_at.is_(None),
            visible_projects_filter(user),
        )
    ).unique()
    projects = {p.id: p for p in projects}
    if not projects:
        return []
    numbers = _numbers(list(projects), today)
    rows = {}
    for project_id, project in projects.items():
        first, last, total, done, overdue = numbers.get(project_id, (None, None, 0, 0, 0))
        first = first or project.start_date
        rows[project_id] = PortfolioRow(
            project, first, max(first, last or first), total, done or 0, overdue or 0
        )
    milestones = db.session.execute(
        select(Task.project_id, Task.id, Task.title, Task.due_date, Task.status)
        .where(Task.project_id.in_(list(projects)), Task.milestone)
        .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
    )
    for project_id, task_id, title, due, status in milestones:
        rows[project_id].milestones.append(
            Milestone(task_id, title, due, status == TaskStatus.DONE)
        )
    return sorted(rows.values(), key=lambda row: (row.first, row.project.name, row.project.id))


def _numbers(ids: list[int], today: date) -> dict[int, tuple]:
    """Per project: first start, last due, tasks, done tasks, overdue tasks."""
    start = func.coalesce(Task.start_date, Task.due_date)
    due = func.coalesce(Task.due_date, Task.start_date)
    is_done = Task.status == TaskStatus.DONE
    late = and_(Task.status != TaskStatus.DONE, Task.due_date < today)
    query = (
        select(
            Task.project_id,
            func.min(start),
            func.max(due),
            func.count(),
            func.sum(case((is_done, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .where(Task.project_id.in_(ids))
        .group_by(Task.project_id)
    )
    return {project_id: tuple(rest) for project_id, *rest in db.session.execute(query)}


def portfolio_figure(
    rows: list[PortfolioRow],
    today: date,
    fmt: Formatter,
    project_url: Callable[[int], str],
    task_url: Callable[[int], str],
):
    """A bar per project (coloured by planned / running / finished, outlined when it has
    overdue tasks), and under it a row per milestone: its day and a diamond on it."""
    labels = {
        "manager": _("Manager"),
        "dates": _("Dates"),
        "progress": _("Progress"),
        "late": _("Overdue tasks"),
        "due": _("Due"),
        "done": _("Done"),
    }
    state_labels = {
        "planned": _("Not started"),
        "running": _("Running"),
        "finished": pgettext("project", "Done"),
    }
    groups = {state: Group(state_labels[state], colour) for state, colour in STATE_COLOURS.items()}
    spans = []
    for row in rows:
        project = row.project
        hover = [
            project.name,
            f"{labels['manager']}: {project.manager.name if project.manager else '—'}",
            f"{labels['dates']}: {fmt.date(row.first)} – {fmt.date(row.last)}",
            f"{labels['progress']}: {row.done} / {row.total}",
        ]
        if row.overdue:
            hover.append(f"{labels['late']}: {row.overdue}")
        state = row.state(today)
        spans.append(
            Span(
                key=f"project-{project.id}",
                label=project.name,
                start=row.first,
                end=row.last + timedelta(days=1),
                group=state,
                hover=hover,
                url=project_url(project.id),
                late=bool(row.overdue),
            )
        )
        for milestone in row.milestones:
            if milestone.due is None:
                continue
            spans.append(
                Span(
                    key=f"milestone-{milestone.id}",
                    label=milestone.title,
                    start=milestone.due,
                    end=milestone.due + timedelta(days=1),
                    group=state,  # a day in the project's colour, under the diamond
                    hover=[
                        milestone.title,
                        f"{labels['due']}: {fmt.date(milestone.due)}"
                        + (f" · {labels['done']}" if milestone.done else ""),
                    ],
                    url=task_url(milestone.id),
                    depth=1,
                    late=milestone.late(today),
                    diamond=datetime.combine(milestone.due, time(12)),
                )
            )
    return figure(
        spans, groups, today=today, today_label=_("Today"), milestone_label=_("Milestone")
    )
