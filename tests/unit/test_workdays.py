"""The working-day calendar: weekly weekend, holidays, moved working days, and the stage
deadlines counted with it (pure rules, no database)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mkflow.core.workdays import Calendar, add_working_days, due_after, parse_weekend

MOSCOW = ZoneInfo("Europe/Moscow")
# Russia's 2026 New Year: 1-11 January off (1-8 holidays, 9 moved from 3 January, 10-11 the
# weekend), 31 December off (moved from 4 January).
NEW_YEAR = frozenset(date(2026, 1, d) for d in range(1, 10)) | {date(2026, 12, 31)}
NEW_YEAR |= frozenset(date(2027, 1, d) for d in range(1, 9))
RU = Calendar(holidays=NEW_YEAR)


def test_holidays_are_days_off():
    assert not RU.is_workday(date(2026, 1, 5))  # a Monday
    assert RU.is_workday(date(2026, 1, 12))
    assert RU.add(date(2026, 12, 30), 1) == date(2027, 1, 11)  # Wednesday -> after the holidays
    assert RU.add(date(2027, 1, 11), -1) == date(2026, 12, 30)
    assert RU.roll_forward(date(2027, 1, 2)) == date(2027, 1, 11)
    assert RU.workdays(date(2026, 12, 28), date(2027, 1, 11)) == 4  # 28-30 December, 11 January


def test_a_moved_working_day_is_worked():
    saturday = date(2026, 6, 6)
    cal = Calendar(working_days=frozenset({saturday}))
    assert cal.is_workday(saturday) and not Calendar().is_workday(saturday)
    assert cal.add(date(2026, 6, 5), 1) == saturday  # Friday -> the working Saturday
    assert cal.add(date(2026, 6, 5), 2) == date(2026, 6, 8)  # then Monday
    assert cal.add(date(2026, 6, 8), -1) == saturday
    assert cal.roll_forward(date(2026, 6, 7)) == date(2026, 6, 8)  # Sunday stays off
    assert cal.workdays(date(2026, 6, 1), date(2026, 6, 7)) == 6


def test_a_friday_saturday_weekend_from_the_setting():
    cal = Calendar(weekend=parse_weekend("fri,sat"), holidays=frozenset({date(2026, 3, 10)}))
    assert not cal.is_workday(date(2026, 3, 6))  # Friday
    assert cal.is_workday(date(2026, 3, 8))  # Sunday
    assert cal.add(date(2026, 3, 5), 1) == date(2026, 3, 8)  # Thursday -> Sunday
    assert cal.add(date(2026, 3, 9), 1) == date(2026, 3, 11)  # over the Tuesday holiday


def test_a_bad_weekend_setting_or_a_day_both_off_and_worked_is_refused():
    with pytest.raises(ValueError):
        parse_weekend("sat,funday")
    day = date(2026, 1, 3)
    with pytest.raises(ValueError):
        Calendar(holidays=frozenset({day}), working_days=frozenset({day}))


def test_a_stage_due_over_the_new_year_holidays():
    """An item entering a two-working-day stage on 30 December 2026 is due after the
    holidays: 31 December and 1-8 January are off, 9-10 January the weekend."""
    entered = datetime(2026, 12, 30, 7, 0)  # 10:00 in Moscow
    assert due_after(entered, 2, "days", MOSCOW, RU) == datetime(2027, 1, 12, 7, 0)
    assert due_after(entered, 2, "days", MOSCOW) == datetime(2027, 1, 1, 7, 0)  # no holidays
    assert due_after(entered, 5, "hours", MOSCOW, RU) == entered + timedelta(hours=5)


def test_a_stage_due_over_a_friday_saturday_weekend():
    cal = Calendar(weekend=parse_weekend("fri,sat"))
    thursday = datetime(2026, 12, 10, 7, 0)
    assert due_after(thursday, 1, "days", MOSCOW, cal) == datetime(2026, 12, 13, 7, 0)  # Sunday
    assert add_working_days(date(2026, 12, 13), -1, cal) == date(2026, 12, 10)
    assert add_working_days(thursday, 0, cal) == thursday


def _brute_add(cal: Calendar, day: date, n: int) -> date:
    """Day by day, the slow way."""
    step = 1 if n > 0 else -1
    if n == 0:
        while not cal.is_workday(day):
            day += timedelta(days=1)
        return day
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not cal.is_workday(day):
            day += timedelta(days=step)
    return day


@pytest.mark.parametrize("weekend", ["sat,sun", "fri,sat", "sun", "thu,fri,sat"])
def test_the_tables_agree_with_counting_day_by_day(weekend):
    start = date(2026, 12, 1)
    holidays = {start + timedelta(days=d) for d in (0, 3, 5, 6, 12, 30, 31, 32, 33)}
    worked = {start + timedelta(days=d) for d in (4, 13, 19, 20, 40)} - holidays
    cal = Calendar(parse_weekend(weekend), frozenset(holidays), frozenset(worked))
    for offset in range(-5, 50):
        day = start + timedelta(days=offset)
        for n in range(-12, 13):
            assert cal.add(day, n) == _brute_add(cal, day, n), (day, n)
        due = day + timedelta(days=offset % 9)
        counted = sum(cal.is_workday(day + timedelta(d)) for d in range((due - day).days + 1))
        assert cal.workdays(day, due) == max(1, counted)
