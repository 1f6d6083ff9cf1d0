"""Comments with @mentions and watchers of an item."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from mkflow.accounts import utcnow
from mkflow.errors import DomainError, NotFound
from mkflow.extensions import db
from mkflow.models import Comment, Department, ProcessInstance, User, Watcher
from mkflow.notify import notify
from mkflow.richtext import mentioned_handles, render
from mkflow.workflow.access import can_view_instance

MAX_COMMENT = 10000


def comments(instance: ProcessInstance) -> list[Comment]:
    query = select(Comment).where(Comment.instance_id == instance.id)
    return list(db.session.scalars(query.order_by(Comment.at, Comment.id)))


def _users_by_handle(handles: set[str]) -> dict[str, User]:
    if not handles:
        return {}
    candidates = db.session.scalars(
        select(User).where(User.active, or_(*[User.email.like(f"{h}@%") for h in handles]))
    )
    by_handle = {user.email.partition("@")[0]: user for user in candidates}
    return {h: by_handle[h] for h in handles if h in by_handle}


def add_comment(instance: ProcessInstance, author: User, body: str) -> Comment:
    """A comment; each mentioned person who can see the item is notified."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write something first."))
    if len(body) > MAX_COMMENT:
        raise DomainError(_l("The comment is too long."))
    people = _users_by_handle(mentioned_handles(body))
    comment = Comment(
        instance_id=instance.id,
        author=author,
        body=body,
        html=render(body, set(people)),
        at=utcnow(),
    )
    db.session.add(comment)
    for person in people.values():
        if can_view_instance(person, instance):
            notify(person, "mentioned", actor=author, instance=instance, comment=body[:300])
    db.session.flush()
    return comment


def watchers(instance: ProcessInstance) -> list[Watcher]:
    query = select(Watcher).where(Watcher.instance_id == instance.id).order_by(Watcher.id)
    return list(db.session.scalars(query))


def add_watcher(
    instance: ProcessInstance,
    actor: User,
    *,
    user: User | None = None,
    department: Department | None = None,
) -> Watcher:
    """Anyone who sees the item may add watchers: a person, or a whole department."""
    if (user is None) == (department is None):
        raise DomainError(_l("Choose a person or a department."))
    for existing in watchers(instance):
        if (user and existing.user_id == user.id) or (
            department and existing.department_id == department.id
        ):
            raise DomainError(_l("Already watching."))
    watcher = Watcher(instance_id=instance.id, user=user, department=department)
    db.session.add(watcher)
    db.session.flush()
    return watcher


def remove_watcher(instance: ProcessInstance, actor: User, watcher_id: int) -> None:
    watcher = db.session.get(Watcher, watcher_id)
    if watcher is None or watcher.instance_id != instance.id:
        raise NotFound(_l("There is no such watcher."))
    db.session.delete(watcher)
    db.session.flush()
