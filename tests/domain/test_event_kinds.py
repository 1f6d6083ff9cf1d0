"""The events the engine and the task operations write are EventKind members, stored as the
plain text they always were."""

from sqlalchemy import String, select, type_coerce

from mkflow.core.database import db
from mkflow.models import Event, EventKind, TaskStatus


def _stored(column) -> set[str]:
    return set(db.session.scalars(select(type_coerce(column, String)).distinct()))


def test_item_and_task_events_are_event_kinds(demo_items, demo_projects):
    kinds = _stored(Event.__table__.c.kind)
    assert kinds <= {kind.value for kind in EventKind}
    # Both halves are there: items launched and moved on, tasks created and moved.
    assert {"launched", "completed", "created"} <= kinds
    assert all(isinstance(e.kind, EventKind) for e in db.session.scalars(select(Event)))
    statuses = _stored(Event.__table__.c.to_status) - {None}
    assert statuses <= {status.value for status in TaskStatus}
