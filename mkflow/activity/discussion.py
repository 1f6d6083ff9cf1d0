"""Comments with @mentions and watchers of a work item: a process instance or a task."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from mkflow.activity.notify import notify
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, NotFound, PermissionDenied
from mkflow.core.inputs import comment_text
from mkflow.core.richtext import mentioned_handles, render
from mkflow.models import Comment, Department, ProcessInstance, Task, User, Visibility, Watcher
from mkflow.people.process_access import can_manage_template, can_view_instance, can_view_template
from mkflow.people.project_access import can_view_task, is_manager

Item = ProcessInstance | Task


def _id(item: Item) -> int:
    """The item's id, flushing a new item first: compared with a missing id (None), a
    column reads "IS NULL" and picks out the rows of every item of the other kind."""
    if item.id is None:
        db.session.flush()
    return item.id


def _owner(item: Item) -> dict:
    """The column that ties a comment or watcher to ``item``."""
    return {"task_id": _id(item)} if isinstance(item, Task) else {"instance_id": _id(item)}


def _of(model, item: Item):
    column = model.task_id if isinstance(item, Task) else model.instance_id
    return column == _id(item)


def can_view(person: User, item: Item) -> bool:
    if isinstance(item, Task):
        return can_view_task(person, item)
    return can_view_instance(person, item)


def comments(item: Item) -> list[Comment]:
    query = select(Comment).where(_of(Comment, item))
    return list(db.session.scalars(query.order_by(Comment.at, Comment.id)))


def _users_by_handle(handles: set[str]) -> dict[str, User]:
    if not handles:
        return {}
    # autoescape: "_" in a handle is a letter, not a LIKE wildcard
    emails = [User.email.startswith(f"{h}@", autoescape=True) for h in handles]
    candidates = db.session.scalars(select(User).where(User.active, or_(*emails)))
    by_handle = {user.email.partition("@")[0]: user for user in candidates}
    return {h: by_handle[h] for h in handles if h in by_handle}


def add_comment(item: Item, author: User, body: str) -> Comment:
    """A comment; each mentioned person who can see the item is notified."""
    body = comment_text(body)
    if not body:
        raise DomainError(_l("Write something first."))
    people = _users_by_handle(mentioned_handles(body))
    comment = Comment(
        **_owner(item),
        author=author,
        body=body,
        html=render(body, {handle: person.name for handle, person in people.items()}),
        at=clock.now(),
    )
    db.session.add(comment)
    target = {"task": item} if isinstance(item, Task) else {"instance": item}
    for person in people.values():
        if can_view(person, item):
            notify(person, "mentioned", actor=author, comment=body[:300], **target)
    db.session.flush()
    return comment


def watching(item: Item):
    """A condition on ``User``: the person watches ``item``, themselves or through their
    department."""
    of_item = _of(Watcher, item)
    people = select(Watcher.user_id).where(of_item, Watcher.user_id.is_not(None))
    departments = select(Watcher.department_id).where(of_item, Watcher.department_id.is_not(None))
    return or_(User.id.in_(people), User.department_id.in_(departments))


def watching_users(item: Item) -> list[User]:
    """The active people who watch ``item``, themselves or through their department, and
    can still open it (someone taken off a project no longer hears of its tasks)."""
    query = select(User).where(User.active, watching(item))
    return [p for p in db.session.scalars(query.order_by(User.id)) if can_view(p, item)]


def watchers(item: Item) -> list[Watcher]:
    query = select(Watcher).where(_of(Watcher, item)).order_by(Watcher.id)
    return list(db.session.scalars(query))


def sees(item: Item, *, user: User | None = None, department: Department | None = None):
    """Whether the person, or every person of the department, opens ``item`` without a
    watch: their department's processes, holding or launching the item, the project."""
    if user is not None:
        if isinstance(item, Task):
            return can_view_task(user, item)
        return can_view_template(user, item.template) or user.id in (
            item.assignee_id,
            item.launched_by_id,
        )
    if department is None:
        return False
    if department.oversees_company:
        return True
    if isinstance(item, Task):
        project = item.project
        return project.is_template or any(m.department_id == department.id for m in project.members)
    owner = item.template.department
    return owner is None or owner.visibility == Visibility.COMPANY or owner.id == department.id


def may_watch(actor: User, item: Item, **who) -> bool:
    """Only who can open the item may watch it, or they would read its title in notices
    about a page that is "not found" to them. A process item's watch opens it (see
    ``is_participant``), so its managers may open a closed department's item to an
    outsider that way; a task opens only to its project's people and observers."""
    return sees(item, **who) or (isinstance(item, ProcessInstance) and manages(actor, item))


def manages(actor: User, item: Item) -> bool:
    if isinstance(item, Task):
        return is_manager(actor, item.project)
    return can_manage_template(actor, item.template)


def may_remove(actor: User, watcher: Watcher, item: Item) -> bool:
    """A person may always stop watching; someone else's watch is for the managers."""
    return watcher.user_id == actor.id or manages(actor, item)


def add_watcher(
    item: Item,
    actor: User,
    *,
    user: User | None = None,
    department: Department | None = None,
) -> Watcher:
    """Anyone who sees the item may add as watchers a person or a department who see it too."""
    if (user is None) == (department is None):
        raise DomainError(_l("Choose a person or a department."))
    for existing in watchers(item):
        if (user and existing.user_id == user.id) or (
            department and existing.department_id == department.id
        ):
            raise DomainError(_l("Already watching."))
    if user is not None and not may_watch(actor, item, user=user):
        raise DomainError(_l("%(name)s cannot open this, so cannot watch it.", name=user.name))
    if department is not None and not may_watch(actor, item, department=department):
        raise DomainError(
            _l(
                "Not everyone in %(name)s can open this, so the department cannot watch it.",
                name=department.name,
            )
        )
    watcher = Watcher(**_owner(item), user=user, department=department)
    db.session.add(watcher)
    db.session.flush()
    return watcher


def remove_watcher(item: Item, actor: User, watcher_id: int) -> None:
    watcher = db.session.get(Watcher, watcher_id)
    if watcher is None or _owner(item) != _owner_of(watcher):
        raise NotFound(_l("There is no such watcher."))
    if not may_remove(actor, watcher, item):
        raise PermissionDenied(_l("Only a manager may remove someone else's watch."))
    db.session.delete(watcher)
    db.session.flush()


def _owner_of(watcher: Watcher) -> dict:
    if watcher.task_id is not None:
        return {"task_id": watcher.task_id}
    return {"instance_id": watcher.instance_id}
