"""Login sessions: one row per logged-in browser, so that logging out ends it on the server.

Flask-Login keeps ``User.get_id()`` in the signed session cookie and in the remember-me
cookie; that id carries the session's token ("<user id>.<session version>.<token>"), and
the row keeps only the token's hash. Logging out deletes the row, so a copied session or
remember-me cookie opens nothing any more; the user's other browsers stay logged in. A
password change ends them all (``session_version`` and the rows). No HTTP here.
"""

import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.inputs import MAX_ID, parse_id, parse_int
from mkflow.core.tokens import hash_token
from mkflow.models import LoginSession, User

SESSION_ID = re.compile(r"([0-9]+)\.([0-9]+)\.([A-Za-z0-9_-]{20,100})")


def _lifetime() -> timedelta:
    """No session outlives the remember-me cookie (30 days unless configured)."""
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def start(user: User) -> None:
    """A new session for ``user``; call before ``login_user``, which stores its id."""
    now = clock.now()
    db.session.execute(delete(LoginSession).where(LoginSession.created_at < now - _lifetime()))
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user=user, token_hash=hash_token(token), created_at=now))
    user.session_token = token


def end(user: User) -> None:
    """End the session ``user`` came with (this browser only)."""
    if user.session_token:
        token_hash = hash_token(user.session_token)
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash))
        user.session_token = None


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader, for the session cookie and the remember-me cookie alike."""
    match = SESSION_ID.fullmatch(session_id or "")
    if match is None:
        return None  # also an id from before sessions had tokens: log in again
    user_id, version, token = match.groups()
    user_id, version = parse_id(user_id), parse_int(version, 0, MAX_ID)
    if user_id is None or version is None:
        return None
    user = db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == user_id,
            LoginSession.token_hash == hash_token(token),
            LoginSession.created_at >= clock.now() - _lifetime(),
        )
    )
    if user is None or not user.active or user.session_version != version:
        return None
    user.session_token = token
    return user
