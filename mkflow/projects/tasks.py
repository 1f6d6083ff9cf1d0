"""Tasks: create and edit, move through the statuses, checklists and dependencies.

Every change writes an event in the task's history. Date changes and new links replan the
project (``planning.replan``) and return the other tasks that moved.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mkflow.activity import discussion
from mkflow.activity.notify import notify
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError, NeedsConfirmation, NotFound, PermissionDenied
from mkflow.core.inputs import SHORT_TEXT_LIMIT, check_day, comment_text, one_line
from mkflow.core.richtext import render
from mkflow.models import (
    ChecklistItem,
    Event,
    EventKind,
    LinkKind,
    Project,
    Task,
    TaskLink,
    TaskStatus,
    User,
)
from mkflow.people import project_access
from mkflow.projects import planning, scheduling
from mkflow.projects.scheduling import Link
from mkflow.projects.status import OPEN, TRANSITIONS, Move, moves_for

MAX_TITLE = 200
MAX_DESCRIPTION = 20000
MAX_DURATION = 2000  # working days: eight years is plenty for one task


@dataclass
class TaskData:
    """What a task form submits; ``days`` is an alternative to ``due_date``."""

    title: str
    description: str = ""
    assignee: User | None = None
    reviewer: User | None = None
    start_date: date | None = None
    due_date: date | None = None
    days: int | None = None
    milestone: bool = False
    parent_id: int | None = None


def _event(task: Task, actor: User | None, kind: EventKind, comment: str = "", **details) -> Event:
    """One line of the task's history; ``details`` may give the statuses and the time."""
    event = Event(task_id=task.id, actor=actor, kind=kind, comment=comment, **details)
    event.at = event.at or clock.now()
    db.session.add(event)
    return event


def _next_position(column, *where) -> int:
    """After the last one: new tasks and checklist items go to the end."""
    return db.session.scalar(select(func.coalesce(func.max(column), 0)).where(*where)) + 1


def _require_work(actor: User, project: Project) -> None:
    if not project_access.can_work(actor, project):
        raise PermissionDenied(_l("Only the project's workgroup can change its tasks."))


def _check_version(task: Task, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != task.lock_version:
        raise Conflict()


def _clean(project: Project, data: TaskData, task: Task | None = None) -> TaskData:
    """Refuse what cannot be stored, with a message naming the field."""
    data.title = (data.title or "").strip()
    if not data.title:
        raise DomainError(_l("A task needs a title."))
    if len(data.title) > MAX_TITLE:
        raise DomainError(_l("The title is too long (at most %(n)d characters).", n=MAX_TITLE))
    if len(data.description or "") > MAX_DESCRIPTION:
        raise DomainError(_l("The description is too long."))
    people = {u.id for u in project_access.member_choices(project)}
    for person in (data.assignee, data.reviewer):
        if person is not None and person.id not in people:
            raise DomainError(_l("%(name)s is not in the project's workgroup.", name=person.name))
    if data.days is not None:
        if not 1 <= data.days <= MAX_DURATION:
            raise DomainError(
                _l("The duration is in working days, from 1 to %(n)d.", n=MAX_DURATION)
            )
        if data.start_date is None:
            raise DomainError(_l("A duration needs a start date."))
        data.due_date = planning.company_calendar().due_for(data.start_date, data.days)
    check_day(data.start_date, _l("The start date"))
    check_day(data.due_date, _l("The due date"))
    if data.start_date and data.due_date and data.due_date < data.start_date:
        raise DomainError(_l("The due date is before the start date."))
    if data.milestone and data.start_date is None:
        data.start_date = data.due_date
    if data.parent_id is not None:
        parent = db.session.get(Task, data.parent_id)
        if parent is None or parent.project_id != project.id:
            raise DomainError(_l("The parent task must be in the same project."))
        # Keeping its parent cannot make a loop: skip reading the whole tree then.
        if (
            task is not None
            and task.parent_id != parent.id
            and (parent.id == task.id or task.id in ancestors(parent))
        ):
            raise DomainError(_l("A task cannot be placed under itself or its own subtask."))
    return data


def ancestors(task: Task, parents: dict[int, int | None] | None = None) -> list[int]:
    """Ids of the task's parent, grandparent and so on (``parents``: the project's
    parent map, when the caller has read it already)."""
    if parents is None:
        parents = planning.parents_of(task.project_id)
    chain, current = [], parents.get(task.id)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def descendants(task: Task) -> list[int]:
    """Ids of the task's subtasks to any depth."""
    parents = planning.parents_of(task.project_id)
    found, level = [], {task.id}
    while level:
        level = {tid for tid, parent in parents.items() if parent in level}
        found.extend(level)
    return found


def create_task(project: Project, actor: User, data: TaskData) -> tuple[Task, list]:
    _require_work(actor, project)
    data = _clean(project, data)
    task = Task(
        project=project,
        parent_id=data.parent_id,
        title=data.title,
        description=data.description,
        description_html=render(data.description),
        assignee=data.assignee,
        reviewer=data.reviewer or actor,
        author=actor,
        start_date=data.start_date,
        due_date=data.due_date,
        milestone=data.milestone,
        position=_next_position(Task.position, Task.project_id == project.id),
        status=TaskStatus.ASSIGNED,
        status_changed_at=clock.now(),
    )
    db.session.add(task)
    db.session.flush()
    _event(task, actor, EventKind.CREATED, to_status=TaskStatus.ASSIGNED)
    if project.is_template is False:
        notify(task.assignee, "task_assigned", actor=actor, task=task)
    moved = planning.replan(project, {task.id}, actor, clock.now())
    return task, moved


def update_task(
    task: Task, actor: User, data: TaskData, expected_version: int | None = None
) -> list:
    """Save the task's fields; returns the other tasks that moved because of new dates."""
    project = task.project
    _require_work(actor, project)
    _check_version(task, expected_version)
    data = _clean(project, data, task)
    changed = []
    dates_changed = (task.start_date, task.due_date) != (data.start_date, data.due_date)
    new_assignee = data.assignee is not None and data.assignee != task.assignee
    for attr, label in (
        ("title", "title"),
        ("description", "description"),
        ("start_date", "start"),
        ("due_date", "due"),
        ("milestone", "milestone"),
        ("parent_id", "parent"),
    ):
        if getattr(task, attr) != getattr(data, attr):
            setattr(task, attr, getattr(data, attr))
            changed.append(label)
    for attr in ("assignee", "reviewer"):
        if getattr(task, attr) != getattr(data, attr):
            setattr(task, attr, getattr(data, attr))
            changed.append(attr)
    if "description" in changed:
        task.description_html = render(task.description)
    if not changed:
        return []
    _event(task, actor, EventKind.EDITED, ", ".join(changed))
    if new_assignee and not project.is_template:
        notify(task.assignee, "task_assigned", actor=actor, task=task)
    if dates_changed or "parent" in changed:
        return planning.replan(project, {task.id}, actor, clock.now())
    db.session.flush()
    return []


def delete_task(task: Task, actor: User) -> None:
    """The manager or the task's author may delete it, with its subtasks."""
    project = task.project
    if not (project_access.is_manager(actor, project) or task.author_id == actor.id):
        raise PermissionDenied(_l("Only the project manager or the task's author can delete it."))
    if not project_access.can_work(actor, project):
        raise PermissionDenied(_l("The project is archived."))
    db.session.delete(task)
    planning.replan(project, set(), actor, clock.now())


# Statuses


def allowed_moves(task: Task, user: User, *, is_manager: bool | None = None) -> tuple[Move, ...]:
    project = task.project
    if project.archived_at is not None or project.is_template:
        return ()
    if is_manager is None:
        is_manager = project_access.is_manager(user, project)
    return moves_for(
        task.status,
        is_assignee=task.assignee_id == user.id,
        is_reviewer=task.reviewer_id == user.id,
        is_manager=is_manager,
    )


def open_predecessors(task: Task) -> list[Task]:
    """Finish-to-start predecessors that are not done: they block starting the task."""
    query = (
        select(Task)
        .join(TaskLink, TaskLink.predecessor_id == Task.id)
        .where(
            TaskLink.successor_id == task.id,
            TaskLink.kind == LinkKind.FS,
            Task.status != TaskStatus.DONE,
        )
        .order_by(Task.id)
    )
    return list(db.session.scalars(query))


def open_subtasks(task: Task) -> list[Task]:
    query = select(Task).where(Task.parent_id == task.id, Task.status.in_(OPEN))
    return list(db.session.scalars(query.order_by(Task.position)))


def move(
    task: Task,
    actor: User,
    move_name: str,
    *,
    comment: str = "",
    override: bool = False,
    confirmed: bool = False,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Event:
    """Take the task one status further; refusals say why. Accepting a task whose checklist
    is not done asks first (NeedsConfirmation) unless ``confirmed``."""
    try:
        chosen = Move(move_name)
    except ValueError:
        raise DomainError(_l("Unknown action.")) from None
    _check_version(task, expected_version)
    is_manager = project_access.is_manager(actor, task.project)
    if chosen not in allowed_moves(task, actor, is_manager=is_manager):
        raise PermissionDenied(_l("You cannot do this with the task now."))
    comment = comment_text(comment)
    if chosen == Move.REOPEN and not comment:
        raise DomainError(_l("Say what needs to be done again: reopening needs a comment."))
    overridden = False
    if chosen == Move.START and (blockers := open_predecessors(task)):
        names = ", ".join(f"«{t.title}»" for t in blockers)
        if not is_manager:
            raise DomainError(_l("Waiting for %(tasks)s to be done.", tasks=names))
        if not (override and comment):
            raise DomainError(
                _l(
                    "Waiting for %(tasks)s to be done. To start anyway, tick the override "
                    "and give a reason.",
                    tasks=names,
                )
            )
        overridden = True
    if chosen == Move.ACCEPT:
        children = open_subtasks(task)
        if children:
            names = ", ".join(f"«{t.title}»" for t in children)
            raise DomainError(
                _l("The task cannot be done while its subtasks are open: %(tasks)s.", tasks=names)
            )
        items = checklist(task)
        unchecked = sum(not item.done for item in items)
        if unchecked and not confirmed:
            raise NeedsConfirmation(
                _l(
                    "%(open)d of %(all)d checklist items are not done. Accept the task anyway?",
                    open=unchecked,
                    all=len(items),
                )
            )
    source, target = task.status, TRANSITIONS[chosen].target
    task.status, task.status_changed_at = target, at or clock.now()
    event = _event(
        task,
        actor,
        EventKind.OVERRIDE if overridden else EventKind(chosen.value),
        comment,
        from_status=source,
        to_status=target,
        at=task.status_changed_at,
    )
    _notify_move(task, actor, chosen, comment, task.status_changed_at)
    db.session.flush()
    return event


def _notify_move(task: Task, actor: User, chosen: Move, comment: str, at: datetime) -> None:
    told = None
    if chosen == Move.SUBMIT:
        told = task.reviewer
        notify(told, "task_review", actor=actor, task=task, at=at)
    elif chosen == Move.REOPEN:
        told = task.assignee
        notify(told, "task_reopened", actor=actor, task=task, comment=comment[:300], at=at)
    elif chosen == Move.ACCEPT:
        told = task.assignee
        notify(told, "task_done", actor=actor, task=task, at=at)
    # Its watchers (people and members of watching departments), in one query; whoever
    # was just told in person is not told twice.
    for person in discussion.watching_users(task):
        if told is None or person.id != told.id:
            notify(person, "watched", actor=actor, task=task, comment=task.status.value, at=at)


# Checklists


def add_check(task: Task, actor: User, text: str) -> ChecklistItem:
    _require_work(actor, task.project)
    text = one_line(text or "").strip()
    if not text or len(text) > SHORT_TEXT_LIMIT:
        raise DomainError(
            _l("A checklist item needs a text of at most %(n)d characters.", n=SHORT_TEXT_LIMIT)
        )
    position = _next_position(ChecklistItem.position, ChecklistItem.task_id == task.id)
    item = ChecklistItem(task_id=task.id, text=text, position=position)
    db.session.add(item)
    db.session.flush()
    return item


def _check_item(task: Task, item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.task_id != task.id:
        raise NotFound(_l("There is no such checklist item."))
    return item


def toggle_check(task: Task, actor: User, item_id: int) -> ChecklistItem:
    _require_work(actor, task.project)
    item = _check_item(task, item_id)
    item.done = not item.done
    db.session.flush()
    return item


def remove_check(task: Task, actor: User, item_id: int) -> None:
    _require_work(actor, task.project)
    db.session.delete(_check_item(task, item_id))
    db.session.flush()


def checklist(task: Task) -> list[ChecklistItem]:
    query = select(ChecklistItem).where(ChecklistItem.task_id == task.id)
    return list(db.session.scalars(query.order_by(ChecklistItem.position, ChecklistItem.id)))


# Dependencies


def add_link(
    successor: Task, actor: User, predecessor_id: int, kind: str, lag: int = 0
) -> tuple[TaskLink, list]:
    """``successor`` now depends on the predecessor; refuses cycles naming the tasks."""
    project = successor.project
    _require_work(actor, project)
    try:
        link_kind = LinkKind(kind)
    except ValueError:
        raise DomainError(_l("Unknown kind of link.")) from None
    if not -MAX_DURATION <= lag <= MAX_DURATION:
        raise DomainError(_l("The lag is too large."))
    predecessor = db.session.get(Task, predecessor_id)
    if predecessor is None or predecessor.project_id != project.id:
        raise DomainError(_l("A task can only depend on a task of the same project."))
    if predecessor.id == successor.id:
        raise DomainError(_l("A task cannot depend on itself."))
    parents = planning.parents_of(project.id)
    if predecessor.id in ancestors(successor, parents) or successor.id in ancestors(
        predecessor, parents
    ):
        raise DomainError(_l("A task cannot depend on its own parent or subtask."))
    existing = planning.links_of(project.id)
    if any(
        link.predecessor == predecessor.id and link.successor == successor.id for link in existing
    ):
        raise DomainError(_l("These tasks are already linked."))
    cycle = scheduling.would_create_cycle(
        existing, Link(predecessor.id, successor.id, link_kind, lag)
    )
    if cycle:
        titles = dict(
            db.session.execute(select(Task.id, Task.title).where(Task.id.in_(cycle))).all()
        )
        path = " → ".join(f"«{titles[i]}»" for i in [*cycle, cycle[0]])
        raise DomainError(_l("This link would make a cycle: %(path)s.", path=path))
    link = TaskLink(
        project_id=project.id,
        predecessor_id=predecessor.id,
        successor_id=successor.id,
        kind=link_kind,
        lag=lag,
    )
    db.session.add(link)
    _event(successor, actor, EventKind.LINKED, predecessor.title)
    moved = planning.replan(project, {predecessor.id}, actor, clock.now())
    return link, moved


def remove_link(task: Task, actor: User, link_id: int) -> None:
    _require_work(actor, task.project)
    link = db.session.get(TaskLink, link_id)
    if link is None or task.id not in (link.predecessor_id, link.successor_id):
        raise NotFound(_l("There is no such link."))
    _event(link.successor, actor, EventKind.UNLINKED, link.predecessor.title)
    db.session.delete(link)
    db.session.flush()


def links(task: Task) -> tuple[list[TaskLink], list[TaskLink]]:
    """(links to predecessors, links to successors) of the task."""
    query = select(TaskLink).where(
        (TaskLink.successor_id == task.id) | (TaskLink.predecessor_id == task.id)
    )
    rows = list(db.session.scalars(query.order_by(TaskLink.id)))
    return (
        [link for link in rows if link.successor_id == task.id],
        [link for link in rows if link.predecessor_id == task.id],
    )
