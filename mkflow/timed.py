"""Work that time starts, run by ``flask --app app tick`` (the worker runs it every minute):
items whose publication date has come move on, scheduled processes launch, reminders and
daily digests go out. Each step is safe to run twice at once."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from mkflow.extensions import db


@dataclass
class TickReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in self.counts.items())


def company_today(now: datetime):
    """The company's calendar day at ``now`` (naive UTC)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return now.replace(tzinfo=UTC).astimezone(zone).date()


def tick(now: datetime) -> TickReport:
    """One round of every time-driven step, each committed on its own so that one failing
    step does not hold back the others."""
    from mkflow import reminders, schedules
    from mkflow.mail import digest
    from mkflow.workflow import engine

    report = TickReport()
    moved = engine.tick(company_today(now), at=now)
    db.session.commit()
    report.counts["moved on"] = len(moved)
    launched = schedules.launch_due(now)
    db.session.commit()
    report.counts["launched"] = len(launched)
    report.counts["reminders"] = reminders.send_due(now)
    db.session.commit()
    report.counts["digests"] = digest.queue_due(now)
    return report
