"""My work's groups by when work is due."""

from datetime import date

import pytest

from mkflow.core.urgency import LATER, OVERDUE, THIS_WEEK, TODAY, when

WEDNESDAY = date(2026, 12, 9)


@pytest.mark.parametrize(
    ("due", "late", "group"),
    [
        (date(2026, 12, 8), True, OVERDUE),
        (WEDNESDAY, True, OVERDUE),  # a stage due this morning, late now
        (WEDNESDAY, False, TODAY),
        (date(2026, 12, 10), False, THIS_WEEK),
        (date(2026, 12, 13), False, THIS_WEEK),  # Sunday ends the week
        (date(2026, 12, 14), False, LATER),
        (None, False, LATER),
    ],
)
def test_work_is_grouped_by_when_it_is_due(due, late, group):
    assert when(due, WEDNESDAY, late=late) == group


def test_on_sunday_this_week_is_today_only():
    sunday = date(2026, 12, 13)
    assert when(date(2026, 12, 14), sunday, late=False) == LATER
