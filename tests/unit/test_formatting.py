"""The fast per-request formats give what Babel would."""

from datetime import date

import pytest
from babel.dates import format_date

from mkflow.core.formatting import SHORT_DAYS


@pytest.mark.parametrize("locale", sorted(SHORT_DAYS))
@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 12, 31), date(2030, 11, 9)])
def test_short_days_match_babel(locale, day):
    assert SHORT_DAYS[locale](day) == format_date(day, "short", locale=locale)
