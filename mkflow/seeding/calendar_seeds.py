"""The shipped working calendars (seeds/calendar-*.toml) loaded into the company's."""

import tomllib
from pathlib import Path

from mkflow.models import DayKind
from mkflow.people import calendar
from mkflow.people.calendar import DayEntry

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
RUSSIA = SEEDS_DIR / "calendar-ru.toml"


def read_calendar(path: Path | str, locale: str = "ru") -> list[DayEntry]:
    """The days a calendar file lists, named in ``locale``; ValueError when it is malformed."""
    with Path(path).open("rb") as handle:
        data = tomllib.load(handle)
    entries = []
    try:
        for year in data["year"]:
            for item in year["days"]:
                if item["day"].year != year["year"]:
                    raise ValueError(f"{item['day']} is listed under {year['year']}")
                name = item.get(locale) or item.get("ru") or item.get("en") or ""
                entries.append(DayEntry(item["day"], DayKind(item["kind"]), name))
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: not a calendar file ({error!r})") from None
    return entries


def load_calendar(path: Path | str = RUSSIA, locale: str = "ru", **how) -> int:
    """Load a calendar file (``how``: see ``calendar.load_days``); returns how many days
    changed. The caller commits."""
    return calendar.load_days(read_calendar(path, locale), **how)
