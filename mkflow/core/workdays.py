"""The company's working-day calendar: a weekly weekend (Saturday and Sunday unless
MKFLOW_WEEKEND says otherwise) plus dated exceptions — holidays (days off on weekdays that
are usually worked) and moved working days (weekend days that are worked, as in Russia's
production calendar). Stage deadlines, reminders, escalations, task scheduling and project
copying all count working days with one ``Calendar``; ``mkflow.people.calendar`` builds the
company's from its settings and its database rows.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

WEEKEND = frozenset({5, 6})  # date.weekday() numbers: Saturday and Sunday
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_weekend(names: str) -> frozenset[int]:
    """Weekday numbers from a setting like "sat,sun" or "fri,sat"; ValueError on a bad name."""
    days = set()
    for name in names.split(","):
        key = name.strip()[:3].lower()
        if not key:
            continue
        if key not in DAY_NAMES:
            raise ValueError(f"not a day of the week: {name.strip()!r}")
        days.add(DAY_NAMES.index(key))
    return frozenset(days)


@dataclass(frozen=True)
class Calendar:
    weekend: frozenset[int] = WEEKEND  # date.weekday() numbers
    holidays: frozenset[date] = frozenset()  # days off, whatever their weekday
    working_days: frozenset[date] = frozenset()  # days worked, whatever their weekday
    # The working weekdays in order; how many of them come before weekday 0..7.
    _open: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _before: tuple[int, ...] = field(init=False, repr=False, compare=False)
    # The exceptions that change something (a holiday on a worked weekday, a working day on
    # a weekend day), as sorted ordinals; _shift[i] is the working days they add up to and
    # including the i-th; _starts[i] the working days before the day after the i-th.
    _extra: frozenset[int] = field(init=False, repr=False, compare=False)
    _off: frozenset[int] = field(init=False, repr=False, compare=False)
    _points: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _shift: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        weekend = frozenset(self.weekend)
        if not weekend <= set(range(7)):
            raise ValueError(f"weekend days are 0 (Monday) to 6 (Sunday), not {sorted(weekend)}")
        if len(weekend) == 7:
            raise ValueError("a calendar needs at least one working day a week")
        holidays, working = frozenset(self.holidays), frozenset(self.working_days)
        if holidays & working:
            raise ValueError(f"a day is both off and worked: {sorted(holidays & working)}")
        is_open = [day not in weekend for day in range(7)]
        setattr_ = object.__setattr__
        setattr_(self, "weekend", weekend)
        setattr_(self, "holidays", holidays)
        setattr_(self, "working_days", working)
        setattr_(self, "_open", tuple(day for day in range(7) if is_open[day]))
        setattr_(self, "_before", tuple(sum(is_open[:day]) for day in range(8)))
        off = frozenset(d.toordinal() for d in holidays if is_open[d.weekday()])
        extra = frozenset(d.toordinal() for d in working if not is_open[d.weekday()])
        points, shift, total = sorted(off | extra), [], 0
        for point in points:
            total += 1 if point in extra else -1
            shift.append(total)
        setattr_(self, "_off", off)
        setattr_(self, "_extra", extra)
        setattr_(self, "_points", tuple(points))
        setattr_(self, "_shift", tuple(shift))
        starts = tuple(self._weekly(p + 1) + s for p, s in zip(points, shift, strict=True))
        setattr_(self, "_starts", starts)

    # Every week holds the same working days, so counting working days from day one
    # (1 January of year 1, a Monday) and back again is whole-week arithmetic, with no loop;
    # the dated exceptions correct it by a binary search in their sorted table (inlined
    # below: the board and the planner count many dates).
    def _weekly(self, ordinal: int) -> int:
        """Working days of the weekly pattern before the day ``ordinal``."""
        weeks, weekday = divmod(ordinal - 1, 7)
        return weeks * len(self._open) + self._before[weekday]

    def _count(self, day: date, through: bool = False) -> int:
        """Working days before `day`, or up to and including it when `through`."""
        ordinal = day.toordinal() + through
        weeks, weekday = divmod(ordinal - 1, 7)
        count = weeks * len(self._open) + self._before[weekday]
        points = self._points
        if points and ordinal > points[0]:
            count += self._shift[bisect_left(points, ordinal) - 1]
        return count

    def _nth(self, count: int) -> date:
        """The working day with exactly `count` working days before it."""
        starts = self._starts
        if starts and count >= starts[0]:
            # Between two exceptions the weekly pattern holds, shifted by the ones before.
            i = bisect_right(starts, count)
            weeks, index = divmod(count - self._shift[i - 1], len(self._open))
            ordinal = weeks * 7 + self._open[index] + 1
            if i < len(starts) and ordinal > self._points[i]:
                ordinal = self._points[i]  # a worked weekend day: the pattern skips it
            return date.fromordinal(ordinal)
        weeks, index = divmod(count, len(self._open))
        ordinal = weeks * 7 + self._open[index] + 1
        points = self._points
        if points and ordinal > points[0]:
            ordinal = points[0]  # a worked weekend day before any other exception
        return date.fromordinal(ordinal)

    def is_workday(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def roll_forward(self, day: date) -> date:
        return self._nth(self._count(day))

    def add(self, day: date, n: int) -> date:
        if n > 0:  # counted from the end of `day`, whether or not `day` is a working day
            return self._nth(self._count(day, through=True) + n - 1)
        return self._nth(self._count(day) + n)  # n == 0 rolls forward

    def workdays(self, start: date, due: date) -> int:
        return max(1, self._count(due, through=True) - self._count(start))

    def due_for(self, start: date, days: int) -> date:
        if days < 1:
            raise ValueError(f"a task lasts at least one working day, not {days}")
        return self.add(self.roll_forward(start), days - 1)

    def days_off(self, first: date, last: date) -> Iterable[date]:
        """The days from `first` to `last` (inclusive) that are not worked."""
        day = first
        while day <= last:
            if not self.is_workday(day):
                yield day
            day += timedelta(days=1)


STANDARD = Calendar()  # Saturday and Sunday off, no holidays


def add_working_days(start: date | datetime, days: int, calendar: Calendar = STANDARD):
    """``start`` moved ``days`` working days forward (backward when negative; the time of day
    is kept); 0 leaves it where it is, working day or not."""
    if days == 0:
        return start
    day = start.date() if isinstance(start, datetime) else start
    return start + (calendar.add(day, days) - day)


def due_after(
    start: datetime,
    amount: int,
    unit: str,
    zone: tzinfo = UTC,
    calendar: Calendar = STANDARD,
) -> datetime | None:
    """When a stage entered at ``start`` (naive UTC) is due; None when the stage has no time
    limit. Working days are days of ``calendar`` in ``zone`` (the company's), at the same
    time on its clock: just after midnight on a Saturday there, it may still be Friday in UTC."""
    if amount <= 0:
        return None
    if unit == "hours":
        return start + timedelta(hours=amount)
    local = start.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    due = add_working_days(local, amount, calendar)
    return due.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
