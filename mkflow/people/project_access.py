"""Who may see and change a project and its tasks.

Members of the workgroup see the project; so do watching departments (as observers), the
head of the project's department, administrators and the company's management. Everyone
else gets "not found" for the project and every task in it.
"""

from sqlalchemy import or_, select

from mkflow.models import Department, MemberRole, Project, ProjectMember, Task, User
from mkflow.people.process_access import sees_everything


def _membership(user: User, project: Project) -> ProjectMember | None:
    for member in project.members:
        if member.user_id == user.id:
            return member
    return None


def heads_department(user: User, project: Project) -> bool:
    department = project.department
    return bool(department and department.head_id == user.id)


def is_manager(user: User, project: Project) -> bool:
    """The manager may do anything in the project: its settings, members and every task."""
    if user.is_admin or project.manager_id == user.id or heads_department(user, project):
        return True
    member = _membership(user, project)
    return member is not None and member.role == MemberRole.MANAGER


def can_view(user: User, project: Project) -> bool:
    if project.is_template:  # templates are the company's shared recipes
        return True
    if is_manager(user, project) or sees_everything(user) or _membership(user, project):
        return True
    return any(
        m.department_id is not None and m.department_id == user.department_id
        for m in project.members
    )


def in_workgroup(user: User, project: Project) -> bool:
    """The manager and the members, without the observers."""
    if is_manager(user, project):
        return True
    member = _membership(user, project)
    return member is not None and member.role != MemberRole.OBSERVER


def can_work(user: User, project: Project) -> bool:
    """Create and edit tasks: the workgroup, while the project is live."""
    return project.archived_at is None and in_workgroup(user, project)


def can_view_task(user: User, task: Task) -> bool:
    return can_view(user, task.project)


def visible_projects_filter(user: User):
    """A WHERE clause selecting the projects ``user`` may see."""
    if sees_everything(user):
        return True
    own = ProjectMember.user_id == user.id
    if user.department_id is not None:  # "== None" would match every person-member
        own = or_(own, ProjectMember.department_id == user.department_id)
    headed = select(Department.id).where(Department.head_id == user.id)
    return or_(
        Project.manager_id == user.id,
        Project.department_id.in_(headed),
        Project.id.in_(select(ProjectMember.project_id).where(own)),
    )


def member_choices(project: Project) -> list[User]:
    """People who can hold tasks in the project: the manager and the person-members."""
    people = {m.user.id: m.user for m in project.members if m.user is not None}
    if project.manager is not None:
        people.setdefault(project.manager.id, project.manager)
    return sorted(people.values(), key=lambda u: u.name)
