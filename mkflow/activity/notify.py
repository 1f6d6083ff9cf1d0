"""Notifications: written by the domain, read on My work and the bell, and mailed.

Each notification queues its mail in the outbox in the same transaction; the worker decides
from the person's preferences whether it goes out now, in the daily digest or not at all.
"""

from datetime import datetime

from sqlalchemy import select, update

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Notification, OutboxMessage, ProcessInstance, Task, User


def notify(
    user: User | None,
    kind: str,
    *,
    actor: User | None,
    instance: ProcessInstance | None = None,
    task: Task | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> None:
    """Tell ``user`` what happened, unless they did it themselves."""
    if user is None or not user.active or (actor is not None and user.id == actor.id):
        return
    at = at or clock.now()
    note = Notification(
        user_id=user.id,
        kind=kind,
        actor=actor,
        instance=instance,
        task=task,  # the object, not its id: a new task gets its id at the flush
        comment=comment,
        at=at,
    )
    db.session.add(note)
    db.session.add(OutboxMessage(user_id=user.id, notification=note, kind=kind, next_attempt_at=at))


def recent(user: User, limit: int = 50) -> list[Notification]:
    """The latest first, by when they happened (seeded or imported ones were not written in
    that order)."""
    query = select(Notification).where(Notification.user_id == user.id)
    order = (Notification.at.desc(), Notification.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def mark_read_about(
    user: User,
    *,
    instance: ProcessInstance | None = None,
    task: Task | None = None,
    kinds: tuple[str, ...] = (),
    at: datetime | None = None,
) -> None:
    """``user`` opened the item or the task: what told them about it is read (with
    ``kinds``, only notices of those kinds)."""
    about = (
        Notification.instance_id == instance.id
        if instance is not None
        else Notification.task_id == task.id
    )
    if kinds:
        about = about & Notification.kind.in_(kinds)
    _mark_read(user, about, at=at)


def mark_all_read(user: User) -> None:
    _mark_read(user)


def _mark_read(user: User, *conditions, at: datetime | None = None) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), *conditions)
        .values(read_at=at or clock.now())
    )
