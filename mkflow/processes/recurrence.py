"""RRULEs read by dateutil, with a bound on the work one search may do.

dateutil looks for the next slot by walking the calendar period by period up to the year
9999, so a rule that never comes (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) costs a worker
6–11 s per search. Here a rule may only repeat daily, weekly, monthly or yearly (a launch
every minute makes no sense), may use only the parts of RFC 5545 (not dateutil's BYEASTER,
which the walk below stands in for), and a search stops after walking ``SEARCH_MONTHS``
months (years, for a yearly rule): a slot further away counts as never.
"""

from datetime import datetime

from dateutil.rrule import rrule, rrulestr

from mkflow.core.inputs import parse_int

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
PARTS = frozenset(
    "FREQ INTERVAL COUNT UNTIL WKST BYSETPOS BYMONTH BYMONTHDAY BYYEARDAY BYWEEKNO BYDAY "
    "BYHOUR BYMINUTE BYSECOND".split()
)
SEARCH_MONTHS = 12 * 100
MAX_INTERVAL = 1000  # more would pass the search's century at once


class TooFrequent(ValueError):
    """The rule repeats more often than daily."""


class SearchTooLong(Exception):
    """A search walked ``SEARCH_MONTHS`` months without finding the slot."""


class _Walk(rrule):
    """An rrule that counts the months its searches walk. dateutil's ``_iterinfo.rebuild``
    reads ``_byeaster`` once for every month (or year) it moves to; BYEASTER is refused, so
    the property is always None and only counts."""

    walked = 0

    @property
    def _byeaster(self):
        self.walked += 1
        if self.walked > SEARCH_MONTHS:
            raise SearchTooLong()
        return None

    @_byeaster.setter
    def _byeaster(self, value):
        if value is not None:
            raise ValueError("BYEASTER")

    def _iter(self):
        self.walked = 0  # each search (after, before, iteration) gets the whole budget
        return super()._iter()


def parts_of(rule: str) -> dict[str, str]:
    """The parts of an upper-case RRULE without "RRULE:"; ValueError for an unknown part,
    TooFrequent for FREQ=HOURLY, MINUTELY or SECONDLY."""
    parts = dict(part.partition("=")[::2] for part in rule.split(";"))
    if not parts.keys() <= PARTS or "FREQ" not in parts:
        raise ValueError(rule)
    if parts["FREQ"] not in FREQUENCIES:
        raise TooFrequent(parts["FREQ"])
    if "INTERVAL" in parts and parse_int(parts["INTERVAL"], 1, MAX_INTERVAL) is None:
        raise ValueError(rule)  # INTERVAL=0 never moves on: a search would never end
    return parts


def bounded(rule: str, start: datetime) -> rrule:
    """The rule from ``start`` (its DTSTART), whose searches raise SearchTooLong rather
    than walk further than SEARCH_MONTHS months."""
    parts_of(rule)
    parsed = rrulestr(rule, dtstart=start)
    if not isinstance(parsed, rrule):
        raise ValueError(rule)
    parsed.__class__ = _Walk  # same object, counted walks: rrulestr makes plain rrules
    return parsed
