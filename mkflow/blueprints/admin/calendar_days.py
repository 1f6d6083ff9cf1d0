"""Admin → Working calendar: the holidays and moved working days of a year."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mkflow.blueprints.admin.forms import CalendarDayForm
from mkflow.blueprints.admin.routes import bp
from mkflow.core import clock
from mkflow.core.inputs import EARLIEST_DAY, LATEST_DAY, parse_day, parse_int
from mkflow.models import DayKind
from mkflow.people import calendar
from mkflow.web.actions import perform
from mkflow.web.forms import EmptyForm
from mkflow.web.http import render_form


def _year() -> int:
    """The year asked for (?year=2027), else this one; a year out of range is a 400."""
    asked = request.args.get("year")
    if asked is None:
        return clock.company_today().year
    year = parse_int(asked, EARLIEST_DAY.year, LATEST_DAY.year)
    if year is None:
        abort(400)
    return year


def _page(form: CalendarDayForm, year: int, status: int | None = None):
    years = sorted({year - 1, year, year + 1, *calendar.years()})
    return render_form(
        "admin/calendar.html",
        form,
        status,
        year=year,
        years=[y for y in years if EARLIEST_DAY.year <= y <= LATEST_DAY.year],
        days=calendar.days_of_year(year),
        weekend=calendar.weekend_setting(),
        remove_form=EmptyForm(),
    )


@bp.route("/calendar")
def calendar_days():
    return _page(CalendarDayForm(kind=DayKind.OFF.value), _year())


@bp.route("/calendar", methods=["POST"])
def calendar_day_add():
    form = CalendarDayForm()
    # The page of the day's year; a day out of range is refused on the page it came from.
    day = form.day.data
    year = day.year if day and EARLIEST_DAY <= day <= LATEST_DAY else _year()
    if not form.validate_on_submit():
        return _page(form, year)

    def refused(error):
        form.form_errors.append(error.message)
        return _page(form, year)

    entry = calendar.DayEntry(form.day.data, DayKind(form.kind.data), form.name.data or "")
    return perform(
        lambda: calendar.add_day(current_user, entry),
        done=lambda row: _added(row),
        refused=refused,
    )


def _added(row):
    flash(_("%(day)s is in the working calendar.", day=row.day.isoformat()), "success")
    return redirect(url_for("admin.calendar_days", year=row.day.year))


@bp.route("/calendar/<day>/remove", methods=["POST"])
def calendar_day_remove(day):
    marked = parse_day(day)
    if marked is None:
        abort(404)

    def done(row):
        flash(_("%(day)s follows the weekly weekend again.", day=row.day.isoformat()), "success")
        return redirect(url_for("admin.calendar_days", year=row.day.year))

    return perform(
        lambda: calendar.remove_day(current_user, marked),
        form=EmptyForm(),
        done=done,
        refused=lambda error: abort(error.status),
    )
