"""Working-day arithmetic for due dates (weekends are Saturday and Sunday)."""

from datetime import date, datetime, timedelta

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


def due_after(start: datetime, amount: int, unit: str) -> datetime | None:
    """When a stage entered at ``start`` is due; None when the stage has no time limit."""
    if amount <= 0:
        return None
    if unit == "hours":
        return start + timedelta(hours=amount)
    return add_working_days(start, amount)
