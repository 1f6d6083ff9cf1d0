"""The daily digest: the notifications a person chose to get once a day, sent at the local
time they picked; a department head's digest also lists what is overdue in the department
and links to its boards and Gantt charts."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import exists, or_, select, update

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.formatting import formatter
from mkflow.mail import compose
from mkflow.models import (
    Department,
    InstanceState,
    Notification,
    OutboxMessage,
    ProcessInstance,
    ProcessTemplate,
    Project,
    Task,
    User,
)
from mkflow.projects.status import OPEN

OVERDUE_LISTED = 30


@dataclass
class HeadReport:
    overdue: list[tuple[str, str, str]] = field(default_factory=list)  # title, due, url
    links: list[tuple[str, str]] = field(default_factory=list)  # name, url


def queue_due(now: datetime) -> int:
    """Queue the digest of everyone whose digest time has come today and who has something
    in it; returns how many were queued. Safe to run twice at once: a person's day is
    claimed with one conditional update before anything is written."""
    waiting = exists().where(Notification.user_id == User.id, Notification.in_digest.is_(True))
    heads = exists().where(Department.head_id == User.id)
    candidates = db.session.scalars(
        select(User).where(User.active.is_(True), or_(waiting, heads))
    ).all()
    queued = 0
    for user in candidates:
        local = clock.local(now, clock.zone_of(user))
        if local.time() < user.digest_time or user.digest_sent_on == local.date():
            continue
        if _queue(user, local.date(), now):
            queued += 1
        db.session.commit()
    return queued


def _queue(user: User, day, now: datetime) -> bool:
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.digest_sent_on.is_(None), User.digest_sent_on < day))
        .values(digest_sent_on=day)
    ).rowcount
    if not claimed:
        return False
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.in_digest.is_(True))
        .order_by(Notification.at)
    ).all()
    with compose.as_recipient(user):
        report = head_report(user, day, now)
        if not notes and not (report and report.overdue):
            return False
        message = OutboxMessage(user_id=user.id, kind="digest", next_attempt_at=now)
        compose.write_digest(message, user, notes, report)
    db.session.add(message)
    for note in notes:
        note.in_digest = False
    return True


def head_report(user: User, day, now: datetime) -> HeadReport | None:
    """For the head of departments: overdue items and tasks there, and where to look."""
    departments = db.session.scalars(select(Department).where(Department.head_id == user.id)).all()
    if not departments:
        return None
    ids = [d.id for d in departments]
    report = HeadReport()
    when = formatter().when
    items = db.session.execute(
        select(ProcessInstance.id, ProcessInstance.title, ProcessInstance.stage_due_at)
        .join(ProcessTemplate, ProcessInstance.template_id == ProcessTemplate.id)
        .where(
            ProcessTemplate.department_id.in_(ids),
            ProcessInstance.state == InstanceState.ACTIVE,
            ProcessInstance.stage_due_at < now,
        )
        .order_by(ProcessInstance.stage_due_at)
        .limit(OVERDUE_LISTED)
    ).all()
    for item_id, title, due in items:
        url = url_for("items.show", instance_id=item_id, _external=True)
        report.overdue.append((title, when(due), url))
    tasks = db.session.execute(
        select(Task.id, Task.title, Task.due_date)
        .join(Project, Task.project_id == Project.id)
        .where(
            Project.department_id.in_(ids),
            Project.archived_at.is_(None),
            Project.is_template.is_(False),
            Task.status.in_(OPEN),
            Task.due_date < day,
        )
        .order_by(Task.due_date)
        .limit(OVERDUE_LISTED)
    ).all()
    day = formatter().date
    for task_id, title, due in tasks:
        url = url_for("projects.task", task_id=task_id, _external=True)
        report.overdue.append((title, day(due), url))
    templates = db.session.execute(
        select(ProcessTemplate.id, ProcessTemplate.name).where(
            ProcessTemplate.department_id.in_(ids), ProcessTemplate.archived.is_(False)
        )
    ).all()
    for template_id, name in templates:
        report.links.append(
            (name, url_for("processes.board", template_id=template_id, _external=True))
        )
    projects = db.session.execute(
        select(Project.id, Project.name).where(
            Project.department_id.in_(ids),
            Project.archived_at.is_(None),
            Project.is_template.is_(False),
        )
    ).all()
    for project_id, name in projects:
        report.links.append((name, url_for("charts.gantt", project_id=project_id, _external=True)))
    return report
