"""Passwords, login checks with a lockout, and account settings. No HTTP here."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.models import LoginFailure, LoginSession, User

# An address may try more accounts than one account may be tried: an office shares one IP.
ADDRESS_FACTOR = 4
MIN_PASSWORD_LENGTH = 8


class LoginRefused(DomainError):
    status = 401


class LoginLocked(LoginRefused):
    status = 429


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lock_minutes: int

    @classmethod
    def from_config(cls) -> "LoginPolicy":
        cfg = current_app.config
        return cls(cfg["MKFLOW_LOGIN_MAX_FAILURES"], cfg["MKFLOW_LOGIN_LOCK_MINUTES"])


def _hash_method() -> str:
    return current_app.config["MKFLOW_PASSWORD_HASH"]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


@cache
def _dummy_hash(method: str) -> str:
    """A hash no password matches, made like real ones, to check when there is no account."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _method_of(password_hash: str) -> str:
    return password_hash.split("$", 1)[0]  # e.g. "scrypt:32768:8:1"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _recent_failures(column, value, since: datetime) -> int:
    query = select(func.count()).select_from(LoginFailure).where(column == value)
    return db.session.scalar(query.where(LoginFailure.at >= since))


def authenticate(email: str, password: str, address: str, policy: LoginPolicy) -> User:
    """The active user with these credentials, or LoginRefused with a message to show."""
    email = normalize_email(email)
    now = clock.now()
    since = now - timedelta(minutes=policy.lock_minutes)
    if (
        _recent_failures(LoginFailure.email, email, since) >= policy.max_failures
        or _recent_failures(LoginFailure.address, address, since)
        >= policy.max_failures * ADDRESS_FACTOR
    ):
        raise LoginLocked(
            _l(
                "Too many failed attempts. Wait %(minutes)d minutes and try again, "
                "or ask an administrator to reset your password.",
                minutes=policy.lock_minutes,
            )
        )
    user = db.session.scalar(select(User).where(User.email == email))
    # One hash check whether the account exists or not, so the time of the answer does not
    # tell which emails have accounts.
    dummy = _dummy_hash(_hash_method())
    stored = user.password_hash if user is not None else dummy
    if not check_password_hash(stored, password or "") or user is None:
        db.session.add(LoginFailure(email=email, address=address, at=now))
        raise LoginRefused(_l("Wrong email or password."))
    if not user.active:
        raise LoginRefused(_l("This account is deactivated. Ask an administrator."))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    if _method_of(stored) != _method_of(dummy):
        # Stored with another method (or other costs): store it as new passwords are, so
        # that checking it costs what checking the dummy does.
        user.password_hash = hash_password(password)
    return user


def validate_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )


def set_password(user: User, password: str) -> None:
    """Store a new password and end every session of this user (the view starts a new one
    for the browser that changed it)."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1
    if user.id is not None:  # a new user has no sessions (and "user_id = None" is IS NULL)
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise DomainError(_l("The current password is not right."))
    validate_new_password(new)
    set_password(user, new)
