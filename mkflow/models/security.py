"""Records that protect accounts."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core.database import db
from mkflow.models.people import User


class LoginFailure(db.Model):
    """One failed login; recent rows per account and per address drive the lockout."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


class LoginSession(db.Model):
    """One logged-in browser (see ``mkflow.people.sessions``); deleting it logs that browser out."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    created_at: Mapped[datetime] = mapped_column(index=True)

    user: Mapped[User] = relationship()
