"""Deadline reminders, sent by the tick: work due by the end of the next working day and
overdue work, once per item however often the tick runs, and overdue stages escalated to the
department head where the process template asks for it.

Days are the company's calendar days (``BABEL_DEFAULT_TIMEZONE``) and working days those of
its working calendar (``mkflow.people.calendar``): on Friday the work due on Saturday, Sunday
or Monday is "due on the next working day", reminded once (the reminder is filed under that
working day, so the weekend's ticks do not repeat it). Overdue reminders and escalations go
out once per working day; on a day off nobody is chased. Stage due times are naive UTC, task
due dates are calendar days.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mkflow.activity.notify import notify
from mkflow.core import clock
from mkflow.core.database import begin_write, db
from mkflow.models import (
    Department,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Project,
    Reminder,
    Task,
    TaskStatus,
    User,
)
from mkflow.people import calendar

DUE_TOMORROW, OVERDUE, ESCALATED = "due_tomorrow", "overdue", "escalated"
# Nobody is reminded of work received less than this much working time ago (a one-day stage
# handed on is due tomorrow, and its holder was told of it a moment ago): a later tick
# sends the reminder once this has passed, if the work is still due.
SETTLING = timedelta(hours=4)


def send_due(now: datetime) -> int:
    """Remind the holders of process items and the assignees of open tasks that are due by
    the next working day or (on a working day) overdue, and escalate overdue stages; returns
    how many reminders went out.
    ``now`` is naive UTC. The caller commits."""
    today = clock.company_today(now)
    cal = calendar.company_calendar()
    working = cal.is_workday(today)
    next_working = cal.add(today, 1)
    begin_write()  # each reminder's claim is a savepoint inside the tick's transaction
    sent = _already_sent((today, next_working))
    count = 0

    def day_of(kind: str) -> date:  # the day a reminder is filed under
        return next_working if kind == DUE_TOMORROW else today

    def settled(received: datetime | None) -> bool:
        return received is None or _working_time(received, now, cal) >= SETTLING

    for instance, kind in _instances_due(now, today, next_working, overdue=working):
        subject = f"instance:{instance.id}"
        holder = instance.assignee
        if (
            holder is not None
            and settled(instance.stage_entered_at)
            and _claim(kind, subject, day_of(kind), sent)
        ):
            notify(holder, kind, actor=None, instance=instance, at=now)
            count += 1
        head = _head_to_escalate_to(instance, kind)
        if head is not None and _claim(ESCALATED, subject, today, sent):
            notify(head, ESCALATED, actor=None, instance=instance, at=now)
            count += 1
    for task, kind in _tasks_due(today, next_working, overdue=working):
        if settled(task.created_at) and _claim(kind, f"task:{task.id}", day_of(kind), sent):
            notify(task.assignee, kind, actor=None, task=task, at=now)
            count += 1
    db.session.flush()
    return count


def _working_time(start: datetime, end: datetime, cal) -> timedelta:
    """The part of [start, end) (naive UTC) that falls on the company's working days, counted
    no further than SETTLING (work received months ago settled long since)."""
    total, day = timedelta(), clock.company_today(start)
    while total < SETTLING:
        day_start, day_end = _day_starts_utc(day)
        if day_start >= end:
            break
        if cal.is_workday(day):
            total += max(timedelta(), min(end, day_end) - max(start, day_start))
        day += timedelta(days=1)
    return total


def _already_sent(days: tuple[date, ...]) -> set[tuple[str, str, date]]:
    """Reminders filed under these days already (by an earlier tick): skipped without a try."""
    rows = db.session.execute(
        select(Reminder.kind, Reminder.subject, Reminder.day).where(Reminder.day.in_(days))
    )
    return {(kind, subject, day) for kind, subject, day in rows}


def _claim(kind: str, subject: str, day: date, sent: set[tuple[str, str, date]]) -> bool:
    """Record the reminder; False when it was sent already, also by a tick running at the
    same time (the unique key refuses the second row, inside a savepoint so that only this
    row is undone)."""
    if (kind, subject, day) in sent:
        return False
    sent.add((kind, subject, day))
    try:
        with db.session.begin_nested():
            db.session.add(Reminder(kind=kind, subject=subject, day=day))
    except IntegrityError:
        return False
    return True


def _day_starts_utc(day: date) -> tuple[datetime, datetime]:
    """The company's calendar day ``day`` as a naive UTC interval [start, end)."""
    zone = clock.company_zone()

    def start_of(d: date) -> datetime:
        return datetime.combine(d, time(), zone).astimezone(UTC).replace(tzinfo=None)

    return start_of(day), start_of(day + timedelta(days=1))


def _instances_due(
    now: datetime, today: date, next_working: date, *, overdue: bool
) -> list[tuple[ProcessInstance, str]]:
    """Active items whose current stage is due after today and by the end of the next
    working day, or (when ``overdue``) is overdue, in one query (with their holder,
    template, department and its head)."""
    start = _day_starts_utc(today + timedelta(days=1))[0]
    end = _day_starts_utc(next_working)[1]
    due = ProcessInstance.stage_due_at
    late = due < now if overdue else false()
    query = (
        select(ProcessInstance)
        .options(
            joinedload(ProcessInstance.template)
            .joinedload(ProcessTemplate.department)
            .joinedload(Department.head)
        )
        .where(
            ProcessInstance.state == InstanceState.ACTIVE,
            or_(late, and_(due >= start, due < end)),
        )
        .order_by(ProcessInstance.id)
    )
    return [
        (instance, OVERDUE if instance.stage_due_at < now else DUE_TOMORROW)
        for instance in db.session.scalars(query).unique()
    ]


def _head_to_escalate_to(instance: ProcessInstance, kind: str) -> User | None:
    """The department head, for an overdue stage of a template that escalates; not when
    they hold the item themselves (they have the reminder already)."""
    template = instance.template
    if kind != OVERDUE or not template.escalate_overdue or template.department is None:
        return None
    head = template.department.head
    if head is None or head.id == instance.assignee_id:
        return None
    return head


def _tasks_due(today: date, next_working: date, *, overdue: bool) -> list[tuple[Task, str]]:
    """Open tasks with an assignee of live projects, due after today and by the next
    working day, or (when ``overdue``) before today."""
    late = Task.due_date < today if overdue else false()
    query = (
        select(Task)
        .join(Project, Task.project_id == Project.id)
        .where(
            Task.status != TaskStatus.DONE,
            Task.assignee_id.is_not(None),
            or_(late, and_(Task.due_date > today, Task.due_date <= next_working)),
            Project.is_template == false(),
            Project.archived_at.is_(None),
        )
        .order_by(Task.id)
    )
    return [
        (task, OVERDUE if task.due_date < today else DUE_TOMORROW)
        for task in db.session.scalars(query).unique()
    ]
