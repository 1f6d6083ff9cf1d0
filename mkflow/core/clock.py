"""The app's one clock: every business reading of the time goes through here, so that tests
can stop it at a moment of their choosing (``clock.set``), for every thread at once (browser
tests serve the app from a thread of the test process).

Moments are stored as naive UTC; a calendar day depends on whose day it is: the company's
(``MKFLOW_TIMEZONE``: schedules, reminders, dashboards, the demo data) or a person's (their
own time zone setting: the dates they see and type). Timers that measure a duration (the
worker's tick interval, a lease's pause) use ``time.monotonic``, which is not business time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

# A plain module variable, not a thread-local: a stopped clock holds in every thread.
_stopped_at: datetime | None = None


def _as_utc(moment: datetime) -> datetime:
    """Naive UTC from an aware moment (a naive one is UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def now() -> datetime:
    """The current moment as the models store it: naive UTC."""
    if _stopped_at is not None:
        return _stopped_at
    return datetime.now(UTC).replace(tzinfo=None)


def set(moment: datetime | None) -> None:  # read as clock.set(...)
    """Stop the clock at ``moment`` (aware, or naive UTC) for every thread; None lets it run
    with the system's time again. For tests and for replaying a day."""
    global _stopped_at
    _stopped_at = None if moment is None else _as_utc(moment)


@contextmanager
def stopped_at(moment: datetime) -> Iterator[datetime]:
    """The clock stopped at ``moment`` inside the block, then as it was before."""
    before = _stopped_at
    set(moment)
    try:
        yield now()
    finally:
        set(before)


def company_zone() -> ZoneInfo:
    """The company's time zone (MKFLOW_TIMEZONE): schedules, reminders and dashboard days."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def zone_of(user) -> ZoneInfo:
    """A person's time zone: their own setting, else the company's."""
    return ZoneInfo(user.timezone) if user.timezone else company_zone()


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored (naive UTC) moment as an aware time in ``zone``."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def company_moment(day: date, hours: float) -> datetime:
    """``hours`` after the start of ``day`` in the company's zone, as the models store it."""
    start = datetime.combine(day, time(), tzinfo=company_zone())
    return _as_utc(start + timedelta(hours=hours))


def company_today(at: datetime | None = None) -> date:
    """The company's calendar day now (or at ``at``, naive UTC)."""
    return local(at or now(), company_zone()).date()


def today_in(zone: ZoneInfo) -> date:
    """The calendar day now where ``zone`` is."""
    return local(now(), zone).date()
