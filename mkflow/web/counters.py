"""What every page asks of the database, in one round trip once per response: the counters
in the navigation (items and tasks waiting for the person, unread notifications) and the
processes' colours, whose digest is the address of the colours' stylesheet."""

from functools import cache
from types import SimpleNamespace

from flask import g
from sqlalchemy import Integer, String, bindparam, cast, func, literal, select

from mkflow.core.database import db
from mkflow.models import InstanceState, Notification, ProcessInstance, ProcessTemplate, User
from mkflow.projects.listing import waiting_tasks


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


# A counter stops counting here and shows "99+": what it costs stays the same when a
# person holds thousands of items (a count reads every one of them on every page).
SHOWN_UP_TO = 99


def shown_count(count: int) -> str:
    return str(count) if count <= SHOWN_UP_TO else f"{SHOWN_UP_TO}+"


def _capped(condition_query):
    """count(*) of ``condition_query``'s rows, up to one past what a counter shows."""
    return select(func.count()).select_from(condition_query.limit(SHOWN_UP_TO + 1).subquery())


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
    waiting = _capped(
        select(literal(1)).where(
            ProcessInstance.assignee_id == user.id, ProcessInstance.state == InstanceState.ACTIVE
        )
    ).scalar_subquery()
    tasks = _capped(waiting_tasks(user)).scalar_subquery()
    unread = _capped(
        select(literal(1)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_subquery()
    return select(waiting, tasks, unread, COLORS_LISTING.scalar_subquery())
