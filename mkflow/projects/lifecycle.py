"""Projects and their workgroups: create, edit, members, archive and restore."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, NotFound, PermissionDenied
from mkflow.core.inputs import check_day
from mkflow.models import (
    Department,
    Event,
    EventKind,
    MemberRole,
    Project,
    ProjectMember,
    Task,
    TaskStatus,
    User,
)
from mkflow.people import project_access

MAX_NAME = 160


@dataclass
class ProjectData:
    name: str
    start_date: date
    description: str = ""
    department: Department | None = None
    manager: User | None = None
    auto_schedule: bool = True


def _clean(data: ProjectData) -> ProjectData:
    data.name = (data.name or "").strip()
    if not data.name:
        raise DomainError(_l("A project needs a name."))
    if len(data.name) > MAX_NAME:
        raise DomainError(_l("The name is too long (at most %(n)d characters).", n=MAX_NAME))
    if data.start_date is None:
        raise DomainError(_l("A project needs a start date."))
    check_day(data.start_date, _l("The start date"))
    return data


def create_project(actor: User, data: ProjectData, *, is_template: bool = False) -> Project:
    """Anyone may start a project; they manage it unless they name another manager."""
    data = _clean(data)
    project = Project(
        name=data.name,
        description=data.description,
        department=data.department or actor.department,
        manager=data.manager or actor,
        start_date=data.start_date,
        auto_schedule=data.auto_schedule,
        is_template=is_template,
        created_by_id=actor.id,
    )
    db.session.add(project)
    db.session.flush()
    return project


def require_manager(actor: User, project: Project) -> None:
    if not project_access.is_manager(actor, project):
        raise PermissionDenied(_l("Only the project manager can do this."))


def update_project(project: Project, actor: User, data: ProjectData) -> None:
    require_manager(actor, project)
    data = _clean(data)
    project.name, project.description = data.name, data.description
    project.department = data.department
    project.manager = data.manager or project.manager
    project.start_date, project.auto_schedule = data.start_date, data.auto_schedule
    db.session.flush()


def add_member(
    project: Project,
    actor: User,
    *,
    user: User | None = None,
    department: Department | None = None,
    role: str = MemberRole.MEMBER.value,
    duty: str = "",
) -> ProjectMember:
    """A person with a role, or a whole department as observers."""
    require_manager(actor, project)
    if (user is None) == (department is None):
        raise DomainError(_l("Choose a person or a department."))
    try:
        member_role = MemberRole(role)
    except ValueError:
        raise DomainError(_l("Unknown role.")) from None
    if department is not None:
        member_role = MemberRole.OBSERVER  # a department watches; its people do not hold tasks
    for existing in project.members:
        if (user and existing.user_id == user.id) or (
            department and existing.department_id == department.id
        ):
            raise DomainError(_l("Already in the project."))
    duty = (duty or "").strip()[:80]
    member = ProjectMember(user=user, department=department, role=member_role, duty=duty)
    project.members.append(member)
    db.session.flush()
    return member


def remove_member(project: Project, actor: User, member_id: int) -> None:
    require_manager(actor, project)
    member = next((m for m in project.members if m.id == member_id), None)
    if member is None:
        raise NotFound(_l("There is no such member."))
    project.members.remove(member)
    if member.user is not None and member.user.id != project.manager_id:
        _hand_back_tasks(project, actor, member.user)
    db.session.flush()


def _hand_back_tasks(project: Project, actor: User, person: User) -> None:
    """A person taken off a project no longer holds its open tasks (they would still see
    them in My work and their calendar): the assignee is left empty for the manager to
    fill, the review goes to the manager."""
    tasks = db.session.scalars(
        select(Task).where(
            Task.project_id == project.id,
            Task.status != TaskStatus.DONE,
            or_(Task.assignee_id == person.id, Task.reviewer_id == person.id),
        )
    )
    note = _l("%(name)s was taken off the project.", name=person.name)
    for task in tasks:
        if task.assignee_id == person.id:
            task.assignee = None
        if task.reviewer_id == person.id:
            task.reviewer = project.manager
        db.session.add(
            Event(
                task_id=task.id,
                actor=actor,
                kind=EventKind.EDITED,
                comment=str(note),
                at=clock.now(),
            )
        )


def archive(project: Project, actor: User) -> None:
    require_manager(actor, project)
    project.archived_at = clock.now()


def restore(project: Project, actor: User) -> None:
    require_manager(actor, project)
    project.archived_at = None
