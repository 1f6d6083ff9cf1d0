"""One copy operation behind "Save as template", "New project from template" and "Duplicate".

Everything is copied into new rows — tasks, subtasks, links, checklists, members — so the
copy and its source never change each other. Dates keep their distance from the project
start in working days; assignees are filled by the duty their task was held by.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.models import (
    ChecklistItem,
    Event,
    EventKind,
    MemberRole,
    Project,
    ProjectMember,
    Task,
    TaskLink,
    TaskStatus,
    User,
)
from mkflow.people import project_access
from mkflow.projects import planning
from mkflow.projects.lifecycle import ProjectData, create_project
from mkflow.projects.scheduling import Calendar

MANAGER_DUTY = "manager"  # a template task held by whoever manages the new project


def _offset(cal: Calendar, base: date, day: date) -> int:
    """Signed working days from ``base`` to ``day``."""
    base, day = cal.roll_forward(base), cal.roll_forward(day)
    if day >= base:
        return cal.workdays(base, day) - 1
    return -(cal.workdays(day, base) - 1)


def _shift(cal: Calendar, source: Project, target_start: date, task: Task):
    """The task's dates moved from the source's start to ``target_start``."""
    anchor = task.start_date or task.due_date
    if anchor is None:
        return None, None
    start = cal.add(cal.roll_forward(target_start), _offset(cal, source.start_date, anchor))
    if task.start_date is None:
        return None, start
    if task.due_date is None:
        return start, None
    return start, cal.due_for(start, cal.workdays(task.start_date, task.due_date))


def duty_of(project: Project, user_id: int | None) -> str:
    """The job a person holds in the project: what their tasks are assigned by in copies."""
    if user_id is None:
        return ""
    if user_id == project.manager_id:
        return MANAGER_DUTY
    return next((m.duty for m in project.members if m.user_id == user_id), "")


def copy_project(
    source: Project,
    actor: User,
    *,
    name: str,
    start_date: date,
    as_template: bool = False,
) -> Project:
    """A new project (or template) with everything ``source`` plans, starting on ``start_date``."""
    if not (source.is_template or project_access.in_workgroup(actor, source)):
        raise PermissionDenied(_l("Only the project's workgroup can copy it."))
    if as_template and not project_access.is_manager(actor, source):
        raise PermissionDenied(_l("Only the project manager can save it as a template."))
    target = create_project(
        actor,
        ProjectData(
            name=name,
            start_date=start_date,
            description=source.description,
            department=source.department,
            manager=actor,
            auto_schedule=source.auto_schedule,
        ),
        is_template=as_template,
    )
    _copy_members(source, target)
    _copy_tasks(source, target, actor)
    return target


def _copy_members(source: Project, target: Project) -> None:
    """Copy the workgroup; the source's manager stays in it as a member."""
    people = set()
    for member in source.members:
        if member.user_id is not None:
            people.add(member.user_id)
            if member.user_id == target.manager_id:
                continue
        target.members.append(
            ProjectMember(
                user_id=member.user_id,
                department_id=member.department_id,
                role=member.role,
                duty=member.duty,
            )
        )
    manager_id = source.manager_id
    if manager_id is not None and manager_id != target.manager_id and manager_id not in people:
        target.members.append(ProjectMember(user_id=manager_id, role=MemberRole.MEMBER))
    db.session.flush()


def _copy_tasks(source: Project, target: Project, actor: User) -> None:
    cal = planning.company_calendar()
    tasks = list(
        db.session.scalars(
            select(Task).where(Task.project_id == source.id).order_by(Task.position, Task.id)
        )
    )
    if not tasks:
        return
    people = {u.id for u in project_access.member_choices(target)}
    by_duty = {m.duty: m.user_id for m in target.members if m.user_id is not None and m.duty}
    by_duty[MANAGER_DUTY] = target.manager_id
    now = clock.now()
    copies: dict[int, Task] = {}
    for task in tasks:
        duty = duty_of(source, task.assignee_id)
        assignee_id = by_duty.get(duty) if duty else None
        if assignee_id is None and task.assignee_id in people:
            assignee_id = task.assignee_id
        start, due = _shift(cal, source, target.start_date, task)
        copies[task.id] = Task(
            project_id=target.id,
            title=task.title,
            description=task.description,
            description_html=task.description_html,
            status=TaskStatus.ASSIGNED,
            assignee_id=assignee_id,
            reviewer_id=task.reviewer_id if task.reviewer_id in people else actor.id,
            author_id=actor.id,
            start_date=start,
            due_date=due,
            milestone=task.milestone,
            position=task.position,
            status_changed_at=now,
        )
    db.session.add_all(copies.values())
    db.session.flush()
    for task in tasks:
        if task.parent_id is not None:
            copies[task.id].parent_id = copies[task.parent_id].id
    _copy_links(source, target, copies)
    _copy_checklists(source, copies)
    origin = _l("Copied from «%(name)s».", name=source.name)
    db.session.execute(
        Event.__table__.insert(),
        [
            {
                "task_id": copy.id,
                "actor_id": actor.id,
                "kind": EventKind.CREATED,
                "to_status": TaskStatus.ASSIGNED.value,
                "comment": str(origin),
                "at": now,
            }
            for copy in copies.values()
        ],
    )
    db.session.flush()


def _copy_links(source: Project, target: Project, copies: dict[int, Task]) -> None:
    links = db.session.scalars(select(TaskLink).where(TaskLink.project_id == source.id))
    db.session.add_all(
        TaskLink(
            project_id=target.id,
            predecessor_id=copies[link.predecessor_id].id,
            successor_id=copies[link.successor_id].id,
            kind=link.kind,
            lag=link.lag,
        )
        for link in links
    )


def _copy_checklists(source: Project, copies: dict[int, Task]) -> None:
    items = db.session.scalars(select(ChecklistItem).join(Task).where(Task.project_id == source.id))
    db.session.add_all(
        ChecklistItem(task_id=copies[item.task_id].id, text=item.text, position=item.position)
        for item in items
    )


def from_template(template: Project, actor: User, *, name: str, start_date: date) -> Project:
    """ "New project from template": pick it, give a name and a start date."""
    if not template.is_template or template.archived_at is not None:
        raise DomainError(_l("Choose a project template."))
    return copy_project(template, actor, name=name, start_date=start_date)
