"""Company structure rules: who administers it and how people, departments and groups change.

Functions change the session and flush; the caller commits.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.core.text import slugify
from mkflow.models import Department, Group, Role, User, Visibility
from mkflow.people.accounts import normalize_email, set_password, validate_new_password


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_l("Only an administrator may change the company structure."))


def _unique_slug(model, name: str) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _named(model, record, name: str, taken_message):
    """``record`` (a new ``model`` when None) named ``name``, which no other one may have."""
    query = select(model.id).where(func.lower(model.name) == name.strip().lower())
    if record is not None:
        query = query.where(model.id != record.id)
    if db.session.scalar(query) is not None:
        raise DomainError(taken_message)
    if record is None:
        record = model(name=name.strip(), slug=_unique_slug(model, name))
        db.session.add(record)
    record.name = name.strip()
    return record


def email_taken(email: str, current_id: int | None = None) -> bool:
    query = select(User.id).where(User.email == normalize_email(email))
    if current_id is not None:
        query = query.where(User.id != current_id)
    return db.session.scalar(query) is not None


def create_user(actor: User, *, name, email, password, role, department, title="") -> User:
    require_admin(actor)
    if email_taken(email):
        raise DomainError(_l("A user with this email already exists."))
    validate_new_password(password)
    user = User(
        name=name.strip(),
        email=normalize_email(email),
        title=(title or "").strip(),
        role=Role(role),
        department=department,
        password_hash="",
    )
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    actor: User, user: User, *, name, email, role, department, title="", new_password=None
) -> None:
    require_admin(actor)
    if email_taken(email, user.id):
        raise DomainError(_l("A user with this email already exists."))
    if user.id == actor.id and Role(role) != Role.ADMIN:
        raise DomainError(_l("You cannot take the administrator role from yourself."))
    user.name = name.strip()
    user.email = normalize_email(email)
    user.title = (title or "").strip()
    user.role = Role(role)
    user.department = department
    if new_password:
        validate_new_password(new_password)
        set_password(user, new_password)
    db.session.flush()


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Deactivated users cannot log in; their records and history stay."""
    require_admin(actor)
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    user.active = active
    db.session.flush()


def _apply_head(department: Department, head: User | None) -> None:
    department.head = head
    if head is not None and head.role == Role.MEMBER:
        head.role = Role.HEAD  # a department's head can act as one


def save_department(
    actor: User,
    department: Department | None,
    *,
    name,
    head,
    visibility=Visibility.COMPANY,
    oversees_company=False,
) -> Department:
    require_admin(actor)
    department = _named(Department, department, name, _l("A department with this name exists."))
    department.visibility = Visibility(visibility)
    department.oversees_company = bool(oversees_company)
    _apply_head(department, head)
    db.session.flush()
    return department


def save_group(actor: User, group: Group | None, *, name, description, members) -> Group:
    require_admin(actor)
    group = _named(Group, group, name, _l("A group with this name exists."))
    group.description = (description or "").strip()
    group.members = list(members)
    db.session.flush()
    return group


def departments() -> list[Department]:
    query = select(Department).options(
        selectinload(Department.members), joinedload(Department.head)
    )
    return list(db.session.scalars(query.order_by(Department.name)))


def all_users() -> list[User]:
    query = select(User).options(joinedload(User.department))
    return list(db.session.scalars(query.order_by(User.active.desc(), User.name)))


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


def groups() -> list[Group]:
    query = select(Group).options(selectinload(Group.members))
    return list(db.session.scalars(query.order_by(Group.name)))
