"""Reading what comes from outside (a URL, a query string, a form): one way for every id,
number, day and text. What cannot be read is None (or a DomainError), never an exception
from int() or the database."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from mkflow.core.errors import DomainError

# Every id is an INTEGER column: 32 bits on Postgres (SQLite would take 64, Python any).
MAX_ID = 2**31 - 1

# Dates people type: a plan, a deadline, a link's end. Far-off years are typing mistakes, and
# the pages that draw days (Gantt, calendar feed, portfolio, copies shifted by a project's
# start) can only add days within Python's years 1..9999; 2000-2100 leaves room for both.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)

# Lengths of the free texts the forms do not define themselves (the rest sit in forms.py).
COMMENT_LIMIT = 10_000  # a comment, a stage action's or a task move's note
SHORT_TEXT_LIMIT = 300  # a checklist item
TITLE_LIMIT = 200  # an item's title (its column's length)

_DIGITS = re.compile(r"-?[0-9]+")
# C0 and C1 control characters, DEL, and the noncharacters U+FFFE/U+FFFF; tabs and line
# breaks stay (multi-line text). Postgres refuses NUL in text, so the database never sees one.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def parse_int(text, low: int, high: int) -> int | None:
    """``text`` as an integer within low..high: ASCII digits only (str.isdigit() takes '²',
    which int() refuses, and int() takes '١'); anything else is None."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or len(text) > 20 or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_id(text) -> int | None:
    """A row's id from ``text``, or None: only ids the database can hold."""
    return parse_int(text, 1, MAX_ID)


def parse_day(text) -> date | None:
    """An ISO day (YYYY-MM-DD) within EARLIEST_DAY..LATEST_DAY, or None."""
    if not isinstance(text, str) or len(text) != 10 or not text.isascii():
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if sane_day(day) else None


def sane_day(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_day(day: date | None, what) -> None:
    """Refuse a day outside the sane range (domain operations that take dates)."""
    if day is not None and not sane_day(day):
        raise DomainError(
            _l(
                "%(what)s must be between %(first)s and %(last)s.",
                what=what,
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            )
        )


def without_controls(text: str) -> str:
    """``text`` without control characters (tabs and line breaks stay)."""
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    """``text`` on one line: tabs and line breaks become spaces."""
    return _LINE_BREAKS.sub(" ", without_controls(text))


def comment_text(text, limit: int = COMMENT_LIMIT) -> str:
    """A comment or note as stored: trimmed, at most ``limit`` characters."""
    text = without_controls(text or "").strip()
    if len(text) > limit:
        raise DomainError(_l("The comment is too long: at most %(limit)d characters.", limit=limit))
    return text
