"""When work is due, in the words My work groups it by: what now, what next."""

from datetime import date, timedelta

# In the order a person reads them: the late, then what is due today, then by Sunday.
OVERDUE, TODAY, THIS_WEEK, LATER = "overdue", "today", "week", "later"
GROUPS = (OVERDUE, TODAY, THIS_WEEK, LATER)


def when(due: date | None, today: date, *, late: bool) -> str:
    """The group of work due on ``due`` (a day in the person's zone; None: no due date);
    ``late`` work is overdue whatever its day (a stage due at 10:00 is late at 11:00)."""
    if late:
        return OVERDUE
    if due is None:
        return LATER
    if due <= today:
        return TODAY
    if due <= today + timedelta(days=6 - today.weekday()):
        return THIS_WEEK
    return LATER
