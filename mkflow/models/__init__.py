"""Database models; import from here so Alembic sees every table."""

from mkflow.models.people import Department, Group, Role, User, group_members
from mkflow.models.security import LoginFailure

__all__ = ["Department", "Group", "LoginFailure", "Role", "User", "group_members"]
