"""What happens around work items (process instances and tasks): the audit trail, comments,
watchers, notifications. Each row belongs to an instance or to a task."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core.database import db
from mkflow.core.labels import LabelledEnum
from mkflow.models.columns import stored_enum
from mkflow.models.people import Department, User
from mkflow.models.processes import ProcessInstance, Stage
from mkflow.models.projects import Task, TaskStatus


class EventKind(LabelledEnum):
    """What an event records. ``label`` is its line in a history ("Anna approved");
    ``outcome`` names how an item's stay at a stage ended, in a table ("Approved")."""

    outcome: str | None

    def __new__(cls, value: str, label: str, outcome: str | None = None):
        member = str.__new__(cls, value)
        member._value_, member.label, member.outcome = value, label, outcome
        return member

    # A process item's events.
    LAUNCHED = "launched", _l("started the item")
    COMPLETED = "completed", _l("completed the stage"), _l("Completed")
    APPROVED = "approved", _l("approved"), _l("Approved")
    REJECTED = "rejected", _l("returned it for rework"), _l("Rejected")
    PUBLISHED = "published", _l("published"), _l("Published")
    REASSIGNED = "reassigned", _l("reassigned")
    MOVED_BACK = "moved_back", _l("moved it back"), _l("Moved back")
    CANCELLED = "cancelled", _l("cancelled the item"), _l("Cancelled")
    FIELDS = "fields", _l("changed fields")
    # A task's events; a move's event is named by the move ("start", "accept").
    CREATED = "created", _l("created the task")
    EDITED = "edited", _l("changed")
    START = "start", _l("started")
    OVERRIDE = "override", _l("started before its dependencies were done")
    SUBMIT = "submit", _l("submitted for review")
    ACCEPT = "accept", _l("accepted")
    REOPEN = "reopen", _l("reopened")
    RESCHEDULED = "rescheduled", _l("moved the dates")
    LINKED = "linked", _l("added a dependency on")
    UNLINKED = "unlinked", _l("removed the dependency on")


class Event(db.Model):
    """One change of a work item: who, when, what, from which stage to which, and why."""

    # The dashboards read a period's events into final stages and tasks' moves to "done".
    __table_args__ = (
        Index("ix_event_to_stage_at", "to_stage_id", "at"),
        Index("ix_event_to_status_at", "to_status", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[EventKind] = mapped_column(stored_enum(EventKind, 30))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"))
    # Task events record statuses instead of stages.
    from_status: Mapped[TaskStatus | None] = mapped_column(stored_enum(TaskStatus, 20))
    to_status: Mapped[TaskStatus | None] = mapped_column(stored_enum(TaskStatus, 20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    seconds_in_stage: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(index=True)

    instance: Mapped[ProcessInstance | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id], lazy="joined")
    to_stage: Mapped[Stage | None] = relationship(foreign_keys=[to_stage_id], lazy="joined")


class Comment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    html: Mapped[str] = mapped_column(Text)  # rendered and sanitised once, on save
    at: Mapped[datetime]

    author: Mapped[User] = relationship(lazy="joined")


class Watcher(db.Model):
    """A person or a whole department following a work item."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )

    user: Mapped[User | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")


class Notification(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # assigned, returned, approved, mentioned, ...
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE")
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(index=True)
    read_at: Mapped[datetime | None]
    # Waiting for its person's daily digest mail.
    in_digest: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)

    instance: Mapped[ProcessInstance | None] = relationship(lazy="joined")
    task: Mapped[Task | None] = relationship(lazy="joined")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
