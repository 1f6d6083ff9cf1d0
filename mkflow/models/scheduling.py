"""Work that time starts: recurring process launches and once-a-day reminders."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models.people import User
from mkflow.models.processes import ProcessTemplate


class ProcessSchedule(db.Model):
    """Launch an item of a template on a calendar rule: a cron expression ("0 10 * * 1")
    or an RRULE ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10"), in the company's time zone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("process_template.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(300))
    title_pattern: Mapped[str] = mapped_column(String(200))  # "Newsletter {date}"
    values: Mapped[dict] = mapped_column(JSON, default=dict)  # launch fields by key
    roles: Mapped[dict] = mapped_column(JSON, default=dict)  # role name -> user id
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    # The first slot not yet launched (naive UTC); a tick launches it once it has come.
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    last_run_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())

    template: Mapped[ProcessTemplate] = relationship()
    launched_by: Mapped[User | None] = relationship()


class ScheduleRun(db.Model):
    """A slot that was launched; the unique key keeps two ticks from launching it twice."""

    __table_args__ = (UniqueConstraint("schedule_id", "slot_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("process_schedule.id", ondelete="CASCADE"))
    slot_at: Mapped[datetime]
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())


class Reminder(db.Model):
    """A reminder sent: once per kind ("due_tomorrow", "overdue", "escalated"), item
    ("instance:12", "task:7") and day, however often the tick runs. A "due_tomorrow" one is
    filed under the working day it announces, overdue ones under the day they were sent."""

    __table_args__ = (UniqueConstraint("kind", "subject", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(40))
    day: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())
