"""Personal calendar feeds: a secret, revocable address per user that calendar apps
subscribe to, with the user's deadlines and publication dates as iCalendar events.

Only the SHA-256 of the secret is stored (``User.calendar_token_hash``): the address is
shown once, when it is made; making a new one or revoking it ends the old one.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import false, or_, select

from mkflow.core.database import db
from mkflow.core.tokens import hash_token
from mkflow.models import InstanceState, ProcessInstance, Project, StageKind, Task, TaskStatus, User

PRODID = "-//mkflow//calendar feed//EN"


def issue(user: User) -> str:
    """A new secret for ``user``'s feed (any earlier one stops working); returns it for
    showing once. The caller commits."""
    token = secrets.token_urlsafe(32)
    user.calendar_token_hash = hash_token(token)
    db.session.flush()
    return token


def revoke(user: User) -> None:
    user.calendar_token_hash = None
    db.session.flush()


def owner_of(token: str) -> User | None:
    """The active user whose feed ``token`` opens, or None."""
    if not token or len(token) > 200:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == hash_token(token)))
    return user if user is not None and user.active else None


@dataclass(frozen=True)
class Entry:
    """One event of a feed: a timed moment (``at``, naive UTC) or a whole ``day``."""

    uid: str
    summary: str
    url: str
    at: datetime | None = None
    day: date | None = None


def entries(user: User, link: Callable[..., str]) -> list[Entry]:
    """Everything open with a date for ``user``, in two queries: stages they hold with a due
    time, publication dates of items they hold or launched, deadlines of items they
    launched, and due dates of open tasks assigned to them. ``link(endpoint, **values)``
    gives an item's absolute address."""
    found = []
    items = db.session.scalars(
        select(ProcessInstance)
        .where(
            ProcessInstance.state == InstanceState.ACTIVE,
            or_(ProcessInstance.assignee_id == user.id, ProcessInstance.launched_by_id == user.id),
        )
        .order_by(ProcessInstance.id)
    )
    for item in items:
        url = link("items.show", instance_id=item.id)
        holds = item.assignee_id == user.id
        # A wait-until-date stage is due on the publication date, which has its own event.
        if holds and item.stage_due_at is not None and item.stage.kind != StageKind.WAIT:
            found.append(
                Entry(
                    f"stage-{item.id}",
                    _("Due: %(title)s (%(stage)s)", title=item.title, stage=item.stage.name),
                    url,
                    at=item.stage_due_at,
                )
            )
        if item.publish_on is not None:
            summary = _("Publication: %(title)s", title=item.title)
            found.append(Entry(f"publish-{item.id}", summary, url, day=item.publish_on))
        if item.deadline is not None and item.launched_by_id == user.id:
            summary = _("Deadline: %(title)s", title=item.title)
            found.append(Entry(f"deadline-{item.id}", summary, url, day=item.deadline))
    tasks = db.session.execute(
        select(Task.id, Task.title, Task.due_date, Project.name)
        .join(Project, Task.project_id == Project.id)
        .where(
            Task.assignee_id == user.id,
            Task.status != TaskStatus.DONE,
            Task.due_date.is_not(None),
            Project.is_template == false(),
            Project.archived_at.is_(None),
        )
        .order_by(Task.due_date, Task.id)
    )
    for task_id, title, due, project in tasks:
        summary = _("%(title)s (%(project)s)", title=title, project=project)
        found.append(
            Entry(f"task-{task_id}", summary, link("projects.task", task_id=task_id), day=due)
        )
    return found


def build(user: User, link: Callable[..., str], now: datetime) -> bytes:
    """``user``'s feed as an iCalendar document, in their language."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    host = _host(link("main.index"))
    with force_locale(locale):
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("mkflow: %(name)s", name=user.name))
        stamp = now.replace(tzinfo=UTC)
        for entry in entries(user, link):
            calendar.add_component(_event(entry, host, stamp))
    return calendar.to_ical()


def _event(entry: Entry, host: str, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    # Stable per item and kind of date: a calendar app updates the event when it moves.
    event.add("uid", f"{entry.uid}@{host}")
    event.add("dtstamp", stamp)
    event.add("summary", entry.summary)
    event.add("url", entry.url)
    if entry.day is not None:
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
    else:
        event.add("dtstart", entry.at.replace(tzinfo=UTC))
    event.add("transp", "TRANSPARENT")
    return event


def _host(url: str) -> str:
    """The host part of an absolute URL, for the events' UIDs."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split(":", 1)[0] or "mkflow"
