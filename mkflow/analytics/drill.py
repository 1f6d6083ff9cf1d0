"""The items behind a figure: the same base queries as the figures, listing rows instead of
counting them (at most ``LIMIT``)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from mkflow.analytics.filters import Filters, seconds_between
from mkflow.analytics.process_figures import DECISIONS, HOUR, LEAVES, finished, stage_exits
from mkflow.analytics.project_figures import slipped
from mkflow.analytics.task_events import slipped_counts
from mkflow.analytics.workload import open_tasks
from mkflow.core.database import db
from mkflow.models import (
    Event,
    EventKind,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Project,
    Stage,
    Task,
    User,
)
from mkflow.people.process_access import visible_templates_filter
from mkflow.people.project_access import visible_projects_filter

LIMIT = 500


@dataclass
class Row:
    kind: str  # "item" or "task": where the row links
    id: int
    title: str
    group: str  # the template or project
    cells: list  # the rest of the columns, ready values


def finished_items(f: Filters) -> list[Row]:
    """Items finished in the period: launched, finished, cycle time (hours), deadline."""
    launched = ProcessInstance.created_at
    query = finished(
        f,
        ProcessInstance.id,
        ProcessInstance.title,
        ProcessTemplate.name,
        launched,
        Event.at,
        seconds_between(launched, Event.at),
        ProcessInstance.deadline,
    ).join(ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id)
    rows = db.session.execute(query.order_by(Event.at.desc()).limit(LIMIT))
    return [
        Row("item", iid, title, name, [launched, done, float(seconds) / HOUR, deadline])
        for iid, title, name, launched, done, seconds, deadline in rows
    ]


def stage_visits(f: Filters, key: str) -> list[Row]:
    """Visits of the stage ``key`` that ended in the period: when, how, hours spent."""
    stage = aliased(Stage)
    columns = (
        ProcessInstance.id,
        ProcessInstance.title,
        stage.name,
        Event.kind,
        Event.at,
        Event.seconds_in_stage,
    )
    conditions = (stage.key == key, Event.kind.in_(LEAVES), Event.seconds_in_stage.is_not(None))
    rows = db.session.execute(
        stage_exits(f, stage, columns, *conditions)
        .order_by(Event.seconds_in_stage.desc())
        .limit(LIMIT)
    )
    return [
        Row("item", iid, title, name, [kind, at, seconds / HOUR])
        for iid, title, name, kind, at, seconds in rows
    ]


def decisions(f: Filters, key: str) -> list[Row]:
    """Items approved or rejected at the approval stage ``key`` in the period, with how many
    times each was sent back and approved."""
    stage = aliased(Stage)
    columns = (
        ProcessInstance.id,
        ProcessInstance.title,
        func.max(stage.name),
        func.sum(case((Event.kind == EventKind.REJECTED, 1), else_=0)),
        func.sum(case((Event.kind == EventKind.APPROVED, 1), else_=0)),
    )
    rows = db.session.execute(
        stage_exits(f, stage, columns, stage.key == key, Event.kind.in_(DECISIONS))
        .group_by(ProcessInstance.id, ProcessInstance.title)
        .order_by(ProcessInstance.id)
        .limit(LIMIT)
    )
    return [
        Row("item", iid, title, name, [rejected, approved])
        for iid, title, name, rejected, approved in rows
    ]


def open_work(person_id: int, viewer: User, now: datetime, today: date) -> list[Row]:
    """A person's open items and tasks, soonest due first: due, overdue. Only those
    ``viewer`` may open are listed (the figures count all of them)."""
    items = db.session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.title,
            ProcessTemplate.name,
            ProcessInstance.stage_due_at,
        )
        .join(ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id)
        .where(
            ProcessInstance.state == InstanceState.ACTIVE,
            ProcessInstance.assignee_id == person_id,
            visible_templates_filter(viewer),
        )
        .limit(LIMIT)
    )
    tasks = db.session.execute(
        select(Task.id, Task.title, Project.name, Task.due_date)
        .join(Project, Task.project_id == Project.id)
        .where(*open_tasks(), Task.assignee_id == person_id, visible_projects_filter(viewer))
        .limit(LIMIT)
    )
    rows = [Row("item", i, t, g, [due, due is not None and due < now]) for i, t, g, due in items]
    rows += [Row("task", i, t, g, [due, due is not None and due < today]) for i, t, g, due in tasks]
    return sorted(rows, key=lambda r: (r.cells[0] is None, str(r.cells[0] or "")))


def slipped_tasks(f: Filters) -> list[Row]:
    """Tasks whose dates the scheduler moved in the period, with how many times."""
    moved = slipped_counts(f.period)
    rows = db.session.execute(
        slipped(f, moved, Task.id, Task.title, Project.name, moved.c.moves, moved.c.last)
        .order_by(moved.c.moves.desc(), Task.id)
        .limit(LIMIT)
    )
    return [Row("task", tid, title, name, [moves, last]) for tid, title, name, moves, last in rows]
