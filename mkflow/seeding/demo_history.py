"""The demo company's past (seeds/demo/history.toml): finished process items over the last
months, each launched and moved by the engine at back-dated moments, mostly on time, some
late, some sent back once."""

import random
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import (
    FieldType,
    Notification,
    OutboxMessage,
    ProcessInstance,
    ProcessTemplate,
    StageKind,
    User,
)
from mkflow.people.calendar import company_calendar
from mkflow.processes import engine, rules
from mkflow.seeding.company_seeds import SeedReport, pick_locale, read_seed

LATE_SHARE, REWORK_SHARE = 0.15, 0.25  # of the items: finished late; sent back once


def load_demo_history(locale: str = "ru", path: str = "demo/history.toml") -> SeedReport:
    report = SeedReport()
    data = read_seed(path)
    users = {u.email: u for u in db.session.scalars(select(User))}
    templates = {t.slug: t for t in db.session.scalars(select(ProcessTemplate))}
    calendar = company_calendar()
    today = clock.company_today()
    first = today - timedelta(weeks=data["weeks"])
    if db.session.scalar(
        select(ProcessInstance.id)
        .where(ProcessInstance.created_at < clock.company_moment(first + timedelta(days=7), 0))
        .limit(1)
    ):
        return report  # loaded before: the past is written once
    comments = [pick_locale(c, locale) for c in data["comments"]["rework"]]
    dice = random.Random(2026)  # the same past on every load
    for spec in data["processes"]:
        template = templates[spec["template"]]
        titles = [pick_locale(t, locale) for t in spec["titles"]]
        day, n = calendar.roll_forward(first), 0
        step = timedelta(days=max(1, int(spec["every_days"])))
        while day < today - timedelta(days=14):  # what started lately is still running
            title = f"{titles[n % len(titles)]} · {_short(day, locale)}"
            item = _one_item(template, spec, users, title, day, calendar, comments, dice)
            if item is not None and not item.is_active:
                report.count("finished items")
            n += 1
            day = calendar.roll_forward(day + step)
    db.session.flush()
    return report


def _short(day: date, locale: str) -> str:
    return day.strftime("%d.%m") if locale == "ru" else f"{day.day} {day:%b}"


def _one_item(template, spec, users, title, day, calendar, comments, dice):
    version = template.current_version
    stages = {s.key: s for s in version.stages}
    head = template.department.head if template.department else None
    chosen = {stages[k].role: users[email].id for k, email in spec.get("roles", {}).items()}
    roles = {
        role: chosen.get(role, head.id if head else None) for role in engine.roles_of(template)
    }
    late, rework = dice.random() < LATE_SHARE, dice.random() < REWORK_SHARE
    deadline = calendar.add(day, 8)
    publish_on = (
        # published on the deadline day: finished then, on time unless the work ran late
        deadline if any(s.kind == StageKind.WAIT for s in version.stages) else None
    )
    launcher = head or users["head@demo.local"]
    at = clock.company_moment(day, 10 + dice.random())
    values = {f.key: _filler(f, title) for f in version.fields if f.at_launch and f.required}
    item = engine.launch(
        template,
        launcher,
        title=title,
        values=values,
        roles=roles,
        deadline=deadline,
        publish_on=publish_on,
        at=at,
    )
    sent_back = False
    while item.is_active:
        stage, holder = item.stage, item.assignee
        if holder is None:  # nobody fits the stage: the demo does not guess
            return item
        hours = dice.uniform(2, 14) * (9 if late else 1)  # a late one drags at every step
        at += timedelta(hours=hours)
        actions = engine.available_actions(item, holder)
        if stage.kind == StageKind.WAIT:
            at = max(at, clock.company_moment(item.publish_on or at.date(), 10))
            action = rules.Action.PUBLISH
        elif rework and not sent_back and rules.Action.REJECT in actions:
            action, sent_back = rules.Action.REJECT, True
        else:
            action = next(a for a in actions if a != rules.Action.REJECT)
        if at >= clock.now():
            return item
        filled = {
            f.key: _filler(f, title)
            for f in version.fields
            if stage.mode_for(f.key) == "require" and not item.values.get(f.key)
        }
        comment = dice.choice(comments) if action == rules.Action.REJECT else ""
        engine.act(
            item,
            holder,
            action,
            expected_version=None,
            values=filled or None,
            comment=comment,
            at=at,
        )
    return item


def _filler(field, title: str) -> str:
    """A plausible value for a field the stage asks for."""
    slug = "".join(c if c.isalnum() else "-" for c in title.lower())[:40].strip("-")
    match field.type:
        case FieldType.URL:
            return f"https://docs.demo.local/{field.key}/{slug}"
        case FieldType.CHOICE:
            return field.choice_list[0] if field.choice_list else ""
        case FieldType.NUMBER:
            return "1"
        case FieldType.CHECKBOX:
            return "1"
        case FieldType.DATE:
            return clock.company_today().isoformat()
        case FieldType.USER:
            return ""
    return title


def last_notice_id() -> int:
    """Where the notices a demo load writes will start (see settle_old_notifications)."""
    return db.session.scalar(select(func.max(Notification.id))) or 0


def settle_old_notifications(after_id: int, days: int = 2) -> None:
    """The notices the demo just wrote (ids after ``after_id``) that are older than a few
    days were read then (the past, the projects moved along their dates); their mail is not
    sent now. Nobody else's notices are touched."""
    old = (Notification.id > after_id) & (Notification.at < clock.now() - timedelta(days=days))
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.notification_id.in_(select(Notification.id).where(old))
        )
    )
    db.session.execute(
        update(Notification)
        .where(old, Notification.read_at.is_(None))
        .values(read_at=Notification.at)
    )
