"""Share links: a read-only view of one board (or chart) for people without an account.

A link is a random token; only its SHA-256 hash is stored, so the raw URL exists once, in
the answer to its creation. A link names what it shows (``kind``) and the project or process
template it belongs to; it works until the end of its expiry day or until it is revoked,
whatever changes in the project meanwhile. Project managers, the head of the project's
department and administrators share projects; a template's managers share its board.

Adding a kind: an entry in ``KINDS`` here, and its view in ``blueprints.share.views.SHARED_VIEWS``.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.core.tokens import hash_token
from mkflow.models import (
    Department,
    ProcessInstance,
    ProcessTemplate,
    Project,
    ShareLink,
    Task,
    User,
)
from mkflow.people import project_access
from mkflow.people.process_access import can_manage_template, sees_everything

MAX_DAYS = 366  # a link lives at most about a year
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


@dataclass(frozen=True)
class Kind:
    target: str  # "project", "template" or "department": what the link belongs to
    label: object  # a lazy translation


KINDS: dict[str, Kind] = {
    "project_board": Kind("project", _l("Project board")),
    "process_board": Kind("template", _l("Process board")),
    "gantt": Kind("project", _l("Gantt chart")),
    "process_dashboard": Kind("template", _l("Process dashboard")),
    "department_dashboard": Kind("department", _l("Department dashboard")),
}

Target = Project | ProcessTemplate | Department
TARGET_NAMES = {Project: "project", ProcessTemplate: "template", Department: "department"}


def _target_name(target: Target) -> str:
    return TARGET_NAMES[type(target)]


def target_of(link: ShareLink) -> Target | None:
    return link.project or link.template or link.department


def kinds_for(target: Target) -> list[str]:
    name = _target_name(target)
    return [key for key, kind in KINDS.items() if kind.target == name]


def can_share(user: User, target: Target) -> bool:
    """Project managers, heads of its department and administrators; a template's managers;
    a department's head, the company's management and administrators."""
    if isinstance(target, Project):
        return not target.is_template and project_access.is_manager(user, target)
    if isinstance(target, Department):
        return target.head_id == user.id or sees_everything(user)
    return can_manage_template(user, target)


def _require_share(user: User, target: Target) -> None:
    if not can_share(user, target):
        raise PermissionDenied(_l("Only the manager can share this."))


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last moment of ``day`` where ``zone`` is, as a naive UTC time."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return end.astimezone(UTC).replace(tzinfo=None) - timedelta(seconds=1)


def create(
    user: User, target: Target, kind: str, expires_on: date, *, today: date, zone: tzinfo
) -> tuple[ShareLink, str]:
    """A new link and its raw token, which is never stored and cannot be shown again."""
    _require_share(user, target)
    if kind not in kinds_for(target):
        raise DomainError(_l("This view cannot be shared."))
    if expires_on is None or expires_on < today:
        raise DomainError(_l("The link must work at least until the end of today."))
    if expires_on > today + timedelta(days=MAX_DAYS):
        raise DomainError(_l("A link can work at most %(days)d days.", days=MAX_DAYS))
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        token_hash=hash_token(token),
        kind=kind,
        project=target if isinstance(target, Project) else None,
        template=target if isinstance(target, ProcessTemplate) else None,
        department=target if isinstance(target, Department) else None,
        created_by=user,
        expires_at=end_of_day(expires_on, zone),
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def is_valid(link: ShareLink, now: datetime) -> bool:
    return link.revoked_at is None and now <= link.expires_at and link.kind in KINDS


def find_valid(token: str, now: datetime) -> ShareLink | None:
    """The link of ``token`` if it still works, else None (unknown, expired or revoked)."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    return link if link is not None and is_valid(link, now) else None


def touch(link: ShareLink, now: datetime) -> None:
    """Note the use, once a minute at most: a polling iframe must not write every time."""
    if link.last_used_at is None or now - link.last_used_at >= TOUCH_EVERY:
        db.session.execute(
            update(ShareLink).where(ShareLink.id == link.id).values(last_used_at=now)
        )


def revoke(user: User, link: ShareLink, now: datetime) -> None:
    _require_share(user, target_of(link))
    if link.revoked_at is None:
        link.revoked_at = now


def list_for(target: Target) -> list[ShareLink]:
    """Every link of a project or template, newest first, revoked and expired ones too."""
    column = {
        "project": ShareLink.project_id,
        "template": ShareLink.template_id,
        "department": ShareLink.department_id,
    }[_target_name(target)]
    query = select(ShareLink).where(column == target.id).order_by(ShareLink.id.desc())
    return list(db.session.scalars(query))


# Change stamps: an embedded board asks every few seconds whether anything changed. One
# aggregate query answers; every change of a task or an item bumps its lock_version.


def _stamp(*parts) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:16]


def project_stamp(project: Project, today: date) -> str:
    """Changes with any task of the project, and with the day (tasks become overdue)."""
    row = db.session.execute(
        select(func.count(), func.sum(Task.lock_version), func.max(Task.id)).where(
            Task.project_id == project.id
        )
    ).one()
    return _stamp(project.id, *row, today)


def template_stamp(template: ProcessTemplate, now: datetime) -> str:
    """Changes with any item of the process, a newly published version, and the hour."""
    row = db.session.execute(
        select(
            func.count(), func.sum(ProcessInstance.lock_version), func.max(ProcessInstance.id)
        ).where(ProcessInstance.template_id == template.id)
    ).one()
    hour = now.replace(minute=0, second=0, microsecond=0)
    return _stamp(template.id, template.current_version_id, *row, hour)
