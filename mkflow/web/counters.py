"""The counters in the navigation: items and tasks waiting for the person, and unread
notifications, asked in one round trip once per response."""

from functools import cache
from types import SimpleNamespace

from flask import g
from sqlalchemy import Integer, bindparam, func, select

from mkflow.core.database import db
from mkflow.models import InstanceState, Notification, ProcessInstance, User
from mkflow.projects.listing import waiting_tasks_count


def nav_counts(user) -> tuple[int, int]:
    """Waiting items and unread notifications, asked once per response."""
    if "nav_counts" not in g:
        g.nav_counts = _counts(user)
    return g.nav_counts


def _counts(user: User) -> tuple[int, int]:
    """(items and tasks waiting for ``user``, unread notifications) in one round-trip:
    every page shows both."""
    items, tasks, unread = db.session.execute(_nav_counts_query(), {"user_id": user.id}).one()
    return items + tasks, unread


@cache
def _nav_counts_query():
    """Built once, with the user's id as its parameter: every page asks it, and building it
    cost more than running it."""
    user = SimpleNamespace(id=bindparam("user_id", type_=Integer))  # what the counts read
    waiting = (
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.assignee_id == user.id, ProcessInstance.state == InstanceState.ACTIVE
        )
        .scalar_subquery()
    )
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return select(waiting, waiting_tasks_count(user), unread)
