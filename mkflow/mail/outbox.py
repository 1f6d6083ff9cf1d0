"""The outbox: claimed in batches by workers, each mail sent once, retried with backoff.

A worker claims due mails by writing its name and a lease into them (on Postgres with
``FOR UPDATE SKIP LOCKED``, so two workers never claim the same mail; SQLite runs one
write at a time). Each mail is then settled and committed on its own: a worker killed
mid-batch leaves the rest claimed until the lease runs out, and another worker sends them.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from mkflow import clock
from mkflow.extensions import db, on_postgres
from mkflow.mail import compose, preferences
from mkflow.mail.transport import SEND_ERRORS
from mkflow.models import Channel, MailStatus, OutboxMessage

log = logging.getLogger("mkflow.mail")
BATCH = 20
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class Delivery:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def claim(worker: str, now: datetime, limit: int = BATCH) -> list[int]:
    """Lease up to ``limit`` due mails to ``worker``; their ids, oldest first."""
    lease = timedelta(seconds=current_app.config["MKFLOW_MAIL_LEASE_SECONDS"])
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MailStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if on_postgres():
        due = due.with_for_update(skip_locked=True)
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(locked_by=worker, locked_until=now + lease)
        .returning(OutboxMessage.id)
    ).all()
    db.session.commit()
    return sorted(claimed)


def deliver(worker: str, transport, now: datetime | None = None, limit: int = BATCH) -> Delivery:
    """Claim one batch and settle each of its mails: written out, sent, held for the
    digest, skipped, or left for a later try."""
    now = now or clock.now()
    done = Delivery()
    try:
        for message_id in claim(worker, now, limit):
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.locked_by != worker:
                continue  # deleted, or its lease ran out and another worker took it
            try:
                _settle(message, transport, now)
            except Exception as error:  # a mail that cannot be written out must not block the rest
                log.exception("Mail %s cannot be sent", message_id)
                db.session.rollback()
                message = db.session.get(OutboxMessage, message_id)
                message.status = MailStatus.FAILED
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.locked_by = message.locked_until = None
            db.session.commit()
            done.add(message.status)
    finally:
        transport.close()
    return done


def _settle(message: OutboxMessage, transport, now: datetime) -> None:
    note = message.notification
    if note is not None and not message.subject:
        user = message.user
        if user is None or not user.active or not user.email:
            message.status = MailStatus.SKIPPED
            return
        channel = preferences.channel_of(user, message.kind)
        if channel == Channel.OFF:
            message.status = MailStatus.SKIPPED
            return
        if channel == Channel.DIGEST:
            note.in_digest = True
            message.status = MailStatus.DIGEST
            return
        with compose.as_recipient(user):
            compose.write_notification(message, note, user)
    _send(message, transport, now)


def _send(message: OutboxMessage, transport, now: datetime) -> None:
    message.attempts += 1
    try:
        transport.send(compose.email_of(message))
    except SEND_ERRORS as error:
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= current_app.config["MKFLOW_MAIL_MAX_ATTEMPTS"]:
            message.status = MailStatus.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        return
    message.status = transport.delivered
    message.sent_at = now
    message.last_error = ""


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: the configured delay, doubling, at most an hour."""
    first = current_app.config["MKFLOW_MAIL_RETRY_SECONDS"]
    return min(timedelta(seconds=first * 2 ** (attempts - 1)), MAX_BACKOFF)


def retry(message: OutboxMessage) -> None:
    """An administrator sends a failed mail again: a fresh round of tries."""
    message.status = MailStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = clock.now()
    message.locked_by = message.locked_until = None


def counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return dict(rows)


def prune(now: datetime) -> int:
    """Forget mail settled more than MKFLOW_MAIL_KEEP_DAYS ago (sent, logged, skipped or
    held for a digest); failed and waiting mail stays until it is dealt with."""
    keep = timedelta(days=current_app.config["MKFLOW_MAIL_KEEP_DAYS"])
    settled = (MailStatus.SENT, MailStatus.LOGGED, MailStatus.SKIPPED, MailStatus.DIGEST)
    return db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(settled), OutboxMessage.created_at < now - keep
        )
    ).rowcount
