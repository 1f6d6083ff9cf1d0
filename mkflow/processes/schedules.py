"""Recurring processes: a template's schedules launch an item on a calendar rule.

A rule is a cron expression ("0 10 * * 1": every Monday at 10:00) or an RRULE
("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10;BYMINUTE=0", with or without "RRULE:"), read
in the company's time zone: 10:00 stays 10:00 on the wall clock across DST changes. An
RRULE counts from the schedule's creation day (local midnight), so "every 2 weeks" keeps its
rhythm; without BYHOUR/BYMINUTE it runs at 00:00. An RRULE repeats daily, weekly, monthly
or yearly, and a search for its slots walks at most a century (``processes.recurrence``), so a
rule that never comes costs little. Stored moments are naive UTC.

``launch_due`` is run by the tick: each due schedule launches one item for the latest slot
that has come (after downtime a missed schedule launches once, not once per missed slot).
A slot is claimed by inserting its ScheduleRun first, in a savepoint: the unique
(schedule_id, slot_at) key makes a concurrent tick that claimed it first win, and the other
one skip it. Functions flush; the caller commits.
"""

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from croniter import CroniterBadCronError, CroniterBadDateError, croniter
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mkflow.core import clock
from mkflow.core.database import begin_write, db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.core.inputs import parse_int
from mkflow.models import ProcessInstance, ProcessTemplate, User
from mkflow.models.scheduling import ProcessSchedule, ScheduleRun
from mkflow.people.process_access import can_manage_template
from mkflow.processes import engine, recurrence

MIN_GAP = timedelta(hours=1)  # a schedule launches at most once an hour
MAX_RULE = 300  # ProcessSchedule.rule's length
MAX_PATTERN = 200
PLACEHOLDERS = ("date", "week", "month", "year")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RRULE names, Monday = 0


def _zone(zone: ZoneInfo | str | None) -> ZoneInfo:
    if zone is None:
        return clock.company_zone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def _to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """Naive UTC -> naive wall-clock time in ``zone``."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None, fold=0)


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive wall-clock time in ``zone`` -> naive UTC. A time repeated when clocks go back is
    its first occurrence; a time skipped when they go forward counts as the old offset's
    (02:30 on the spring change runs at 03:30)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC).replace(tzinfo=None)


# --- rules -------------------------------------------------------------------------------


def _bad_rule(text: str) -> DomainError:
    return DomainError(
        _l(
            "“%(rule)s” is not a schedule rule. Write a cron expression such as "
            "“0 10 * * 1” (every Monday at 10:00) or an RRULE such as "
            "“FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0”.",
            rule=text[:80],
        )
    )


def is_rrule(rule: str) -> bool:
    return "FREQ=" in rule.upper()


def normalize_rule(text: str) -> str:
    """The rule as stored: a cron expression with single spaces, or an upper-case RRULE
    without its "RRULE:" prefix. Raises DomainError for anything else."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Choose when the process starts."))
    if "\n" in text or "\r" in text or len(text) > MAX_RULE:
        raise _bad_rule(text)
    if is_rrule(text):
        rule = re.sub(r"\s+", "", text).upper()
        if rule.startswith("RRULE:"):
            rule = rule[len("RRULE:") :]
        if "DTSTART" in rule or ":" in rule:
            raise _bad_rule(text)
        try:
            recurrence.bounded(rule, datetime(2000, 1, 1))
        except recurrence.TooFrequent:
            raise DomainError(
                _l(
                    "A schedule repeats daily, weekly, monthly or yearly: write FREQ=DAILY, "
                    "WEEKLY, MONTHLY or YEARLY (with BYHOUR and BYMINUTE for the time)."
                )
            ) from None
        except (ValueError, TypeError, KeyError, IndexError):
            raise _bad_rule(text) from None
        return rule
    rule = " ".join(text.split())
    # Five fields only: croniter would also take a sixth (seconds) field.
    if len(rule.split(" ")) != 5 or not croniter.is_valid(rule):
        raise _bad_rule(text)
    return rule


def _anchor_local(anchor: datetime | None, after: datetime, zone: ZoneInfo) -> datetime:
    """An RRULE's DTSTART: local midnight of the schedule's creation day."""
    local = _to_local(anchor or after, zone)
    return datetime.combine(local.date(), time())


def _local_slots_after(rule: str, local_after: datetime, start_local: datetime) -> Iterator:
    """Wall-clock slots strictly after ``local_after``, in order: one walk of the calendar
    (an RRULE's may raise recurrence.SearchTooLong)."""
    if is_rrule(rule):
        yield from recurrence.bounded(rule, start_local).xafter(local_after, inc=False)
        return
    cron = croniter(rule, local_after)
    while True:
        try:
            yield cron.get_next(datetime)
        except (CroniterBadDateError, CroniterBadCronError):
            return


def _local_slots_until(rule: str, local_at: datetime, start_local: datetime) -> Iterator:
    """Wall-clock slots at or before ``local_at``, latest first."""
    if is_rrule(rule):
        found = recurrence.bounded(rule, start_local)
        current, inclusive = local_at, True
        while (current := found.before(current, inc=inclusive)) is not None:
            inclusive = False
            yield current
        return
    # croniter's get_prev is strictly before its start: start just after local_at.
    cron = croniter(rule, local_at.replace(microsecond=0) + timedelta(seconds=1))
    while True:
        try:
            yield cron.get_prev(datetime)
        except (CroniterBadDateError, CroniterBadCronError):
            return


SEARCH_LIMIT = 500  # slots looked at before giving up (a rule that never comes again)


def next_slot(
    rule: str,
    after: datetime,
    zone: ZoneInfo | str | None = None,
    *,
    anchor: datetime | None = None,
) -> datetime | None:
    """The first slot of ``rule`` strictly after ``after`` (naive UTC), computed on the wall
    clock of ``zone`` (default: the company's) and returned as naive UTC; None when the rule
    has no more slots. ``anchor`` (naive UTC, default ``after``) is when the schedule was made:
    an RRULE counts its intervals from that day."""
    found = upcoming_slots(rule, after, zone, anchor=anchor, count=1)
    return found[0] if found else None


def latest_slot(
    rule: str,
    at: datetime,
    zone: ZoneInfo | str | None = None,
    *,
    anchor: datetime | None = None,
) -> datetime | None:
    """The last slot of ``rule`` at or before ``at`` (naive UTC), or None."""
    zone = _zone(zone)
    start_local = _anchor_local(anchor, at, zone)
    slots = _local_slots_until(rule, _to_local(at, zone) + timedelta(hours=1), start_local)
    try:
        for n, local in enumerate(slots):
            moment = _to_utc(local, zone)
            if moment <= at:
                return moment
            if n >= SEARCH_LIMIT:
                break
    except recurrence.SearchTooLong:
        pass
    return None


def upcoming_slots(rule, after, zone=None, *, anchor=None, count: int = 5) -> list[datetime]:
    """The next ``count`` slots after ``after`` (naive UTC), found in one walk."""
    zone = _zone(zone)
    start_local = _anchor_local(anchor, after, zone)
    # An hour earlier: a wall-clock time repeated when the clocks go back is not skipped.
    local_slots = _local_slots_after(rule, _to_local(after, zone) - timedelta(hours=1), start_local)
    slots: list[datetime] = []
    try:
        for n, local in enumerate(local_slots):
            moment = _to_utc(local, zone)
            if moment > (slots[-1] if slots else after):
                slots.append(moment)
                if len(slots) == count:
                    break
            if n >= SEARCH_LIMIT + count:
                break
    except recurrence.SearchTooLong:
        pass  # none within a century: never, for a schedule
    return slots


def check_rule(rule: str, now: datetime, zone=None, *, anchor=None) -> str:
    """``rule`` normalized, or a DomainError: not a rule, never comes, or more often than
    once an hour."""
    rule = normalize_rule(rule)
    try:
        slots = upcoming_slots(rule, now, zone, anchor=anchor or now, count=24)
    except (ValueError, TypeError, KeyError, IndexError):  # dateutil finds some only walking
        raise _bad_rule(rule) from None
    if not slots:
        raise DomainError(_l("This rule never comes again: choose another one."))
    if any(later - earlier < MIN_GAP for earlier, later in zip(slots, slots[1:], strict=False)):
        raise DomainError(_l("A schedule may start the process at most once an hour."))
    return rule


# --- presets -----------------------------------------------------------------------------

PRESET_KINDS = {
    "weekly": _l("Every week"),
    "biweekly": _l("Every 2 weeks"),
    "monthly": _l("Every month"),
    "workdays": _l("Every working day (Monday to Friday)"),
}
LAST_DAY = -1


@dataclass(frozen=True)
class Preset:
    """A schedule offered in words: ``kind`` with its weekday (0 = Monday), day of the month
    (1..28 or LAST_DAY) and time."""

    kind: str
    hour: int = 10
    minute: int = 0
    weekday: int = 0
    day: int = 1

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def rule(self) -> str:
        h, m = self.hour, self.minute
        if self.kind == "weekly":
            return f"{m} {h} * * {(self.weekday + 1) % 7}"
        if self.kind == "biweekly":
            day = WEEKDAYS[self.weekday]
            return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day};BYHOUR={h};BYMINUTE={m}"
        if self.kind == "monthly" and self.day == LAST_DAY:
            return f"FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR={h};BYMINUTE={m}"
        if self.kind == "monthly":
            return f"{m} {h} {self.day} * *"
        if self.kind == "workdays":
            return f"{m} {h} * * 1-5"
        raise ValueError(self.kind)

    def words(self, locale: str | None = None) -> str:
        day_names = get_day_names("wide", locale=locale or get_locale() or "en")
        at = self.time_text
        if self.kind == "weekly":
            return str(
                _l("Weekly: %(weekday)s, %(time)s", weekday=day_names[self.weekday], time=at)
            )
        if self.kind == "biweekly":
            return str(
                _l("Every 2 weeks: %(weekday)s, %(time)s", weekday=day_names[self.weekday], time=at)
            )
        if self.kind == "monthly" and self.day == LAST_DAY:
            return str(_l("Monthly: the last day, %(time)s", time=at))
        if self.kind == "monthly":
            return str(_l("Monthly: day %(day)s, %(time)s", day=self.day, time=at))
        return str(_l("Working days (Monday to Friday), %(time)s", time=at))


def make_preset(kind: str, at: str, weekday=0, day=1) -> Preset:
    """A preset from form input ("weekly", "10:00", weekday 0..6, day 1..28 or -1)."""
    if kind not in PRESET_KINDS:
        raise DomainError(_l("Choose how often the process starts."))
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", (at or "").strip())  # ASCII digits only
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise DomainError(_l("Write the time as HH:MM, for example 10:00."))
    weekday, day = parse_int(weekday, 0, 6), parse_int(day, LAST_DAY, 28)
    if weekday is None or day is None or not (1 <= day <= 28 or day == LAST_DAY):
        raise DomainError(_l("Choose the day."))
    return Preset(kind, hour=int(match[1]), minute=int(match[2]), weekday=weekday, day=day)


_PRESET_PATTERNS = [
    ("weekly", re.compile(r"(?P<m>\d+) (?P<h>\d+) \* \* (?P<dow>[0-6])")),
    ("workdays", re.compile(r"(?P<m>\d+) (?P<h>\d+) \* \* 1-5")),
    ("monthly", re.compile(r"(?P<m>\d+) (?P<h>\d+) (?P<day>\d+) \* \*")),
    (
        "biweekly",
        re.compile(
            r"FREQ=WEEKLY;INTERVAL=2;BYDAY=(?P<wd>[A-Z]{2});BYHOUR=(?P<h>\d+);BYMINUTE=(?P<m>\d+)"
        ),
    ),
    ("monthly", re.compile(r"FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=(?P<h>\d+);BYMINUTE=(?P<m>\d+)")),
]


def preset_of(rule: str) -> Preset | None:
    """The preset ``rule`` was made from, if it was."""
    for kind, pattern in _PRESET_PATTERNS:
        match = pattern.fullmatch(rule)
        if not match:
            continue
        parts = match.groupdict()
        hour, minute = int(parts["h"]), int(parts["m"])
        if hour > 23 or minute > 59:
            return None
        weekday, day = 0, 1
        if parts.get("dow"):
            weekday = (int(parts["dow"]) - 1) % 7
        if parts.get("wd"):
            if parts["wd"] not in WEEKDAYS:
                return None
            weekday = WEEKDAYS.index(parts["wd"])
        if kind == "monthly":
            day = int(parts["day"]) if parts.get("day") else LAST_DAY
            if day != LAST_DAY and not 1 <= day <= 28:
                return None
        return Preset(kind, hour=hour, minute=minute, weekday=weekday, day=day)
    return None


def describe(rule: str) -> str | None:
    """The rule in words when it is a preset, else None (show the rule itself)."""
    preset = preset_of(rule)
    return preset.words() if preset else None


# --- title patterns ----------------------------------------------------------------------


def _pattern_parts(pattern: str):
    try:
        return list(string.Formatter().parse(pattern))
    except ValueError:
        raise DomainError(
            _l("The title has an unmatched brace; write “{{” or “}}” for a brace.")
        ) from None


def check_title_pattern(pattern: str) -> str:
    pattern = (pattern or "").strip()
    if not pattern:
        raise DomainError(_l("Give the items a title, for example “Newsletter {date}”."))
    if len(pattern) > MAX_PATTERN:
        raise DomainError(_l("The title is too long."))
    for _text, name, spec, conversion in _pattern_parts(pattern):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise DomainError(
                _l(
                    "The title may use {date}, {week}, {month} and {year}; “%(part)s” is not "
                    "one of them.",
                    part="{" + name + "}",
                )
            )
    return pattern


def render_title(pattern: str, slot_day: date) -> str:
    """The item's title for a slot on ``slot_day`` (the company's calendar day):
    {date} = 2026-03-02, {week} = ISO week number, {month} = 03, {year} = 2026."""
    values = {
        "date": slot_day.isoformat(),
        "week": str(slot_day.isocalendar().week),
        "month": f"{slot_day.month:02d}",
        "year": str(slot_day.year),
    }
    out = []
    for literal, name, _spec, _conversion in _pattern_parts(pattern):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out).strip()[:200]


# --- schedules ---------------------------------------------------------------------------


def _require_manager(template: ProcessTemplate, actor: User) -> None:
    if not can_manage_template(actor, template):
        raise PermissionDenied(
            _l("Only the department head or an administrator manages this process's schedules.")
        )


def _check_launch_data(template: ProcessTemplate, values: dict, roles: dict) -> tuple[dict, dict]:
    """The launch fields and roles as engine.launch will take them, checked now so that a
    mistake shows when the schedule is made rather than at its first run. The values kept
    leave out the empty ones and the defaults: each launch takes the defaults of its day."""
    version = engine.launch_version(template)
    cleaned = engine.launch_values(version, values, fill_defaults=False)
    return {k: v for k, v in cleaned.items() if v}, engine.launch_roles(template, roles)


def create_schedule(
    template: ProcessTemplate,
    actor: User,
    rule: str,
    title_pattern: str,
    values: dict | None = None,
    roles: dict | None = None,
    *,
    now: datetime | None = None,
) -> ProcessSchedule:
    """A schedule launching ``template`` on ``rule`` with the title pattern, launch field
    values (by key) and roles (role name -> user id); its items are launched by ``actor``."""
    _require_manager(template, actor)
    now = now or clock.now()
    rule = check_rule(rule, now, anchor=now)
    pattern = check_title_pattern(title_pattern)
    cleaned, filled = _check_launch_data(template, values or {}, roles or {})
    schedule = ProcessSchedule(
        template=template,
        rule=rule,
        title_pattern=pattern,
        values=cleaned,
        roles=filled,
        launched_by=actor,
        active=True,
        created_at=now,
        next_run_at=next_slot(rule, now, anchor=now),
    )
    db.session.add(schedule)
    db.session.flush()
    return schedule


def set_active(schedule: ProcessSchedule, actor: User, active: bool, *, now=None):
    """Pause or resume. A resumed schedule starts from its next slot: the slots missed while
    it was paused are not launched."""
    _require_manager(schedule.template, actor)
    if active:
        following = next_slot(schedule.rule, now or clock.now(), anchor=schedule.created_at)
        if following is None:
            raise DomainError(_l("This rule never comes again: choose another one."))
        schedule.next_run_at = following
    schedule.active = active
    db.session.flush()
    return schedule


def delete_schedule(schedule: ProcessSchedule, actor: User) -> None:
    _require_manager(schedule.template, actor)
    db.session.delete(schedule)  # its runs go with it (ON DELETE CASCADE)
    db.session.flush()


def schedules_of(template: ProcessTemplate) -> list[ProcessSchedule]:
    query = (
        select(ProcessSchedule)
        .where(ProcessSchedule.template_id == template.id)
        .order_by(ProcessSchedule.id)
    )
    return list(db.session.scalars(query))


def last_instances(schedules: list[ProcessSchedule]) -> dict[int, ProcessInstance]:
    """Each schedule's latest launched item."""
    if not schedules:
        return {}
    rows = db.session.execute(
        select(ScheduleRun.schedule_id, ProcessInstance)
        .join(ProcessInstance, ProcessInstance.id == ScheduleRun.instance_id)
        .where(ScheduleRun.schedule_id.in_([s.id for s in schedules]))
        .order_by(ScheduleRun.slot_at)
    )
    return {schedule_id: instance for schedule_id, instance in rows}


def _due_schedules(now: datetime) -> list[ProcessSchedule]:
    query = (
        select(ProcessSchedule)
        .where(ProcessSchedule.active.is_(True), ProcessSchedule.next_run_at <= now)
        .order_by(ProcessSchedule.id)  # one order for every tick: no deadlocks between them
    )
    return list(db.session.scalars(query))


def _claim(schedule: ProcessSchedule, slot: datetime) -> ScheduleRun | None:
    """Insert the slot's run in a savepoint; None when another tick has it already."""
    run = ScheduleRun(schedule_id=schedule.id, slot_at=slot)
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        return None
    return run


def launch_due(now: datetime | None = None) -> list[ProcessInstance]:
    """Launch one item for each active schedule whose next run has come: for the latest
    slot at or before ``now`` (naive UTC), once, then move its next run past ``now``. An item
    that cannot start (the template was archived, a role's person left) is logged and its
    slot counts as run."""
    now = now or clock.now()
    zone = clock.company_zone()
    launched = []
    begin_write()
    for schedule in _due_schedules(now):
        slot = latest_slot(schedule.rule, now, zone, anchor=schedule.created_at)
        if slot is None or slot < schedule.next_run_at:
            slot = schedule.next_run_at
        run = _claim(schedule, slot)
        following = next_slot(schedule.rule, max(now, slot), zone, anchor=schedule.created_at)
        if run is not None:
            instance = _launch(schedule, slot, zone, now)
            if instance is not None:
                run.instance_id = instance.id
                launched.append(instance)
            schedule.last_run_at = now
        # A slot another tick claimed is skipped, but the next run still moves on.
        schedule.next_run_at = following
        if following is None:
            schedule.active = False  # an RRULE with COUNT or UNTIL has ended
        db.session.flush()
    return launched


def _launch(schedule: ProcessSchedule, slot: datetime, zone: ZoneInfo, now: datetime):
    actor = schedule.launched_by
    title = render_title(schedule.title_pattern, _to_local(slot, zone).date())
    try:
        if actor is None or not actor.active:
            raise DomainError(_l("The person who made the schedule no longer works here."))
        if not can_manage_template(actor, schedule.template):
            raise DomainError(
                _l("The person who made the schedule no longer manages this process.")
            )
        with db.session.begin_nested():
            return engine.launch(
                schedule.template,
                actor,
                title=title,
                values=dict(schedule.values or {}),
                roles=dict(schedule.roles or {}),
                at=now,
            )
    except DomainError as refused:
        current_app.logger.warning(
            "Schedule %s of process %s did not launch “%s”: %s",
            schedule.id,
            schedule.template_id,
            title,
            refused.message,
        )
        return None
