"""Mail that must not be lost: the outbox written with the change that caused it, and what
each person wants to receive by mail."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.labels import LabelledEnum
from mkflow.models.columns import stored_enum


class MailStatus(LabelledEnum):
    # waiting for a worker (again, after a failed try)
    PENDING = "pending", _l("Waiting to be sent")
    SENT = "sent", _l("Sent")
    # no SMTP server is configured: written to the log instead
    LOGGED = "logged", _l("Written to the log")
    # its person does not want this kind by mail, or has no address
    SKIPPED = "skipped", _l("Not wanted by mail")
    # its notification waits for the person's daily digest
    DIGEST = "digest", _l("Held for the daily digest")
    # gave up after the configured number of tries
    FAILED = "failed", _l("Failed")


class Channel(LabelledEnum):
    OFF = "off", _l("No mail")
    IMMEDIATE = "immediate", _l("Right away")
    DIGEST = "digest", _l("In the daily digest")


class OutboxMessage(db.Model):
    """One mail to one person. A notification's row is written with the change that caused
    it and written out (language, preferences) by the worker, which keeps the change itself
    cheap. A worker claims a batch by setting ``locked_until`` and renews the claim on each
    mail just before sending it; a worker that dies leaves its claim to expire, and the mail
    is sent by the next one."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE")
    )
    # Empty until written out; a digest is written out when it is queued.
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(30))  # a notification kind, "digest", ...
    status: Mapped[MailStatus] = mapped_column(
        stored_enum(MailStatus, 10), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())
    sent_at: Mapped[datetime | None]

    notification = relationship("Notification")
    user = relationship("User", lazy="joined")  # the outbox page names whom a mail is for


class MailPreference(db.Model):
    """How a person hears of one kind of notification by mail; no row means the default."""

    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[Channel] = mapped_column(stored_enum(Channel, 10), default=Channel.IMMEDIATE)
