"""Work that time starts, run by ``flask --app app tick`` (the worker runs it every minute):
items whose publication date has come move on, scheduled processes launch, reminders and
daily digests go out. Each step is safe to run twice at once."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from mkflow.activity import reminders
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.mail import digest, outbox
from mkflow.processes import engine, schedules

log = logging.getLogger("mkflow.tick")


@dataclass
class TickReport:
    counts: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{name}: {count}" for name, count in self.counts.items()]
        return ", ".join(parts + [f"failed: {name}" for name in self.failed])


def tick(now: datetime) -> TickReport:
    """One round of every time-driven step, each committed on its own: a step that fails is
    logged and rolled back, and the others still run."""
    steps = (
        ("moved on", lambda: len(engine.tick(clock.company_today(now), at=now))),
        ("launched", lambda: len(schedules.launch_due(now))),
        ("reminders", lambda: reminders.send_due(now)),
        ("digests", lambda: digest.queue_due(now)),
        ("old mail removed", lambda: outbox.prune(now)),
    )
    report = TickReport()
    for name, step in steps:
        try:
            report.counts[name] = step()
            db.session.commit()
        except Exception:
            log.exception("The tick's step %r failed", name)
            db.session.rollback()
            report.failed.append(name)
    return report
