"""What every page asks of the database, in one round trip once per response: the counters
in the navigation (items and tasks waiting for the person, unread notifications) and the
processes' colours, whose digest is the address of the colours' stylesheet."""

from functools import cache
from types import SimpleNamespace

from flask import g
from sqlalchemy import Integer, String, bindparam, cast, func, select

from mkflow.core.database import db
from mkflow.models import InstanceState, Notification, ProcessInstance, ProcessTemplate, User
from mkflow.projects.listing import waiting_tasks_count


def nav_counts(user) -> tuple[int, int]:
    """Waiting items and unread notifications, asked once per response."""
    return _page_facts(user)[:2]


def colors_listing(user) -> str:
    """Every process's "id:colour", comma-separated (see COLORS_LISTING), asked once per
    response with the counters: every page links the stylesheet by its digest, so each
    gunicorn worker and host knows the current one without a statement of its own."""
    return _page_facts(user)[2]


def _page_facts(user: User) -> tuple[int, int, str]:
    if "page_facts" not in g:
        items, tasks, unread, colors = db.session.execute(
            _nav_counts_query(), {"user_id": user.id}
        ).one()
        g.page_facts = (items + tasks, unread, colors or "")
    return g.page_facts


# "3:#2454c5,4:#c52424": the processes' colours in one value, in no set order (the digest
# sorts them). A handful of rows, read with the counters every page asks anyway.
COLORS_LISTING = select(
    func.aggregate_strings(cast(ProcessTemplate.id, String) + ":" + ProcessTemplate.color, ",")
)


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
    return select(waiting, waiting_tasks_count(user), unread, COLORS_LISTING.scalar_subquery())
