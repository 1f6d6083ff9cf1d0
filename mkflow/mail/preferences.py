"""What each person wants by mail: a channel per kind of notification, the time of the
daily digest, and (for department heads) the hand-offs in their department."""

from datetime import time

from sqlalchemy import delete, select

from mkflow.activity.notice_kinds import KINDS, kind_of
from mkflow.core.database import db
from mkflow.models import Channel, Department, MailPreference, User


def channels_of(user: User) -> dict[str, Channel]:
    """Every kind with the person's channel (their choice, else the kind's default)."""
    chosen = dict(
        db.session.execute(
            select(MailPreference.kind, MailPreference.channel).where(
                MailPreference.user_id == user.id
            )
        ).all()
    )
    return {key: Channel(chosen.get(key, kind.default)) for key, kind in KINDS.items()}


def channel_of(user: User, kind: str) -> Channel:
    """How ``user`` hears of one kind: their choice, else the kind's default."""
    chosen = db.session.scalar(
        select(MailPreference.channel).where(
            MailPreference.user_id == user.id, MailPreference.kind == kind
        )
    )
    return Channel(chosen) if chosen else kind_of(kind).default


def heads_a_department(user: User) -> bool:
    return (
        db.session.scalar(select(Department.id).where(Department.head_id == user.id).limit(1))
        is not None
    )


def save(user: User, channels: dict[str, Channel], digest_time: time, hears_handoffs: bool) -> None:
    """Store the choices that differ from the defaults (so new defaults reach everyone
    who never chose)."""
    db.session.execute(delete(MailPreference).where(MailPreference.user_id == user.id))
    for key, channel in channels.items():
        if key in KINDS and channel != KINDS[key].default:
            db.session.add(MailPreference(user_id=user.id, kind=key, channel=channel))
    user.digest_time = digest_time.replace(second=0, microsecond=0)
    user.hears_department_handoffs = hears_handoffs and heads_a_department(user)
