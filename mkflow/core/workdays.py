"""Working-day arithmetic for due dates (weekends are Saturday and Sunday)."""

from datetime import UTC, date, datetime, timedelta, tzinfo

WEEKEND = frozenset({5, 6})


def add_working_days(start: date | datetime, days: int, weekend=WEEKEND):
    """``start`` moved ``days`` working days forward (the time of day is kept)."""
    current = start
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        current += timedelta(days=step)
        if current.weekday() not in weekend:
            remaining -= 1
    return current


def due_after(start: datetime, amount: int, unit: str, zone: tzinfo = UTC) -> datetime | None:
    """When a stage entered at ``start`` (naive UTC) is due; None when the stage has no time
    limit. Working days are days of ``zone``'s calendar (the company's), at the same time on
    its clock: just after midnight on a Saturday there, it may still be Friday in UTC."""
    if amount <= 0:
        return None
    if unit == "hours":
        return start + timedelta(hours=amount)
    local = start.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    due = add_working_days(local, amount)
    return due.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
