"""The company's working calendar: its weekend (MKFLOW_WEEKEND) and the days an
administrator marks as holidays or moved working days.

``company_calendar()`` is what every deadline is counted with. It is built once per process
and kept while the table is unchanged: each call asks the database one cheap question (how
many rows, the latest change), so a day added by another worker is seen at its next call.
Functions change the session and flush; the caller commits.
"""

import threading
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from mkflow.core.database import db
from mkflow.core.errors import DomainError, NotFound, PermissionDenied
from mkflow.core.inputs import EARLIEST_DAY, LATEST_DAY, sane_day
from mkflow.core.workdays import Calendar, parse_weekend
from mkflow.models import CalendarDay, DayKind, User

NAME_LIMIT = 120


@dataclass(frozen=True)
class DayEntry:
    day: date
    kind: DayKind
    name: str = ""


_lock = threading.Lock()
_cached: dict[tuple, Calendar] = {}  # one entry: (database, weekend, stamp) -> calendar


def weekend_setting() -> frozenset[int]:
    return parse_weekend(current_app.config.get("MKFLOW_WEEKEND", "sat,sun"))


def _stamp() -> tuple:
    """What changes whenever a row is added, changed or removed."""
    count, latest, top = db.session.execute(
        select(func.count(), func.max(CalendarDay.updated_at), func.max(CalendarDay.id))
    ).one()
    return count, latest, top


def company_calendar() -> Calendar:
    """The company's calendar: its weekend plus its holidays and moved working days."""
    key = (str(db.engine.url), current_app.config.get("MKFLOW_WEEKEND", "sat,sun"), _stamp())
    calendar = _cached.get(key)
    if calendar is None:
        rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
        calendar = Calendar(
            weekend=weekend_setting(),
            holidays=frozenset(day for day, kind in rows if kind == DayKind.OFF),
            working_days=frozenset(day for day, kind in rows if kind == DayKind.WORKING),
        )
        with _lock:
            _cached.clear()
            _cached[key] = calendar
    return calendar


def forget() -> None:
    """Drop the cached calendar: the next call reads the table again. Called after a change
    in this process, where the stopped clock of the tests could leave the stamp as it was."""
    with _lock:
        _cached.clear()


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_l("Only an administrator may change the working calendar."))


def days_of_year(year: int) -> list[CalendarDay]:
    return list(
        db.session.scalars(
            select(CalendarDay)
            .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(CalendarDay.day)
        )
    )


def years() -> list[int]:
    """The years that have marked days, in order."""
    days = db.session.scalars(select(CalendarDay.day)).all()
    return sorted({day.year for day in days})


def _check(entry: DayEntry) -> DayEntry:
    if not sane_day(entry.day):
        raise DomainError(
            _l(
                "Enter a date between %(first)s and %(last)s.",
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            )
        )
    name = " ".join((entry.name or "").split())
    if len(name) > NAME_LIMIT:
        raise DomainError(_l("The name is too long (at most %(n)s characters).", n=NAME_LIMIT))
    return DayEntry(entry.day, DayKind(entry.kind), name)


def add_day(actor: User, entry: DayEntry) -> CalendarDay:
    """Mark a day as a day off or a working day; a day marked already is refused."""
    require_admin(actor)
    entry = _check(entry)
    if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == entry.day)):
        raise DomainError(_l("This day is in the calendar already; remove it first."))
    row = CalendarDay(day=entry.day, kind=entry.kind, name=entry.name)
    db.session.add(row)
    db.session.flush()
    forget()
    return row


def remove_day(actor: User, day: date) -> CalendarDay:
    """Unmark a day: it follows the weekly weekend again. Named by its date, not a row id,
    so a page left open never removes a day marked since in the place of another."""
    require_admin(actor)
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        raise NotFound(_l("This day is not in the calendar."))
    db.session.delete(row)
    db.session.flush()
    forget()
    return row


def load_days(
    entries: list[DayEntry], *, keep_existing: bool = False, replace_years: bool = False
) -> int:
    """Load a shipped calendar (the seed, `flask calendar load`): add the days not marked
    yet and bring marked ones in line (unless ``keep_existing``: the demo seed adds only what
    is missing); with ``replace_years``, days of the same years that the file does not list
    are removed. Returns how many rows changed."""
    entries = [_check(entry) for entry in entries]
    existing = {row.day: row for row in db.session.scalars(select(CalendarDay))}
    changed = 0
    for entry in entries:
        row = existing.get(entry.day)
        if row is None:
            db.session.add(CalendarDay(day=entry.day, kind=entry.kind, name=entry.name))
            changed += 1
        elif not keep_existing and (row.kind, row.name) != (entry.kind, entry.name):
            row.kind, row.name = entry.kind, entry.name
            changed += 1
    if replace_years:
        listed = {entry.day for entry in entries}
        years_listed = {day.year for day in listed}
        stale = [d for d in existing if d.year in years_listed and d not in listed]
        if stale:
            db.session.execute(delete(CalendarDay).where(CalendarDay.day.in_(stale)))
            changed += len(stale)
    db.session.flush()
    forget()
    return changed
