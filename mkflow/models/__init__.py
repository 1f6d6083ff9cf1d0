"""Database models; import from here so Alembic sees every table."""

from mkflow.models.activity import Comment, Event, EventKind, Notification, Watcher
from mkflow.models.calendar import CalendarDay, DayKind
from mkflow.models.mail import Channel, MailPreference, MailStatus, OutboxMessage
from mkflow.models.people import Department, Group, Role, User, Visibility, group_members
from mkflow.models.processes import (
    DueUnit,
    FieldDef,
    FieldMode,
    FieldType,
    InstanceState,
    PickRule,
    ProcessInstance,
    ProcessTemplate,
    Responsible,
    Stage,
    StageKind,
    TemplateVersion,
)
from mkflow.models.projects import (
    Attachment,
    ChecklistItem,
    LinkKind,
    MemberRole,
    Project,
    ProjectMember,
    Task,
    TaskLink,
    TaskStatus,
)
from mkflow.models.scheduling import ProcessSchedule, Reminder, ScheduleRun
from mkflow.models.security import LoginFailure, LoginSession
from mkflow.models.sharing import ShareLink

__all__ = [
    "CalendarDay",
    "DayKind",
    "ScheduleRun",
    "Reminder",
    "ProcessSchedule",
    "OutboxMessage",
    "MailStatus",
    "MailPreference",
    "Channel",
    "Attachment",
    "ChecklistItem",
    "MemberRole",
    "Project",
    "ProjectMember",
    "Task",
    "TaskLink",
    "TaskStatus",
    "Comment",
    "Department",
    "DueUnit",
    "Event",
    "EventKind",
    "LinkKind",
    "FieldDef",
    "FieldMode",
    "FieldType",
    "Group",
    "InstanceState",
    "LoginFailure",
    "LoginSession",
    "Notification",
    "PickRule",
    "ProcessInstance",
    "ProcessTemplate",
    "Responsible",
    "Role",
    "ShareLink",
    "Stage",
    "StageKind",
    "TemplateVersion",
    "User",
    "Visibility",
    "Watcher",
    "group_members",
]
