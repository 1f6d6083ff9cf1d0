"""Dates and durations for dense pages (a board prints hundreds): formatted with patterns
prepared once per request instead of a full Babel call per value."""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from mkflow.core import clock

# One date and one date-time format per language, on every page, table, chart and mail
# (CSV files keep ISO dates). The day is formatted without a Babel call per value.
DAY_FORMATS = {
    "ru": lambda day: day.strftime("%d.%m.%Y"),  # 07.12.2026
    "en": lambda day: f"{day.day} {day:%b} {day.year}",  # 7 Dec 2026
}


class Formatter:
    def __init__(self, locale: str, zone: ZoneInfo):
        # Remembered per day: a Gantt or a list prints the same few hundred days again and
        # again, and strftime costs more than the look-up.
        self.date = lru_cache(maxsize=4096)(DAY_FORMATS.get(locale, DAY_FORMATS["en"]))
        self.zone = zone
        # Short unit marks, translated once.
        self.day, self.hour, self.minute = _("d"), _("h"), _("min")

    def when(self, moment: datetime | None) -> str:
        """A stored (naive UTC) moment in the user's time zone."""
        if moment is None:
            return ""
        local = moment.replace(tzinfo=UTC).astimezone(self.zone)
        return f"{self.date(local.date())}, {local:%H:%M}"

    def duration(self, delta: timedelta) -> str:
        """ "2 d 3 h", "3 h 20 min", "15 min": the two largest units."""
        minutes = max(0, int(delta.total_seconds()) // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        if days:
            return f"{days} {self.day} {hours} {self.hour}" if hours else f"{days} {self.day}"
        if hours:
            return (
                f"{hours} {self.hour} {minutes} {self.minute}"
                if minutes
                else f"{hours} {self.hour}"
            )
        return f"{minutes} {self.minute}"


def formatter() -> Formatter:
    """The formatter of the current language and time zone (Flask-Babel's, which are the
    request's person's): made once per pair, not per value or per request."""
    zone = get_timezone() or clock.company_zone()
    return _formatter(str(get_locale()), str(zone))


@lru_cache(maxsize=256)
def _formatter(locale: str, zone: str) -> Formatter:
    return Formatter(locale, ZoneInfo(zone))


def user_today() -> date:
    """Today where the person being served is (their time zone, else the company's): task
    dates are calendar days, not moments."""
    return clock.today_in(formatter().zone)
