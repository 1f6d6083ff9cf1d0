"""The outbox: claimed in batches by workers, each mail sent once, retried with backoff.

A worker claims due mails by writing its name and a lease into them (on Postgres with
``FOR UPDATE SKIP LOCKED``, so two workers never claim the same mail; SQLite runs one
write at a time). Just before sending a mail it renews its claim on that one mail, and
sends only if the claim still held: a batch that takes longer than the lease loses its
later mails to another worker instead of sending them twice. Each mail is settled and
committed on its own, with no transaction open while the SMTP server answers; a worker
killed mid-batch leaves the rest claimed until the lease runs out, and another worker
sends them. The one duplicate left — a worker dying after the server accepted a mail
and before the result was committed — goes out with the same Message-ID.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from mkflow.core import clock
from mkflow.core.database import db, on_postgres
from mkflow.mail import compose, preferences
from mkflow.mail.transport import SEND_ERRORS
from mkflow.models import Channel, MailStatus, OutboxMessage

log = logging.getLogger("mkflow.mail")
BATCH = 20
MAX_BACKOFF = timedelta(hours=1)
# A send waits for the server at most this many times (connect, greeting, EHLO, STARTTLS,
# EHLO, AUTH, MAIL, RCPT, DATA, the data): the lease must outlast them all.
SMTP_WAITS = 15


@dataclass
class Delivery:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def lease() -> timedelta:
    return timedelta(seconds=current_app.config["MKFLOW_MAIL_LEASE_SECONDS"])


class LeaseTooShort(Exception):
    """The configured lease could run out while a mail is being sent."""


def check_lease(config) -> None:
    """Refuse a lease too short for one send to finish inside it."""
    if not config.get("MKFLOW_SMTP_HOST"):
        return
    least = SMTP_WAITS * config["MKFLOW_SMTP_TIMEOUT"]
    if config["MKFLOW_MAIL_LEASE_SECONDS"] >= least:
        return
    raise LeaseTooShort(
        f"MKFLOW_MAIL_LEASE_SECONDS ({config['MKFLOW_MAIL_LEASE_SECONDS']:g}) must be at least "
        f"{SMTP_WAITS} × MKFLOW_SMTP_TIMEOUT ({config['MKFLOW_SMTP_TIMEOUT']:g}) = {least:g} "
        "seconds, so that a mail being sent never outlives its worker's claim on it."
    )


def claim(worker: str, now: datetime, limit: int = BATCH) -> list[int]:
    """Lease up to ``limit`` due mails to ``worker``; their ids, oldest first."""
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
        .values(locked_by=worker, locked_until=now + lease())
        .returning(OutboxMessage.id)
    ).all()
    db.session.commit()
    return sorted(claimed)


def renew(worker: str, message_id: int, now: datetime) -> bool:
    """Extend ``worker``'s claim on one mail by a whole lease, if the claim still holds (not
    expired, not taken by another worker, the mail still waiting); not committed."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.locked_by == worker,
            OutboxMessage.locked_until >= now,
            OutboxMessage.status == MailStatus.PENDING,
        )
        .values(locked_until=now + lease())
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1


def deliver(
    worker: str,
    transport,
    limit: int = BATCH,
    stopping: Callable[[], bool] = lambda: False,
) -> Delivery:
    """Claim one batch and settle each of its mails: written out, sent, held for the
    digest, skipped, or left for a later try. The clock is read again for each mail; once
    ``stopping()`` says so, the rest of the batch is given back for another worker."""
    done = Delivery()
    try:
        for message_id in claim(worker, clock.now(), limit):
            if stopping():
                release(worker)
                break
            status = _deliver_one(worker, message_id, transport, clock.now())
            if status is not None:
                done.add(status)
    finally:
        transport.close()
    return done


def release(worker: str) -> None:
    """Give back the worker's claims on mail it has not sent (a worker that stops)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.locked_by == worker, OutboxMessage.status == MailStatus.PENDING)
        .values(locked_by=None, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _deliver_one(worker: str, message_id: int, transport, now: datetime) -> str | None:
    if not renew(worker, message_id, now):
        db.session.rollback()
        return None  # deleted, or its lease ran out and another worker took it
    message = db.session.get(OutboxMessage, message_id)
    try:
        mail = _write_out(message)
    except Exception as error:  # a mail that cannot be written out must not block the rest
        db.session.rollback()
        return _give_up(message_id, error, counted=False)
    if mail is not None:
        message.attempts += 1
        db.session.commit()  # the renewed claim is seen by every worker before the send
        started = time.monotonic()
        try:
            transport.send(mail)  # no transaction is open while the server answers
            error = None
        except SEND_ERRORS as refused:  # down, refusing, the line dropped: try again later
            error = refused
        except Exception as error:  # a mail the server can never take
            return _give_up(message_id, error, counted=True)
        if time.monotonic() - started > lease().total_seconds():
            log.error("Mail %s took longer to send than the lease: raise the lease", message_id)
        message = db.session.get(OutboxMessage, message_id)
        _record(message, error, transport, now)
    message.locked_by = message.locked_until = None
    db.session.commit()
    return message.status


def _give_up(message_id: int, error: Exception, counted: bool) -> str:
    """Mark a mail failed for good (an administrator may retry it); ``counted``: this try
    is already in its attempts."""
    log.exception("Mail %s cannot be sent", message_id)
    message = db.session.get(OutboxMessage, message_id)
    message.status = MailStatus.FAILED
    message.attempts += 0 if counted else 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.locked_by = message.locked_until = None
    db.session.commit()
    return message.status


def _write_out(message: OutboxMessage):
    """The mail to send, written out in its person's language; None when it is not to be
    sent now (skipped, or held for the digest)."""
    note = message.notification
    if note is not None and not message.subject:
        user = message.user
        if user is None or not user.active or not user.email:
            message.status = MailStatus.SKIPPED
            return None
        channel = preferences.channel_of(user, message.kind)
        if channel == Channel.OFF:
            message.status = MailStatus.SKIPPED
            return None
        if channel == Channel.DIGEST:
            note.in_digest = True
            message.status = MailStatus.DIGEST
            return None
        with compose.as_recipient(user):
            compose.write_notification(message, note, user)
    return compose.email_of(message)


def _record(message: OutboxMessage, error: Exception | None, transport, now: datetime) -> None:
    if error is None:
        message.status = transport.delivered
        message.sent_at = now
        message.last_error = ""
        return
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= current_app.config["MKFLOW_MAIL_MAX_ATTEMPTS"]:
        message.status = MailStatus.FAILED
    else:
        message.next_attempt_at = now + backoff(message.attempts)


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


# What the administrator's list shows unless a status is asked for: mail that went out or
# waits or failed (skipped and digest-held mails are many and say little one by one).
LISTED = (MailStatus.PENDING, MailStatus.SENT, MailStatus.LOGGED, MailStatus.FAILED)


def page(status: MailStatus | None, before: int | None, size: int) -> tuple[list, int | None]:
    """The newest ``size`` mails of ``status`` (by default the LISTED ones) older than the
    id ``before``, and the id to ask ``before`` for the next page (None: no more)."""
    query = select(OutboxMessage).where(
        OutboxMessage.status == status if status else OutboxMessage.status.in_(LISTED)
    )
    if before is not None:
        query = query.where(OutboxMessage.id < before)
    rows = list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(size + 1)))
    return rows[:size], rows[size - 1].id if len(rows) > size else None


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
