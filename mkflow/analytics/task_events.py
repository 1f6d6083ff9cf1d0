"""Task events the figures share."""

from sqlalchemy import func, select

from mkflow.analytics.filters import Period
from mkflow.models import Event, EventKind, TaskStatus


def done_tasks(period: Period):
    """Each task accepted as done in ``period``, at its last acceptance there: a subquery
    of (task_id, at). Its events are read first, by their time and status."""
    return (
        select(Event.task_id.label("task_id"), func.max(Event.at).label("at"))
        .where(
            Event.to_status == TaskStatus.DONE.value,
            Event.at >= period.lo,
            Event.at < period.hi,
        )
        .group_by(Event.task_id)
        .subquery()
    )


def slipped_counts(period: Period):
    """Each task the scheduler moved in ``period``: a subquery of (task_id, moves, last)."""
    return (
        select(
            Event.task_id.label("task_id"),
            func.count().label("moves"),
            func.max(Event.at).label("last"),
        )
        .where(Event.kind == EventKind.RESCHEDULED, Event.at >= period.lo, Event.at < period.hi)
        .group_by(Event.task_id)
        .subquery()
    )
