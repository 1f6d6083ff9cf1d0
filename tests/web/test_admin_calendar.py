"""Admin → Working calendar: the year's holidays and moved working days, added and removed
by administrators only."""

from datetime import date

import pytest

from mkflow.core.database import db
from mkflow.models import CalendarDay, DayKind

pytestmark = pytest.mark.usefixtures("demo")


def _day(day: date) -> CalendarDay | None:
    return db.session.scalar(db.select(CalendarDay).where(CalendarDay.day == day))


def test_the_page_lists_the_year_s_days(client, auth):
    auth.login("admin@demo.local")
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Working calendar" in page and "Day off moved from 3 January" in page  # the seed's
    assert 'href="/admin/calendar?year=2027"' in page
    empty = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert "No holidays or moved working days in 2031." in empty


def test_an_administrator_adds_and_removes_a_day(client, auth):
    auth.login("admin@demo.local")
    response = client.post(
        "/admin/calendar",
        data={"day": "2026-12-12", "kind": "working", "name": "Working Saturday"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar?year=2026")
    row = _day(date(2026, 12, 12))
    assert (row.kind, row.name) == (DayKind.WORKING, "Working Saturday")
    assert "Working Saturday" in client.get("/admin/calendar?year=2026").get_data(as_text=True)

    response = client.post(f"/admin/calendar/{row.day.isoformat()}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert _day(date(2026, 12, 12)) is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"day": "", "kind": "off"}, "This field is required."),
        ({"day": "31.12.2026", "kind": "off"}, "This field is required."),  # not ISO
        ({"day": "1900-01-01", "kind": "off"}, "Enter a date between 2000 and 2100."),
        ({"day": "1999-12-31", "kind": "off"}, "Working calendar 2026"),  # this year's page
        ({"day": "2026-12-14", "kind": "holiday"}, "Not a valid choice."),
        ({"day": "2026-12-14", "kind": "off", "name": "x" * 121}, "characters"),
        ({"day": "2026-12-31", "kind": "off"}, "This day is in the calendar already"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, auth, data, message):
    auth.login("admin@demo.local")
    before = db.session.scalar(db.select(db.func.count()).select_from(CalendarDay))
    response = client.post("/admin/calendar", data=data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarDay)) == before


def test_a_bad_year_or_a_missing_day_is_a_4xx(client, auth):
    auth.login("admin@demo.local")
    assert client.get("/admin/calendar?year=abc").status_code == 400
    assert client.get("/admin/calendar?year=99999").status_code == 400
    assert client.post("/admin/calendar/2026-08-20/remove").status_code == 404
    assert client.post("/admin/calendar/2026-02-30/remove").status_code == 404


def test_others_are_refused(client, auth):
    auth.login("head@demo.local")
    assert client.get("/admin/calendar").status_code == 403
    row = _day(date(2026, 12, 31))
    assert client.post(f"/admin/calendar/{row.day.isoformat()}/remove").status_code == 403
    assert (
        client.post("/admin/calendar", data={"day": "2026-12-14", "kind": "off"}).status_code == 403
    )
    assert _day(date(2026, 12, 31)) is not None and _day(date(2026, 12, 14)) is None


def test_the_admin_tabs_link_the_calendar(client, auth):
    auth.login("admin@demo.local")
    assert 'href="/admin/calendar"' in client.get("/admin/users").get_data(as_text=True)


def test_the_cli_loads_a_calendar_file(app, tmp_path):
    db.session.execute(db.delete(CalendarDay))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["calendar", "load"])
    assert result.exit_code == 0, result.output
    assert "35 days changed" in result.output
    assert _day(date(2026, 1, 9)).name == "Выходной, перенесённый с 3 января"
    again = runner.invoke(args=["calendar", "load"])
    assert "0 days changed" in again.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[year]]\nyear = 2026\ndays = [{ day = 2027-01-01, kind = "off" }]\n')
    failed = runner.invoke(args=["calendar", "load", str(bad)])
    assert failed.exit_code != 0 and "listed under 2026" in failed.output


def test_a_removal_names_the_day_not_a_row_that_may_be_another_day_since(client, auth):
    """A page left open removes the day it shows, even when that day was removed and the
    row id went to a day marked since."""
    auth.login("admin@demo.local")
    client.post("/admin/calendar", data={"day": "2026-08-20", "kind": "off", "name": "A"})
    stale = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert 'action="/admin/calendar/2026-08-20/remove"' in stale
    client.post("/admin/calendar/2026-08-20/remove")
    client.post("/admin/calendar", data={"day": "2026-08-21", "kind": "off", "name": "B"})
    assert client.post("/admin/calendar/2026-08-20/remove").status_code == 404
    assert _day(date(2026, 8, 21)) is not None
