"""Who may see and manage processes: department visibility, heads, administrators."""

from sqlalchemy import or_, select

from mkflow.core.database import db
from mkflow.models import Department, ProcessInstance, ProcessTemplate, User, Visibility, Watcher


def sees_everything(user: User) -> bool:
    return user.is_admin or bool(user.department and user.department.oversees_company)


def can_view_template(user: User, template: ProcessTemplate) -> bool:
    department = template.department
    return (
        department is None
        or department.visibility == Visibility.COMPANY
        or department.id == user.department_id
        or sees_everything(user)
    )


def can_manage_template(user: User, template: ProcessTemplate) -> bool:
    """Edit the template and reassign, move back or cancel its items."""
    department = template.department
    return user.is_admin or bool(department and department.head_id == user.id)


def is_participant(user: User, instance: ProcessInstance) -> bool:
    """Assignee, launcher or watcher: they see the item even in a closed department."""
    if user.id in (instance.assignee_id, instance.launched_by_id):
        return True
    watching = Watcher.user_id == user.id
    if user.department_id is not None:  # "== None" would match every person-watcher
        watching = or_(watching, Watcher.department_id == user.department_id)
    query = select(Watcher.id).where(Watcher.instance_id == instance.id, watching)
    return db.session.scalar(query.limit(1)) is not None


def can_view_instance(user: User, instance: ProcessInstance) -> bool:
    return can_view_template(user, instance.template) or is_participant(user, instance)


def visible_templates_filter(user: User):
    """A WHERE clause selecting the templates ``user`` may see."""
    if sees_everything(user):
        return True
    open_departments = select(Department.id).where(Department.visibility == Visibility.COMPANY)
    return or_(
        ProcessTemplate.department_id.is_(None),
        ProcessTemplate.department_id.in_(open_departments),
        ProcessTemplate.department_id == user.department_id,
    )
