"""Projects: workgroups, tasks with subtasks, checklists, dependencies and attachments.

A project template is a project with ``is_template`` set: saving as a template, creating
from a template and duplicating are one copy operation.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.labels import LabelledEnum
from mkflow.models.columns import stored_enum
from mkflow.models.people import Department, User


class MemberRole(LabelledEnum):
    MANAGER = "manager", _l("Manager")
    MEMBER = "member", _lp("project", "Member")
    OBSERVER = "observer", _l("Observer")


class TaskStatus(LabelledEnum):
    ASSIGNED = "assigned", _l("Assigned")
    IN_PROGRESS = "in_progress", _l("In progress")
    ON_REVIEW = "on_review", _l("On review")
    REOPENED = "reopened", _l("Reopened")
    DONE = "done", _l("Done")


class LinkKind(LabelledEnum):
    """How a dependency ties the successor's dates to the predecessor's."""

    FS = "fs", _l("Finish to start")
    SS = "ss", _l("Start to start")
    FF = "ff", _l("Finish to finish")
    SF = "sf", _l("Start to finish")


class Project(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    start_date: Mapped[date]
    # Automatic: dependent tasks move when a task's dates move. Manual: broken links are flagged.
    auto_schedule: Mapped[bool] = mapped_column(default=True)
    is_template: Mapped[bool] = mapped_column(default=False, server_default=false())
    archived_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())

    department: Mapped[Department | None] = relationship(lazy="joined")
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id], lazy="joined")
    members: Mapped[list["ProjectMember"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectMember.id"
    )

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"


class ProjectMember(db.Model):
    """A person in the workgroup, or a whole department watching it (always an observer)."""

    __table_args__ = (
        # Named: the convention would give both the same name, which Postgres refuses.
        UniqueConstraint("project_id", "user_id", name="uq_project_member_user"),
        UniqueConstraint("project_id", "department_id", name="uq_project_member_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    role: Mapped[MemberRole] = mapped_column(stored_enum(MemberRole), default=MemberRole.MEMBER)
    # The person's job in this project ("Designer"); template tasks are assigned by it.
    duty: Mapped[str] = mapped_column(String(80), default="")

    project: Mapped[Project] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")


class Task(db.Model):
    # A board column's order (migration 0011): soonest due first; in Done the latest done.
    __table_args__ = (
        Index("ix_task_column", "project_id", "status", "due_date", "position", "id"),
        Index("ix_task_done", "project_id", "status", "status_changed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    description_html: Mapped[str] = mapped_column(Text, default="")  # sanitised on save
    status: Mapped[TaskStatus] = mapped_column(stored_enum(TaskStatus), default=TaskStatus.ASSIGNED)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    start_date: Mapped[date | None]
    due_date: Mapped[date | None]
    milestone: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())
    status_changed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    project: Mapped[Project] = relationship()
    parent: Mapped["Task | None"] = relationship(remote_side=[id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title!r}>"


class TaskLink(db.Model):
    """A dependency: ``successor`` is scheduled after ``predecessor`` by ``kind`` and ``lag``."""

    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    successor_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(stored_enum(LinkKind, length=2), default=LinkKind.FS)
    lag: Mapped[int] = mapped_column(default=0)  # working days, may be negative

    predecessor: Mapped[Task] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Task] = relationship(foreign_keys=[successor_id])


class ChecklistItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class Attachment(db.Model):
    """A file on a task; stored under instance/ by a random name, never by the user's name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # cleaned name shown and sent back
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")
