"""The company's working calendar (Russia's production calendar in the demo): stage
deadlines, reminders, escalations and task dates all count its working days."""

from datetime import date, datetime

import pytest
from support import add_people, launch_article, new_project, new_task, template, user

from mkflow.activity import reminders
from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.models import CalendarDay, DayKind, Notification, User
from mkflow.people import calendar
from mkflow.people.calendar import DayEntry

pytestmark = pytest.mark.usefixtures("processes")

# Naive UTC; Moscow is three hours ahead.
WEDNESDAY_30_DECEMBER = datetime(2026, 12, 30, 7, 0)
NEW_YEAR_WORKDAY = date(2027, 1, 11)  # 31 Dec and 1-8 Jan off, 9-10 Jan the weekend


def test_the_demo_company_works_by_the_russian_production_calendar():
    cal = calendar.company_calendar()
    assert not cal.is_workday(date(2026, 1, 9))  # moved from Saturday 3 January
    assert not cal.is_workday(date(2026, 3, 9))  # 8 March fell on a Sunday
    assert not cal.is_workday(date(2026, 12, 31))  # moved from Sunday 4 January
    assert cal.is_workday(date(2026, 12, 30))
    assert cal.add(date(2026, 12, 30), 1) == NEW_YEAR_WORKDAY


def test_a_stage_is_due_after_the_new_year_holidays():
    """A two-working-day stage entered on 30 December is due on 12 January."""
    template("article").current_version.stages[0].due_amount = 2
    db.session.commit()
    item = launch_article(at=WEDNESDAY_30_DECEMBER)
    assert item.stage_due_at == datetime(2027, 1, 12, 7, 0)


def test_a_stage_over_a_friday_saturday_weekend(app):
    app.config["MKFLOW_WEEKEND"] = "fri,sat"
    thursday = datetime(2026, 12, 10, 7, 0)
    item = launch_article(at=thursday)  # the brief takes one working day
    assert item.stage_due_at == datetime(2026, 12, 13, 7, 0)  # Sunday


def test_a_day_added_by_an_administrator_counts_at_once_and_can_be_removed():
    admin = user("admin@demo.local")
    monday = date(2026, 12, 14)
    row = calendar.add_day(admin, DayEntry(monday, DayKind.OFF, "  Company  day "))
    db.session.commit()
    assert row.name == "Company day"
    assert not calendar.company_calendar().is_workday(monday)
    item = launch_article(at=datetime(2026, 12, 11, 7, 0))  # Friday
    assert item.stage_due_at == datetime(2026, 12, 15, 7, 0)  # Tuesday
    calendar.remove_day(admin, row.day)
    db.session.commit()
    assert calendar.company_calendar().is_workday(monday)


def test_a_change_made_by_another_process_is_seen():
    """Another worker's write does not reach this process's cache: the stamp does."""
    calendar.company_calendar()
    saturday = date(2026, 12, 12)
    db.session.add(CalendarDay(day=saturday, kind=DayKind.WORKING, name="Working Saturday"))
    db.session.commit()
    assert calendar.company_calendar().is_workday(saturday)
    db.session.execute(db.delete(CalendarDay).where(CalendarDay.day == saturday))
    db.session.commit()
    assert not calendar.company_calendar().is_workday(saturday)


def test_only_an_administrator_changes_the_calendar_and_a_day_is_marked_once():
    with pytest.raises(PermissionDenied):
        calendar.add_day(user("head@demo.local"), DayEntry(date(2026, 12, 14), DayKind.OFF))
    with pytest.raises(DomainError, match="already"):
        calendar.add_day(user("admin@demo.local"), DayEntry(date(2026, 12, 31), DayKind.OFF))
    with pytest.raises(DomainError):
        calendar.add_day(user("admin@demo.local"), DayEntry(date(1900, 1, 1), DayKind.OFF))


def _send(now: datetime) -> list[tuple[str, str]]:
    """The reminders a tick at ``now`` sends: (to whom, kind)."""
    reminders.send_due(now)
    db.session.commit()
    rows = db.session.scalars(db.select(Notification).order_by(Notification.id)).all()
    sent = [(db.session.get(User, n.user_id).email, n.kind) for n in rows]
    db.session.execute(db.delete(Notification))
    db.session.commit()
    return sent


def test_reminders_and_escalations_follow_the_calendar():
    template("article").escalate_overdue = True
    db.session.commit()
    item = launch_article(by="copywriter@demo.local", at=WEDNESDAY_30_DECEMBER)
    assert item.stage_due_at.date() == NEW_YEAR_WORKDAY
    db.session.execute(db.delete(Notification))
    db.session.commit()
    # Its next working day is 11 January: reminded on 30 December (once the hand-over has
    # settled), not again in the holidays.
    assert _send(WEDNESDAY_30_DECEMBER) == []  # handed over a moment ago
    settled = WEDNESDAY_30_DECEMBER + reminders.SETTLING
    assert _send(settled) == [("marketer@demo.local", "due_tomorrow")]
    assert _send(datetime(2027, 1, 4, 7, 0)) == []
    # Overdue on a day off: nobody is chased until the next working day.
    item.stage_due_at = datetime(2027, 1, 2, 7, 0)
    db.session.commit()
    assert _send(datetime(2027, 1, 5, 7, 0)) == []
    assert _send(datetime(2027, 1, 11, 6, 0)) == [
        ("marketer@demo.local", "overdue"),
        ("head@demo.local", "escalated"),
    ]


def test_task_dates_skip_the_holidays():
    project = new_project(start_date=date(2026, 12, 28))
    add_people(project, "designer@demo.local")
    task = new_task(project, "Greetings", start_date=date(2026, 12, 30), days=2)
    assert (task.start_date, task.due_date) == (date(2026, 12, 30), NEW_YEAR_WORKDAY)
    holiday_start = new_task(project, "Plan", start_date=date(2027, 1, 4), days=1)
    assert holiday_start.due_date == NEW_YEAR_WORKDAY  # a start on a day off rolls forward
