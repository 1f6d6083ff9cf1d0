"""Recurring processes: rules, next runs across month ends and DST, catch-up after downtime,
concurrent ticks, permissions and the schedules page."""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import _iterinfo as iterinfo
from support import at_every_moment, template, user

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.jobs import tick
from mkflow.models import Department, ProcessInstance
from mkflow.models.scheduling import ProcessSchedule, ScheduleRun
from mkflow.processes import schedules
from mkflow.processes.recurrence import SEARCH_MONTHS
from mkflow.processes.schedules import LAST_DAY, Preset, latest_slot, next_slot, upcoming_slots
from mkflow.seeding import process_seeds

BERLIN = ZoneInfo("Europe/Berlin")
MOSCOW = ZoneInfo("Europe/Moscow")


def utc(*args) -> datetime:
    return datetime(*args)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def utc_of(zone: ZoneInfo, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


# --- rules and next runs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("0 10 * * 1", "0 10 * * 1"),
        ("  0  10 *  * 1 ", "0 10 * * 1"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0", None),
        ("freq=weekly;interval=2;byday=th;byhour=10;byminute=0", None),
    ],
)
def test_rules_are_normalized(text, stored):
    expected = stored or "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0"
    assert schedules.normalize_rule(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0 10 * *",
        "0 0 10 * * 1",  # six fields (seconds)
        "every monday",
        "61 10 * * 1",
        "FREQ=FORTNIGHTLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;FOO=1",
        "BYDAY=MO",
        "DTSTART:20200101T000000\nRRULE:FREQ=DAILY",
        "FREQ=WEEKLY;BYHOUR=25",
    ],
)
def test_bad_rules_are_refused(app, text):
    with pytest.raises(DomainError):
        schedules.normalize_rule(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0 10 30 2 *", "never comes again"),  # 30 February
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", "never comes again"),
        ("FREQ=DAILY;UNTIL=20200101T000000", "never comes again"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never comes again"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "never comes again"),  # counted from a Monday
        ("FREQ=WEEKLY;BYWEEKNO=60", "never comes again"),
        ("*/5 * * * *", "at most once an hour"),
        ("FREQ=DAILY;BYHOUR=9;BYMINUTE=0,30", "at most once an hour"),
        ("FREQ=MINUTELY;INTERVAL=10", "repeats daily, weekly, monthly or yearly"),
        ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "repeats daily, weekly, monthly or yearly"),
        ("FREQ=HOURLY;INTERVAL=2", "repeats daily, weekly, monthly or yearly"),
        ("FREQ=YEARLY;BYDAY=60MO", "is not a schedule rule"),
        ("FREQ=DAILY;BYEASTER=0", "is not a schedule rule"),
        # INTERVAL=0 never moves on: a search for the next time would never end.
        ("FREQ=DAILY;INTERVAL=0", "is not a schedule rule"),
        ("FREQ=DAILY;INTERVAL=0;BYHOUR=10", "is not a schedule rule"),
        ("FREQ=WEEKLY;INTERVAL=²", "is not a schedule rule"),
        ("FREQ=YEARLY;INTERVAL=99999999999999999999", "is not a schedule rule"),
    ],
)
def test_rules_that_never_come_or_come_too_often_are_refused(app, text, words):
    with pytest.raises(DomainError) as refused:
        schedules.check_rule(text, utc(2026, 3, 2, 12), MOSCOW)
    assert words in str(refused.value.message)


def test_checking_a_rule_that_never_comes_walks_a_bounded_stretch_of_calendar(app, monkeypatch):
    """dateutil used to walk month by month to the year 9999 (6-11 s of a worker); counted
    here by the months it moves to, not by a clock."""
    months = []
    rebuild = iterinfo.rebuild

    def counted(self, year, month):
        months.append((year, month))
        return rebuild(self, year, month)

    monkeypatch.setattr(iterinfo, "rebuild", counted)
    with pytest.raises(DomainError, match="never comes again"):
        schedules.check_rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", utc(2026, 3, 2, 12), MOSCOW)
    assert 0 < len(months) <= SEARCH_MONTHS + 1
    assert max(months)[0] <= 2026 + SEARCH_MONTHS // 12


def test_a_rare_rule_that_comes_is_accepted_and_found(app):
    rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=10;BYMINUTE=0"  # leap Mondays
    assert schedules.check_rule(rule, utc(2026, 3, 2, 12), MOSCOW) == rule
    assert upcoming_slots(rule, utc(2026, 3, 2, 12), MOSCOW, count=2) == [
        utc(2044, 2, 29, 7),
        utc(2072, 2, 29, 7),
    ]


def test_every_monday_at_ten_in_the_company_zone():
    # Monday 2 March 2026, 10:00 in Moscow is 07:00 UTC.
    rule = "0 10 * * 1"
    assert next_slot(rule, utc(2026, 3, 2, 6, 59), MOSCOW) == utc(2026, 3, 2, 7, 0)
    assert next_slot(rule, utc(2026, 3, 2, 7, 0), MOSCOW) == utc(2026, 3, 9, 7, 0)
    assert next_slot(rule, utc(2026, 3, 4, 12), "Europe/Moscow") == utc(2026, 3, 9, 7, 0)


def test_the_same_rule_in_different_zones():
    rule, after = "0 10 * * 1", utc(2026, 3, 1)
    assert next_slot(rule, after, "Asia/Tokyo") == utc(2026, 3, 2, 1, 0)  # UTC+9
    assert next_slot(rule, after, MOSCOW) == utc(2026, 3, 2, 7, 0)  # UTC+3
    assert next_slot(rule, after, "America/New_York") == utc(2026, 3, 2, 15, 0)  # UTC-5
    # Sunday 23:30 UTC is already Monday 08:30 in Tokyo: today's 10:00 is still to come.
    assert next_slot(rule, utc(2026, 3, 1, 23, 30), "Asia/Tokyo") == utc(2026, 3, 2, 1, 0)
    # ... and Monday 02:00 UTC is past 10:00 there: next week.
    assert next_slot(rule, utc(2026, 3, 2, 2), "Asia/Tokyo") == utc(2026, 3, 9, 1, 0)


def test_month_ends():
    zone = MOSCOW
    first = "0 10 1 * *"
    assert local(next_slot(first, utc_of(zone, 2026, 1, 31, 10), zone), zone) == datetime(
        2026, 2, 1, 10
    )
    assert local(next_slot(first, utc_of(zone, 2026, 12, 15), zone), zone) == datetime(
        2027, 1, 1, 10
    )
    # "The 31st" skips the months without one: January 31 -> March 31 -> May 31.
    thirty_first = "0 10 31 * *"
    after = utc_of(zone, 2026, 1, 31, 10)
    days = [local(s, zone).date() for s in upcoming_slots(thirty_first, after, zone, count=3)]
    assert days == [date(2026, 3, 31), date(2026, 5, 31), date(2026, 7, 31)]
    # The last day of each month (RRULE BYMONTHDAY=-1), through a leap February.
    last = Preset("monthly", day=LAST_DAY).rule()
    after = utc_of(zone, 2028, 1, 31, 10)
    days = [local(s, zone).date() for s in upcoming_slots(last, after, zone, count=3)]
    assert days == [date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]


def test_ten_oclock_stays_ten_oclock_across_dst():
    # Berlin moves to summer time on 29 March 2026 and back on 25 October 2026.
    rule = "0 10 * * 1"
    before = next_slot(rule, utc(2026, 3, 20), BERLIN)
    after = next_slot(rule, before, BERLIN)
    assert (before, after) == (utc(2026, 3, 23, 9, 0), utc(2026, 3, 30, 8, 0))
    assert local(before, BERLIN).hour == local(after, BERLIN).hour == 10
    autumn = upcoming_slots(rule, utc(2026, 10, 15), BERLIN, count=2)
    assert autumn == [utc(2026, 10, 19, 8, 0), utc(2026, 10, 26, 9, 0)]
    # The same for an RRULE every 2 weeks, and in New York (its change is on 8 March).
    biweekly = Preset("biweekly", weekday=3).rule()  # Thursday
    slots = upcoming_slots(biweekly, utc(2026, 3, 1), BERLIN, anchor=utc(2026, 3, 1), count=3)
    assert [local(s, BERLIN) for s in slots] == [
        datetime(2026, 3, 12, 10),
        datetime(2026, 3, 26, 10),
        datetime(2026, 4, 9, 10),
    ]
    assert slots[1] - slots[0] == timedelta(days=14)
    assert slots[2] - slots[1] == timedelta(days=14, hours=-1)
    york = ZoneInfo("America/New_York")
    slots = upcoming_slots("0 10 * * *", utc(2026, 3, 7, 12), york, count=2)
    assert slots == [utc(2026, 3, 7, 15), utc(2026, 3, 8, 14)]


def test_times_the_dst_change_skips_or_repeats():
    daily_230 = "30 2 * * *"
    # 02:30 does not exist on 29 March in Berlin: it runs at 03:30 summer time, once.
    spring = upcoming_slots(daily_230, utc(2026, 3, 28, 12), BERLIN, count=2)
    assert spring == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    # 02:30 happens twice on 25 October: it runs at the first one only.
    autumn = upcoming_slots(daily_230, utc(2026, 10, 24, 12), BERLIN, count=2)
    assert autumn == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    # Asked during the second 02:15, the next run is the next day's, not the past 02:30.
    assert next_slot(daily_230, utc(2026, 10, 25, 1, 15), BERLIN) == utc(2026, 10, 26, 1, 30)


def test_every_two_weeks_counts_from_the_creation_day():
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0"
    made = utc(2026, 3, 2, 9)  # Monday
    later = utc(2026, 4, 20)
    slots = upcoming_slots(rule, later, MOSCOW, anchor=made, count=3)
    assert [local(s, MOSCOW).date() for s in slots] == [
        date(2026, 4, 30),
        date(2026, 5, 14),
        date(2026, 5, 28),
    ]
    # Made a week later, the same rule falls on the other Thursdays.
    slots = upcoming_slots(rule, later, MOSCOW, anchor=made + timedelta(weeks=1), count=1)
    assert local(slots[0], MOSCOW).date() == date(2026, 4, 23)


def test_latest_slot():
    rule = "0 10 * * 1"
    assert latest_slot(rule, utc(2026, 3, 25), MOSCOW) == utc(2026, 3, 23, 7)
    assert latest_slot(rule, utc(2026, 3, 23, 7), MOSCOW) == utc(2026, 3, 23, 7)
    assert latest_slot(rule, utc(2026, 3, 23, 6, 59), MOSCOW) == utc(2026, 3, 16, 7)
    rrule = Preset("monthly", day=LAST_DAY).rule()
    assert latest_slot(rrule, utc(2026, 3, 15), MOSCOW, anchor=utc(2026, 1, 1)) == utc(
        2026, 2, 28, 7
    )


@pytest.mark.parametrize(
    ("preset", "rule", "words"),
    [
        (Preset("weekly", weekday=0), "0 10 * * 1", "Weekly: Monday, 10:00"),
        (Preset("weekly", weekday=6, hour=9, minute=5), "5 9 * * 0", "Weekly: Sunday, 09:05"),
        (
            Preset("biweekly", weekday=3),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0",
            "Every 2 weeks: Thursday, 10:00",
        ),
        (Preset("monthly", day=1), "0 10 1 * *", "Monthly: day 1, 10:00"),
        (
            Preset("monthly", day=LAST_DAY),
            "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=10;BYMINUTE=0",
            "Monthly: the last day, 10:00",
        ),
        (Preset("workdays"), "0 10 * * 1-5", "Working days (Monday to Friday), 10:00"),
    ],
)
def test_presets_make_rules_and_read_back_in_words(app, preset, rule, words):
    assert preset.rule() == rule
    assert schedules.normalize_rule(rule) == rule
    assert schedules.preset_of(rule) == preset
    with app.test_request_context():
        assert schedules.describe(rule) == words


def test_custom_rules_have_no_words(app):
    with app.test_request_context():
        assert schedules.describe("0 10 * * 1,3") is None
        assert schedules.describe("FREQ=WEEKLY;BYDAY=MO") is None


def test_make_preset_checks_its_input(app):
    assert schedules.make_preset("weekly", "9:30", "4").rule() == "30 9 * * 5"
    for kind, at, weekday, day in [
        ("hourly", "10:00", 0, 1),
        ("weekly", "25:00", 0, 1),
        ("weekly", "ten", 0, 1),
        ("weekly", "10:00", 7, 1),
        ("monthly", "10:00", 0, 31),
        ("monthly", "10:00", 0, "x"),
    ]:
        with pytest.raises(DomainError):
            schedules.make_preset(kind, at, weekday, day)


def test_title_patterns(app):
    day = date(2026, 3, 2)
    assert schedules.render_title("Newsletter {date}", day) == "Newsletter 2026-03-02"
    assert schedules.render_title("Week {week}/{year}", day) == "Week 10/2026"
    assert schedules.render_title("Analysis {month}.{year} {{draft}}", day) == (
        "Analysis 03.2026 {draft}"
    )
    for bad in ["", "Newsletter {day}", "Oops {date", "x {date!r}", "x {date:>10}", "{0}"]:
        with pytest.raises(DomainError):
            schedules.check_title_pattern(bad)


# --- schedules and launches --------------------------------------------------------------

MONDAY = utc(2026, 3, 2, 6)  # 09:00 in Moscow, an hour before the first run


def newsletter_schedule(by="head@demo.local", rule="0 10 * * 1", now=MONDAY, **extra):
    options = {
        "title_pattern": "Newsletter {date}",
        "values": {"goal": "The week's news", "segment": "Customers"},
        "roles": {"Marketer": user("marketer@demo.local").id},
    } | extra
    schedule = schedules.create_schedule(template("newsletter"), user(by), rule, now=now, **options)
    db.session.commit()
    return schedule


def items():
    db.session.expire_all()
    return list(db.session.scalars(db.select(ProcessInstance).order_by(ProcessInstance.id)))


def runs(schedule):
    query = db.select(ScheduleRun).where(ScheduleRun.schedule_id == schedule.id)
    return list(db.session.scalars(query.order_by(ScheduleRun.slot_at)))


def test_create_stores_the_rule_and_the_first_run(processes):
    schedule = newsletter_schedule()
    assert schedule.rule == "0 10 * * 1" and schedule.active
    assert schedule.next_run_at == utc(2026, 3, 2, 7)
    assert schedule.values == {"goal": "The week's news", "segment": "Customers"}
    assert schedule.roles == {"Marketer": user("marketer@demo.local").id}
    assert schedule.launched_by.email == "head@demo.local"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"rule": "every monday"}, "is not a schedule rule"),
        ({"title_pattern": "Newsletter {day}"}, "may use {date}"),
        ({"values": {"segment": "Customers"}}, "Fill in"),
        ({"values": {"goal": "x", "segment": "Aliens"}}, "choose one of the options"),
        ({"roles": {}}, "Choose who will be “Marketer”"),
    ],
)
def test_create_refuses_bad_input(processes, extra, message):
    with pytest.raises(DomainError) as refused:
        newsletter_schedule(**extra)
    assert message in str(refused.value.message)


def test_only_template_managers_manage_schedules(processes):
    for email in ("marketer@demo.local", "sales.head@demo.local"):
        with pytest.raises(PermissionDenied):
            newsletter_schedule(by=email)
    schedule = newsletter_schedule(by="admin@demo.local")
    for action in (
        lambda who: schedules.set_active(schedule, who, False),
        lambda who: schedules.delete_schedule(schedule, who),
    ):
        with pytest.raises(PermissionDenied):
            action(user("marketer@demo.local"))
    schedules.set_active(schedule, user("head@demo.local"), False)
    schedules.delete_schedule(schedule, user("head@demo.local"))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(ProcessSchedule.id))) == 0


def test_a_due_schedule_launches_one_item(processes):
    schedule = newsletter_schedule()
    assert schedules.launch_due(utc(2026, 3, 2, 6, 59)) == []
    launched = schedules.launch_due(utc(2026, 3, 2, 7, 0, 30))
    db.session.commit()
    assert len(launched) == 1
    item = items()[0]
    assert item.title == "Newsletter 2026-03-02"
    assert item.launched_by.email == "head@demo.local"
    assert item.values["goal"] == "The week's news" and item.values["segment"] == "Customers"
    assert item.assignee.email == "marketer@demo.local"  # the Marketer role's first stage
    db.session.refresh(schedule)
    assert schedule.next_run_at == utc(2026, 3, 9, 7)
    assert schedule.last_run_at == utc(2026, 3, 2, 7, 0, 30)
    assert [(r.slot_at, r.instance_id) for r in runs(schedule)] == [(utc(2026, 3, 2, 7), item.id)]
    assert schedules.launch_due(utc(2026, 3, 2, 7, 5)) == []  # the same minute, again


def test_after_downtime_a_missed_schedule_launches_once(processes):
    schedule = newsletter_schedule()
    # Down from 1 March to 25 March: the slots of 2, 9, 16 and 23 March were missed.
    now = utc(2026, 3, 25, 12)
    launched = schedules.launch_due(now)
    db.session.commit()
    assert [i.title for i in launched] == ["Newsletter 2026-03-23"]  # the latest slot only
    db.session.refresh(schedule)
    assert schedule.next_run_at == utc(2026, 3, 30, 7) and schedule.next_run_at > now
    assert schedules.launch_due(now + timedelta(minutes=1)) == []
    assert len(items()) == 1 and len(runs(schedule)) == 1


def test_the_date_in_the_title_is_the_company_day(processes, app):
    # 00:30 on the 1st in Moscow is still the last day of the month in UTC.
    schedule = newsletter_schedule(rule="30 0 1 * *", title_pattern="Digest {year}-{month}")
    assert schedule.next_run_at == utc(2026, 3, 31, 21, 30)
    [item] = schedules.launch_due(utc(2026, 3, 31, 21, 31))
    assert item.title == "Digest 2026-04"


def test_a_slot_another_tick_claimed_is_not_launched_again(processes):
    schedule = newsletter_schedule()
    # Another tick has just launched the slot of 2 March but not yet moved the next run on.
    db.session.add(ScheduleRun(schedule_id=schedule.id, slot_at=utc(2026, 3, 2, 7)))
    db.session.commit()
    assert schedules.launch_due(utc(2026, 3, 2, 7, 1)) == []
    db.session.commit()
    db.session.refresh(schedule)
    assert items() == [] and len(runs(schedule)) == 1
    assert schedule.next_run_at == utc(2026, 3, 9, 7)  # not stuck on the claimed slot
    assert len(schedules.launch_due(utc(2026, 3, 9, 7, 1))) == 1


def test_an_item_that_cannot_start_is_skipped_and_logged(processes, caplog):
    schedule = newsletter_schedule()
    user("marketer@demo.local").active = False  # the Marketer role's person left
    db.session.commit()
    assert schedules.launch_due(utc(2026, 3, 2, 7, 1)) == []
    db.session.commit()
    db.session.refresh(schedule)
    assert "did not launch" in caplog.text and "Marketer" in caplog.text
    assert items() == [] and [r.instance_id for r in runs(schedule)] == [None]
    assert schedule.next_run_at == utc(2026, 3, 9, 7)  # it tries again at the next slot


def test_paused_schedules_wait_and_resume_from_the_next_slot(processes):
    schedule = newsletter_schedule()
    schedules.set_active(schedule, user("head@demo.local"), False)
    db.session.commit()
    assert schedules.launch_due(utc(2026, 3, 20)) == []
    schedules.set_active(schedule, user("head@demo.local"), True, now=utc(2026, 3, 20))
    db.session.commit()
    assert schedule.next_run_at == utc(2026, 3, 23, 7)  # the paused weeks are not made up


def test_an_rrule_with_an_end_stops(processes):
    rule = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;COUNT=2"
    schedule = newsletter_schedule(rule=rule)
    assert len(schedules.launch_due(utc(2026, 3, 2, 8))) == 1
    assert len(schedules.launch_due(utc(2026, 3, 9, 8))) == 1
    db.session.commit()
    db.session.refresh(schedule)
    assert schedule.next_run_at is None and not schedule.active
    with pytest.raises(DomainError):
        schedules.set_active(schedule, user("head@demo.local"), True, now=utc(2026, 3, 9, 8))


def test_the_tick_launches_schedules(processes, app):

    newsletter_schedule()
    report = tick.tick(utc(2026, 3, 2, 7, 1))
    assert report.counts["launched"] == 1
    assert tick.tick(utc(2026, 3, 2, 7, 2)).counts["launched"] == 0
    assert len(items()) == 1


def test_demo_schedules_are_loaded_once(processes):

    first = process_seeds.load_demo_schedules("en")
    second = process_seeds.load_demo_schedules("en")
    db.session.commit()
    assert first.created == {"process schedules": 2} and second.created == {}
    rules = {s.template.slug: s.rule for s in db.session.scalars(db.select(ProcessSchedule))}
    assert rules == {"newsletter": "0 10 * * 1", "competitor-analysis": "0 10 1 * *"}


def test_two_ticks_at_once_launch_a_slot_once(processes, app):
    """Two real connections on Postgres: both see the schedule due before either claims."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs Postgres: SQLite lets one writer in at a time")
    schedule_id = newsletter_schedule().id
    now = utc(2026, 3, 2, 7, 1)
    both_read = threading.Barrier(2, timeout=10)
    real_due = schedules._due_schedules

    def due_then_wait(at):
        found = real_due(at)
        both_read.wait()
        return found

    results, errors = [], []

    def tick():
        with app.app_context():
            try:
                launched = schedules.launch_due(now)
                db.session.commit()
                results.append(len(launched))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    schedules._due_schedules = due_then_wait
    try:
        threads = [threading.Thread(target=tick) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        schedules._due_schedules = real_due
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(items()) == 1
    assert (
        db.session.scalar(
            db.select(db.func.count(ScheduleRun.id)).where(ScheduleRun.schedule_id == schedule_id)
        )
        == 1
    )
    assert db.session.get(ProcessSchedule, schedule_id).next_run_at == utc(2026, 3, 9, 7)


# --- the schedules page ------------------------------------------------------------------


def page_url(slug="newsletter"):
    return f"/processes/{template(slug).id}/schedules"


PRESET_FORM = {
    "repeat": "weekly",
    "weekday": "0",
    "time": "10:00",
    "day": "1",
    "rule": "",
    "title_pattern": "Newsletter {date}",
    "field-goal": "The week's news",
    "field-segment": "Customers",
}


def test_the_page_is_for_template_managers(processes, client, auth):
    url = page_url()
    auth.login("marketer@demo.local")
    assert client.get(url).status_code == 403
    assert client.post(url, data=PRESET_FORM).status_code == 403
    auth.logout()
    auth.login("head@demo.local")
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Add a schedule" in html and "Every 2 weeks" in html and "Europe/Moscow" in html
    assert "Marketer" in html  # the role to fill
    assert f'href="{url}"' in client.get(f"/processes/{template('newsletter').id}/edit").get_data(
        as_text=True
    )


def test_create_with_a_preset(processes, client, auth):
    auth.login("head@demo.local")
    marketer = user("marketer@demo.local").id
    form = PRESET_FORM | {"role-0": str(marketer)}
    response = client.post(page_url(), data=form)
    assert response.status_code == 302
    [schedule] = db.session.scalars(db.select(ProcessSchedule)).all()
    assert schedule.rule == "0 10 * * 1"
    assert schedule.roles == {"Marketer": marketer}
    assert schedule.values == {"goal": "The week's news", "segment": "Customers"}
    html = client.get(page_url()).get_data(as_text=True)
    assert "The schedule is added." in html
    assert "Weekly: Monday, 10:00" in html and "Newsletter {date}" in html


def test_create_with_a_custom_rule(processes, client, auth):
    auth.login("head@demo.local")
    form = PRESET_FORM | {
        "repeat": "custom",
        "rule": "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0",
        "role-0": str(user("marketer@demo.local").id),
    }
    assert client.post(page_url(), data=form).status_code == 302
    schedule = db.session.scalar(db.select(ProcessSchedule))
    assert schedule.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0"
    assert "Every 2 weeks: Thursday, 10:00" in client.get(page_url()).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"repeat": "custom", "rule": "every monday"}, "is not a schedule rule"),
        ({"repeat": "custom", "rule": "* * * * *"}, "at most once an hour"),
        (
            {"repeat": "custom", "rule": "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"},
            "A schedule repeats daily, weekly, monthly or yearly",
        ),
        (
            {"repeat": "custom", "rule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"},
            "This rule never comes again",
        ),
        ({"time": "25:99"}, "Write the time as HH:MM"),
        ({"repeat": "yearly"}, "Choose how often"),
        ({"title_pattern": ""}, "Give the items a title"),
        ({"role-0": ""}, "Choose who will be"),
        ({"role-0": "abc"}, "Choose who will be"),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(processes, client, auth, changes, message):
    auth.login("head@demo.local")
    form = PRESET_FORM | {"role-0": str(user("marketer@demo.local").id)} | changes
    response = client.post(page_url(), data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"').replace("&#39;", "'")
    assert 'role="alert"' in html
    assert db.session.scalar(db.select(db.func.count(ProcessSchedule.id))) == 0


@at_every_moment
def test_pause_resume_and_delete(processes, client, auth):
    schedule_id = newsletter_schedule(now=clock.now()).id
    base = f"{page_url()}/{schedule_id}"
    auth.login("marketer@demo.local")
    assert client.post(f"{base}/pause").status_code == 403
    auth.logout()
    auth.login("head@demo.local")
    assert client.post(f"{base}/pause", csrf=False).status_code == 400
    assert client.post(f"{base}/pause").status_code == 302
    db.session.expire_all()
    assert not db.session.get(ProcessSchedule, schedule_id).active
    assert "paused" in client.get(page_url()).get_data(as_text=True)
    assert client.post(f"{base}/resume").status_code == 302
    db.session.expire_all()
    resumed = db.session.get(ProcessSchedule, schedule_id)
    assert resumed.active and resumed.next_run_at > clock.now()
    other = page_url("competitor-analysis")
    assert client.post(f"{other}/{schedule_id}/delete").status_code == 404
    assert client.post(f"{base}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(ProcessSchedule, schedule_id) is None
    assert client.post(f"{base}/delete").status_code == 404


def test_a_schedule_stops_launching_when_its_maker_no_longer_manages_the_process(processes, caplog):
    schedule = newsletter_schedule()
    head = user("head@demo.local")  # no longer heads the department of the process
    for department in db.session.scalars(
        db.select(Department).where(Department.head_id == head.id)
    ):
        department.head_id = None
    db.session.commit()
    assert schedules.launch_due(utc(2026, 3, 2, 7, 1)) == []
    db.session.commit()
    assert items() == [] and "no longer manages this process" in caplog.text
    db.session.refresh(schedule)
    assert schedule.next_run_at == utc(2026, 3, 9, 7)
