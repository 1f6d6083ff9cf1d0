"""People and company structure: users, departments, groups."""

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.labels import LabelledEnum
from mkflow.core.text import initials
from mkflow.models.columns import stored_enum


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    HEAD = "head", _l("Department head")
    MEMBER = "member", _l("Member")


class Visibility(LabelledEnum):
    # everyone sees the department's processes
    COMPANY = "company", _l("The whole company")
    # only its members (and administrators, the company head)
    DEPARTMENT = "department", _l("Only this department")


group_members = Table(
    "group_member",
    db.metadata,
    Column("group_id", ForeignKey("group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Department(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", use_alter=True)
    )
    visibility: Mapped[Visibility] = mapped_column(
        stored_enum(Visibility),
        default=Visibility.COMPANY,
        server_default=Visibility.COMPANY.value,
    )
    # Its members (the company's management) see the work of every department.
    oversees_company: Mapped[bool] = mapped_column(default=False, server_default=false())

    # post_update: department and user point at each other; the head is set once both exist
    head: Mapped["User | None"] = relationship(foreign_keys=[head_id], post_update=True)
    members: Mapped[list["User"]] = relationship(
        back_populates="department",
        foreign_keys="User.department_id",
        order_by="User.name",
    )

    def __repr__(self) -> str:
        return f"<Department {self.slug}>"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")  # job title, e.g. "Copywriter"
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        stored_enum(Role),
        default=Role.MEMBER,
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(60))
    # Bumped on password change so that old sessions and remember-me cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Mail: the daily digest's local time and the day it last went out; department heads
    # may also hear of every hand-off in their department.
    digest_time: Mapped[time] = mapped_column(default=time(8, 0), server_default="08:00:00")
    digest_sent_on: Mapped[date | None]
    hears_department_handoffs: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The secret of the personal calendar feed (hashed); None when there is no feed.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())

    department: Mapped[Department | None] = relationship(
        back_populates="members", foreign_keys=[department_id]
    )
    groups: Mapped[list["Group"]] = relationship(
        secondary=group_members, back_populates="members", order_by="Group.name"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def initials(self) -> str:
        return initials(self.name)

    # UserMixin compares by get_id(), which makes all unsaved users equal; rows compare by identity.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    # The token of the login session this object came with (mkflow.people.sessions); not stored.
    session_token = None

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}.{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Group(db.Model):
    """A named set of people that can hold a process stage ("Copywriters")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")

    members: Mapped[list[User]] = relationship(
        secondary=group_members, back_populates="groups", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"
