"""Business processes: versioned templates with fields and stages, and running instances."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.labels import LabelledEnum
from mkflow.models.columns import stored_enum
from mkflow.models.people import Department, Group, User


class StageKind(LabelledEnum):
    """One name per kind, in the editor, on the item's page and on the charts."""

    WORK = "work", _l("Work")
    APPROVAL = "approval", _l("Approval")
    # waits until the instance's publication date
    WAIT = "wait", _l("Wait until the publication date")
    FINAL = "final", _l("Final stage")


class Responsible(LabelledEnum):
    USER = "user", _l("A named person")
    GROUP = "group", _l("A group")
    LAUNCHER = "launcher", _l("Whoever started the process")
    # a person named at launch, e.g. "copywriter for this article"
    ROLE = "role", _l("A role filled in at start")


class PickRule(LabelledEnum):
    FIRST = "first", _l("Always the first")
    LEAST_LOADED = "least_loaded", _l("The least loaded")
    ROUND_ROBIN = "round_robin", _l("In turn (round robin)")


class DueUnit(LabelledEnum):
    DAYS = "days", _l("working days")
    HOURS = "hours", _l("hours")


class FieldType(LabelledEnum):
    TEXT = "text", _l("Text")
    LONGTEXT = "longtext", _l("Long text")
    NUMBER = "number", _l("Number")
    DATE = "date", _l("Date")
    URL = "url", _l("Link")
    USER = "user", _l("Person")
    CHECKBOX = "checkbox", _l("Checkbox")
    CHOICE = "choice", _l("Single choice")


class FieldMode(LabelledEnum):
    HIDDEN = "hidden", _l("Hidden")
    SHOW = "show", _l("Shown")
    EDIT = "edit", _l("Editable")
    REQUIRE = "require", _l("Required")


class InstanceState(enum.StrEnum):
    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


class ProcessTemplate(db.Model):
    """The stable identity of a process; its fields and stages live in versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    color: Mapped[str] = mapped_column(String(7), default="#2454c5")
    archived: Mapped[bool] = mapped_column(default=False)
    # An overdue stage is reported to the department head as well as its holder.
    escalate_overdue: Mapped[bool] = mapped_column(default=False, server_default=false())
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())

    department: Mapped[Department | None] = relationship(lazy="joined")
    current_version: Mapped["TemplateVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list["TemplateVersion"]] = relationship(
        back_populates="template",
        foreign_keys="TemplateVersion.template_id",
        order_by="TemplateVersion.number",
        cascade="all, delete-orphan",
    )


class TemplateVersion(db.Model):
    """A numbered set of fields and stages; published versions are never edited again."""

    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("process_template.id", ondelete="CASCADE"))
    number: Mapped[int]
    published_at: Mapped[datetime | None]

    template: Mapped[ProcessTemplate] = relationship(
        back_populates="versions", foreign_keys=[template_id]
    )
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="version", order_by="Stage.position", cascade="all, delete-orphan"
    )
    fields: Mapped[list["FieldDef"]] = relationship(
        back_populates="version", order_by="FieldDef.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class FieldDef(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # stable across versions
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(160))
    type: Mapped[FieldType] = mapped_column(stored_enum(FieldType), default=FieldType.TEXT)
    required: Mapped[bool] = mapped_column(default=False)  # at launch
    at_launch: Mapped[bool] = mapped_column(default=True)
    default: Mapped[str] = mapped_column(String(500), default="")
    choices: Mapped[str] = mapped_column(Text, default="")  # one per line, for CHOICE

    version: Mapped[TemplateVersion] = relationship(back_populates="fields")

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class Stage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # stable across versions: boards match on it
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[StageKind] = mapped_column(stored_enum(StageKind), default=StageKind.WORK)
    responsible: Mapped[Responsible | None] = mapped_column(stored_enum(Responsible))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id", ondelete="SET NULL"))
    pick_rule: Mapped[PickRule] = mapped_column(stored_enum(PickRule), default=PickRule.FIRST)
    role: Mapped[str] = mapped_column(String(80), default="")
    due_amount: Mapped[int] = mapped_column(default=0)
    due_unit: Mapped[DueUnit] = mapped_column(stored_enum(DueUnit), default=DueUnit.DAYS)
    instructions: Mapped[str] = mapped_column(Text, default="")
    reject_to_key: Mapped[str | None] = mapped_column(String(40))
    # field key -> FieldMode value; fields not listed are shown read-only
    field_modes: Mapped[dict] = mapped_column(JSON, default=dict)

    version: Mapped[TemplateVersion] = relationship(back_populates="stages")
    user: Mapped[User | None] = relationship()
    group: Mapped[Group | None] = relationship()

    def mode_for(self, field_key: str) -> FieldMode:
        return FieldMode(self.field_modes.get(field_key, FieldMode.SHOW))


class ProcessInstance(db.Model):
    """A card on a process board: one piece of work moving along the stages."""

    # A board reads one template's items by state; its final column, the newest finished;
    # a column, its stage's cards in order (due, id) a page at a time, and counts them (and
    # their people) from the index alone. Every page counts the person's waiting items.
    __table_args__ = (
        Index("ix_process_instance_board", "template_id", "state", "finished_at"),
        Index(
            "ix_process_instance_column",
            "template_id",
            "state",
            "stage_id",
            "stage_due_at",
            "id",
            "assignee_id",
        ),
        Index("ix_process_instance_waiting", "assignee_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("process_template.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id"))
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[InstanceState] = mapped_column(
        stored_enum(InstanceState), default=InstanceState.ACTIVE, index=True
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    launched_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    roles: Mapped[dict] = mapped_column(JSON, default=dict)  # role name -> user id
    deadline: Mapped[date | None]
    publish_on: Mapped[date | None]
    stage_entered_at: Mapped[datetime]
    stage_due_at: Mapped[datetime | None]
    rework_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    template: Mapped[ProcessTemplate] = relationship(lazy="joined")
    version: Mapped[TemplateVersion] = relationship()
    stage: Mapped[Stage] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    launched_by: Mapped[User] = relationship(foreign_keys=[launched_by_id])

    @property
    def is_active(self) -> bool:
        return self.state == InstanceState.ACTIVE
