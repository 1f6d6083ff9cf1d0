"""Deadline reminders: due tomorrow and overdue, once per item and day, escalation to the
department head when the template asks for it, in the company's time zone."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from support import add_people, launch_article, new_project, new_task, template, user

from mkflow.activity import reminders
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.jobs import tick
from mkflow.models import Notification, Reminder, Task, TaskStatus
from mkflow.people import calendar

pytestmark = pytest.mark.usefixtures("processes")

# The company is in Moscow (UTC+3) unless a test says otherwise.
MONDAY_NOON = datetime(2026, 3, 2, 9, 0)  # naive UTC: 12:00 in Moscow
HTMX = {"HX-Request": "true"}


@pytest.fixture
def settling():
    """Asked for by the tests of settling: the time work takes to settle stays as it is."""


@pytest.fixture(autouse=True)
def received_long_ago(request, monkeypatch):
    """The other tests are about when work is due, not about when it arrived (made at the
    suite's moment, it would arrive after their ticks' dates): their work counts as
    received long ago."""
    if "settling" not in request.fixturenames:
        monkeypatch.setattr(reminders, "SETTLING", timedelta(0))


def notes(email: str | None = None, kind: str | None = None) -> list[Notification]:
    query = db.select(Notification).order_by(Notification.id)
    if email:
        query = query.where(Notification.user_id == user(email).id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def due_at(item, moment: datetime):
    item.stage_due_at = moment
    db.session.commit()
    return item


def send(now: datetime) -> int:
    count = reminders.send_due(now)
    db.session.commit()
    return count


def test_an_item_due_tomorrow_reminds_its_holder_once_however_often_the_tick_runs():
    item = launch_article(at=MONDAY_NOON)  # the brief is due a working day later
    assert item.stage_due_at == datetime(2026, 3, 3, 9, 0)
    db.session.execute(db.delete(Notification))
    db.session.commit()

    assert send(MONDAY_NOON) == 1
    assert send(MONDAY_NOON.replace(minute=5)) == 0
    tick.tick(MONDAY_NOON.replace(minute=10))
    [note] = notes()
    assert (note.user_id, note.kind, note.instance_id) == (
        user("marketer@demo.local").id,
        "due_tomorrow",
        item.id,
    )
    [row] = db.session.scalars(db.select(Reminder)).all()
    # Filed under the working day it is due on, so that a weekend's ticks do not repeat it.
    assert (row.kind, row.subject, row.day) == (
        "due_tomorrow",
        f"instance:{item.id}",
        date(2026, 3, 3),
    )


def test_an_overdue_item_reminds_once_a_day_and_again_the_next_day():
    item = launch_article(at=MONDAY_NOON)
    db.session.execute(db.delete(Notification))
    db.session.commit()
    tuesday_late = datetime(2026, 3, 3, 10, 0)  # an hour after the brief was due
    assert send(tuesday_late) == 1
    assert send(tuesday_late.replace(hour=15)) == 0
    assert send(datetime(2026, 3, 4, 6, 0)) == 1  # Wednesday in Moscow
    kinds = [(n.kind, n.instance_id) for n in notes("marketer@demo.local")]
    assert kinds == [("overdue", item.id), ("overdue", item.id)]
    assert notes("head@demo.local") == []  # the template does not escalate


def test_an_overdue_stage_escalates_to_the_department_head_when_the_template_says_so():
    template("article").escalate_overdue = True
    db.session.commit()
    item = launch_article(by="copywriter@demo.local", at=MONDAY_NOON)
    db.session.execute(db.delete(Notification))
    db.session.commit()
    tuesday_late = datetime(2026, 3, 3, 10, 0)
    assert send(tuesday_late) == 2
    assert send(tuesday_late) == 0
    [head_note] = notes("head@demo.local")
    assert (head_note.kind, head_note.instance_id) == ("escalated", item.id)
    [holder_note] = notes("marketer@demo.local")
    assert holder_note.kind == "overdue"
    # Due tomorrow is not escalated.
    other = launch_article("Second", by="copywriter@demo.local", at=MONDAY_NOON)
    send(MONDAY_NOON)
    assert [n.kind for n in notes("head@demo.local")] == ["escalated"]
    assert [n.kind for n in notes("marketer@demo.local") if n.instance_id == other.id] == [
        "assigned",
        "due_tomorrow",
    ]


def test_tomorrow_is_the_company_s_tomorrow(app):
    """At 21:30 UTC on Monday it is already Tuesday in Moscow (and still Monday in UTC)."""
    late_monday = datetime(2026, 3, 2, 21, 30)
    in_moscow_today = due_at(launch_article("Today", at=MONDAY_NOON), datetime(2026, 3, 3, 20, 0))
    in_moscow_tomorrow = due_at(
        launch_article("Tomorrow", at=MONDAY_NOON), datetime(2026, 3, 3, 22, 0)
    )
    db.session.execute(db.delete(Notification))
    db.session.commit()
    send(late_monday)
    assert [n.instance_id for n in notes(kind="due_tomorrow")] == [in_moscow_tomorrow.id]
    assert in_moscow_today.id not in [n.instance_id for n in notes()]

    # The same moment for a company in UTC: Tuesday 20:00 UTC is tomorrow, 22:00 too.
    db.session.execute(db.delete(Notification))
    db.session.execute(db.delete(Reminder))
    db.session.commit()
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    send(late_monday)
    assert sorted(n.instance_id for n in notes(kind="due_tomorrow")) == sorted(
        [in_moscow_today.id, in_moscow_tomorrow.id]
    )


@pytest.fixture
def team():
    project = new_project()
    add_people(project, "copywriter@demo.local", "designer@demo.local")
    return project


def test_open_tasks_due_tomorrow_or_overdue_remind_their_assignee(team):
    def task(title, due, **extra):
        return new_task(team, title, assignee=user("designer@demo.local"), due_date=due, **extra)

    tomorrow = task("Banner", date(2026, 3, 3))
    late = task("Logo", date(2026, 2, 27))
    task("Today", date(2026, 3, 2))  # due today: not overdue yet
    task("Later", date(2026, 3, 10))
    done = task("Done already", date(2026, 2, 27))
    db.session.get(Task, done.id).status = TaskStatus.DONE
    db.session.commit()
    db.session.execute(db.delete(Notification))
    db.session.commit()

    assert send(MONDAY_NOON) == 2
    assert send(MONDAY_NOON) == 0
    got = {(n.task_id, n.kind) for n in notes("designer@demo.local")}
    assert got == {(tomorrow.id, "due_tomorrow"), (late.id, "overdue")}


def test_a_task_due_tomorrow_in_moscow_is_not_due_tomorrow_in_utc(team, app):
    wednesday = new_task(
        team, "Banner", assignee=user("designer@demo.local"), due_date=date(2026, 3, 4)
    )
    db.session.execute(db.delete(Notification))
    db.session.commit()
    send(datetime(2026, 3, 2, 21, 30))  # Tuesday 00:30 in Moscow
    assert [(n.task_id, n.kind) for n in notes()] == [(wednesday.id, "due_tomorrow")]


def test_a_reminder_written_by_a_concurrent_tick_is_skipped_without_undoing_the_others(
    monkeypatch,
):
    """Two ticks at once: the one that loses the race on the unique key skips that item
    (its savepoint is rolled back) and still reminds about the rest."""
    first = launch_article("First", at=MONDAY_NOON)
    second = launch_article("Second", at=MONDAY_NOON)
    db.session.execute(db.delete(Notification))
    db.session.add(  # filed under the working day the item is due on
        Reminder(kind="due_tomorrow", subject=f"instance:{first.id}", day=date(2026, 3, 3))
    )
    db.session.commit()
    # As if the other tick wrote its row after this one looked.
    monkeypatch.setattr(reminders, "_already_sent", lambda days: set())
    assert send(MONDAY_NOON) == 1
    assert [n.instance_id for n in notes()] == [second.id]
    assert db.session.scalar(db.select(db.func.count()).select_from(Reminder)) == 2


def test_reminders_read_a_constant_number_of_statements(team):
    """Set-based: the reads do not grow with the number of items (the writes do)."""

    for n in range(6):
        launch_article(f"Item {n}", at=MONDAY_NOON)
        new_task(team, f"Task {n}", assignee=user("designer@demo.local"), due_date=date(2026, 3, 3))
    selects = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert send(MONDAY_NOON) == 12
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(selects) <= 4, selects


def test_the_editor_s_settings_switch_escalation_on_and_off(client, auth):
    auth.login("head@demo.local")
    article = template("article")
    url, marketing = f"/processes/{article.id}/settings", article.department_id
    settings = {"name": article.name, "department": marketing, "color": article.color}
    editor = client.get(f"/processes/{article.id}/edit").get_data(as_text=True)
    assert "Escalate overdue stages to the department head" in editor

    response = client.post(url, data=settings | {"escalate_overdue": "y"}, headers=HTMX)
    assert response.status_code == 200
    db.session.expire_all()
    assert template("article").escalate_overdue is True
    client.post(url, data=settings, headers=HTMX)
    db.session.expire_all()
    assert template("article").escalate_overdue is False


def test_two_ticks_at_once_remind_once(app, monkeypatch):
    """Two real connections. On Postgres both get past the look at today's reminders before
    either writes, and the unique key lets one of them remind; on SQLite the second tick
    waits for the first one's write lock, then finds its reminders."""

    item = launch_article(at=MONDAY_NOON)
    db.session.execute(db.delete(Notification))
    db.session.commit()
    both_read = threading.Barrier(2 if db.engine.dialect.name == "postgresql" else 1, timeout=10)
    real = reminders._already_sent

    def read_then_wait(day):
        found = real(day)
        both_read.wait()
        return found

    monkeypatch.setattr(reminders, "_already_sent", read_then_wait)
    results, errors = [], []

    def tick():
        with app.app_context():
            try:
                results.append(reminders.send_due(MONDAY_NOON))
                db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert [(n.kind, n.instance_id) for n in notes()] == [("due_tomorrow", item.id)]


def test_a_tick_that_fails_leaves_no_reminder_behind(app):
    launch_article(at=MONDAY_NOON)
    assert reminders.send_due(MONDAY_NOON) == 1
    db.session.rollback()  # the rest of the tick failed: its reminders are not sent either
    assert db.session.scalar(db.select(db.func.count()).select_from(Reminder)) == 0
    assert reminders.send_due(MONDAY_NOON) == 1  # so the next tick sends it


def test_work_received_a_moment_ago_is_not_reminded_of_until_it_has_settled(settling):
    """A one-day brief handed on at 16:00 is due tomorrow: its holder hears of it when it
    arrives, and is reminded four working hours later, not seconds after."""
    handed_on = datetime(2026, 3, 2, 13, 0)  # Monday 16:00 in Moscow
    item = launch_article(at=handed_on)
    assert item.stage_due_at.date() == date(2026, 3, 3)
    db.session.execute(db.delete(Notification))
    db.session.commit()
    assert send(handed_on + timedelta(seconds=30)) == 0
    assert send(handed_on + timedelta(hours=3, minutes=59)) == 0
    assert send(handed_on + timedelta(hours=4)) == 1
    [note] = notes("marketer@demo.local")
    assert (note.kind, note.instance_id) == ("due_tomorrow", item.id)


def test_hours_of_a_day_off_do_not_count_towards_settling(settling):
    """A task made on Friday at 22:00 and due on Monday has settled for two hours by
    Sunday night (the weekend does not count): nobody is chased about it on Saturday. One
    made on Friday morning is reminded of on Saturday as before."""
    friday_22 = datetime(2026, 3, 13, 19, 0)  # naive UTC: 22:00 in Moscow
    sunday_23 = datetime(2026, 3, 15, 20, 0)
    assert reminders._working_time(friday_22, sunday_23, calendar.company_calendar()) == (
        timedelta(hours=2)
    )
    project = new_project()
    add_people(project, "designer@demo.local")
    for title, made in (("Late", friday_22), ("Early", datetime(2026, 3, 13, 7, 0))):
        with clock.stopped_at(made.replace(tzinfo=UTC)):
            new_task(
                project, title, assignee=user("designer@demo.local"), due_date=date(2026, 3, 16)
            )
    assert send(datetime(2026, 3, 14, 9, 0)) == 1  # Saturday noon
    [note] = notes("designer@demo.local", "due_tomorrow")
    assert note.task.title == "Early"
