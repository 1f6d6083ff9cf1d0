"""One date and one date-time format per language; lengths of time as people say them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import Babel

from mkflow.core.formatting import Formatter

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def app():
    """A bare Flask app with Babel: the unit marks are gettext calls (English here)."""
    bare = Flask(__name__)
    Babel(bare)
    return bare


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [
        ("ru", "02.03.2026", "02.03.2026, 12:05"),
        ("en", "2 Mar 2026", "2 Mar 2026, 12:05"),
    ],
)
def test_a_day_and_a_moment_read_the_same_way_in_each_language(app, locale, day, moment):
    with app.test_request_context():
        fmt = Formatter(locale, MOSCOW)
        assert fmt.date(date(2026, 3, 2)) == day
        assert fmt.when(datetime(2026, 3, 2, 9, 5)) == moment  # stored in UTC, shown in Moscow
        assert fmt.when(datetime(2026, 3, 2, 9, 5)).startswith(fmt.date(date(2026, 3, 2)))


def test_durations_name_the_two_largest_units(app):
    with app.test_request_context():
        fmt = Formatter("en", MOSCOW)
        assert fmt.duration(timedelta(hours=216)) == "9 d"
        assert fmt.duration(timedelta(hours=50, minutes=20)) == "2 d 2 h"
        assert fmt.duration(timedelta(minutes=75)) == "1 h 15 min"
