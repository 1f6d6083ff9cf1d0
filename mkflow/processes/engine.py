"""Running processes: launch, hand-off, approvals with rework, manager actions, the timer.

Every function checks who may act, changes the instance, writes its Event and flushes;
the caller commits. A stale ``expected_version`` or a concurrent write raises Conflict.
"""

from datetime import date, datetime, time
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select

from mkflow.activity.discussion import watching
from mkflow.activity.notify import mark_read_about, notify
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from mkflow.core.inputs import TITLE_LIMIT, check_day, comment_text, one_line, parse_id
from mkflow.core.workdays import due_after
from mkflow.models import (
    DueUnit,
    Event,
    EventKind,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Responsible,
    Stage,
    StageKind,
    TemplateVersion,
    User,
)
from mkflow.people import calendar
from mkflow.people.process_access import can_manage_template, can_view_instance, can_view_template
from mkflow.processes import fields as field_rules
from mkflow.processes.assign import resolve_assignee
from mkflow.processes.rules import (
    Action,
    ManagerAction,
    actions_for,
    comment_required,
    manager_actions,
)
from mkflow.processes.templates import problems_of


def check_version(instance: ProcessInstance, expected: int | None) -> None:
    if expected is not None and expected != instance.lock_version:
        raise Conflict()


def roles_of(template: ProcessTemplate) -> list[str]:
    """Role names to be filled at launch, in stage order."""
    stages = template.current_version.stages if template.current_version else []
    names = [s.role for s in stages if s.responsible == Responsible.ROLE and s.role]
    return list(dict.fromkeys(names))


def _stage_due(instance: ProcessInstance, stage: Stage, at: datetime) -> datetime | None:
    if stage.kind == StageKind.WAIT and instance.publish_on:
        return datetime.combine(instance.publish_on, time())
    if stage.kind == StageKind.FINAL or stage.due_amount <= 0:
        return None
    if stage.due_unit == DueUnit.HOURS:  # round the clock: no calendar to read
        return due_after(at, stage.due_amount, stage.due_unit)
    return due_after(
        at, stage.due_amount, stage.due_unit, clock.company_zone(), calendar.company_calendar()
    )


def _previous_holder(instance: ProcessInstance, stage: Stage) -> User | None:
    """Who last held ``stage`` on this item: rework goes back to the same person."""
    values = {"instance_id": instance.id, "stage_key": stage.key}
    holder = db.session.scalar(_previous_holder_query(), values)
    return holder if holder and holder.active else None


@cache
def _previous_holder_query():
    """Built once (building it cost more than running it); the values are parameters."""
    return (
        select(User)
        .join(Event, Event.assignee_id == User.id)
        .join(Stage, Event.to_stage_id == Stage.id)
        .where(Event.instance_id == bindparam("instance_id"), Stage.key == bindparam("stage_key"))
        .order_by(Event.id.desc())
        .limit(1)
    )


# The notices that ask their reader to act on an item: settled when the item is taken away.
ASKED_TO_ACT = ("assigned", "approval", "returned", "resubmitted", "due_tomorrow", "overdue")


def _holder_on_entry(instance: ProcessInstance, stage: Stage, kind: EventKind) -> User | None:
    """Who takes the item as it enters ``stage``: on a stage it has been at before (after
    rework or a move back), whoever held it last there, so that a manager's takeover holds;
    otherwise the stage's responsible."""
    again = _previous_holder(instance, stage) if kind != EventKind.LAUNCHED else None
    return again or resolve_assignee(stage, instance)


def _enter(instance, stage, *, actor, kind: EventKind, at, comment="", assignee=None) -> Event:
    """Move ``instance`` into ``stage`` and record it."""
    seconds = None
    if instance.stage_entered_at is not None:
        seconds = max(0, int((at - instance.stage_entered_at).total_seconds()))
    from_stage, previous = instance.stage, instance.assignee
    instance.stage = stage
    instance.stage_entered_at = at
    instance.stage_due_at = _stage_due(instance, stage, at)
    if stage.kind == StageKind.FINAL:
        instance.state = InstanceState.DONE
        instance.finished_at = at
        instance.assignee = None
    else:
        instance.assignee = assignee or _holder_on_entry(instance, stage, kind)
    event = Event(
        instance=instance,
        actor=actor,
        kind=kind,
        from_stage=from_stage,
        to_stage=stage,
        assignee=instance.assignee,
        comment=comment,
        seconds_in_stage=seconds,
        at=at,
    )
    db.session.add(event)
    launcher = None
    if stage.kind == StageKind.FINAL:
        launcher = instance.launched_by
        notify(launcher, "finished", actor=actor, instance=instance, at=at)
    _notify_around(instance, actor, kind, at, previous=previous, launcher=launcher)
    return event


def holder_kind(stage: Stage) -> str:
    """What the person who now holds the item hears: approve it, or work on it."""
    return "approval" if stage.kind == StageKind.APPROVAL else "assigned"


def _notify_around(instance, actor, kind, at, *, previous, launcher=None) -> None:
    """Tell the people around the item that it moved, in one query: its watchers (people
    and members of watching departments) and, when the move hands the work to someone
    new, the head of the process's department if they asked to hear of hand-offs. The
    new holder hears as holder and the launcher of a finished item as launcher."""
    # The objects, not their ids: an id follows only when the session flushes.
    holder = instance.assignee
    handoff = holder is not None and holder is not previous and holder is not actor
    department = instance.template.department
    head_id = department.head_id if handoff and department is not None else None
    heard = watching(instance)
    if head_id is not None:
        heard = or_(heard, (User.id == head_id) & User.hears_department_handoffs)
    skip = {person.id for person in (holder, launcher) if person is not None}
    for user in db.session.scalars(select(User).where(User.active, heard)):
        if user.id in skip:
            continue
        if user.id == head_id and user.hears_department_handoffs:
            notify(user, "handoff", actor=actor, instance=instance, at=at)
        else:
            notify(user, "watched", actor=actor, instance=instance, comment=kind, at=at)


def launch_version(template: ProcessTemplate) -> TemplateVersion:
    """The version a new item of ``template`` starts on, or a DomainError."""
    version = template.current_version
    if template.archived or version is None:
        raise DomainError(_l("This process is archived or not published yet."))
    if problems_of(version):
        raise DomainError(_l("This process cannot start until its template is fixed."))
    return version


def launch_values(version: TemplateVersion, values: dict, *, fill_defaults: bool = True) -> dict:
    """The launch fields' values, cleaned, an empty one taking its field's default; a
    DomainError for a required one left empty. Without ``fill_defaults`` the defaults are
    checked but not filled in (a schedule leaves them to each launch)."""
    launch_fields = [f for f in version.fields if f.at_launch]
    cleaned, _changed = field_rules.apply(launch_fields, values, {})
    for field in launch_fields:
        value = cleaned.get(field.key)
        if not value and field.default:
            value = field_rules.clean(field, field.default)
            if fill_defaults:
                cleaned[field.key] = value
        if field.required and not value:
            raise DomainError(_l("Fill in “%(field)s”.", field=field.label))
    return cleaned


def launch_roles(template: ProcessTemplate, roles: dict | None) -> dict[str, int]:
    """Role name -> id of the active person chosen for it, or a DomainError."""
    filled = {}
    for role in roles_of(template):
        person_id = parse_id(str((roles or {}).get(role) or ""))
        person = db.session.get(User, person_id) if person_id else None
        if person is None or not person.active:
            raise DomainError(_l("Choose who will be “%(role)s”.", role=role))
        filled[role] = person.id
    return filled


def launch(
    template: ProcessTemplate,
    actor: User,
    *,
    title: str,
    values: dict,
    roles: dict,
    deadline: date | None = None,
    publish_on: date | None = None,
    at: datetime | None = None,
) -> ProcessInstance:
    """Start a new item on the template's current version, at its first stage."""
    at = at or clock.now()
    if not can_view_template(actor, template):
        raise NotFound(_l("There is no such process."))
    version = launch_version(template)
    title = one_line(title or "").strip()
    if not title:
        raise DomainError(_l("Give the item a title."))
    if len(title) > TITLE_LIMIT:
        raise DomainError(_l("The title is too long (at most %(n)d characters).", n=TITLE_LIMIT))
    cleaned = launch_values(version, values)
    filled = launch_roles(template, roles)
    check_day(deadline, _l("The deadline"))
    check_day(publish_on, _l("The publication date"))
    if deadline and publish_on and publish_on < deadline:
        raise DomainError(_l("The publication date cannot be before the deadline."))
    instance = ProcessInstance(
        template=template,
        version=version,
        title=title[:200],
        launched_by=actor,
        values=cleaned,
        roles=filled,
        deadline=deadline,
        publish_on=publish_on,
        created_at=at,
        stage_entered_at=None,
    )
    db.session.add(instance)
    first = version.stages[0]
    _enter(instance, first, actor=actor, kind=EventKind.LAUNCHED, at=at)
    notify(instance.assignee, holder_kind(first), actor=actor, instance=instance, at=at)
    db.session.flush()
    return instance


def available_actions(instance: ProcessInstance, user: User) -> tuple[Action, ...]:
    return actions_for(
        instance.stage.kind,
        is_assignee=instance.assignee_id == user.id,
        is_active=instance.is_active,
    )


def available_manager_actions(instance: ProcessInstance, user: User) -> tuple[ManagerAction, ...]:
    return manager_actions(
        is_manager=can_manage_template(user, instance.template), is_active=instance.is_active
    )


def _stage_by_key(instance: ProcessInstance, key: str | None) -> Stage | None:
    return next((s for s in instance.version.stages if s.key == key), None)


def _next_stage(instance: ProcessInstance) -> Stage:
    stages = instance.version.stages
    return stages[stages.index(instance.stage) + 1]


def save_values(
    instance: ProcessInstance,
    actor: User,
    submitted: dict,
    *,
    expected_version: int | None,
    at: datetime | None = None,
) -> list[str]:
    """Store the fields the current stage lets its person edit; returns changed labels."""
    check_version(instance, expected_version)
    changed = _store_values(instance, actor, submitted, at or clock.now())
    if changed:
        db.session.flush()
    return changed


def _record_in_place(instance: ProcessInstance, actor, kind: str, at, **details) -> Event:
    """The event of a change that leaves the item at its stage."""
    event = Event(
        instance_id=instance.id,
        actor=actor,
        kind=kind,
        from_stage=instance.stage,
        to_stage=instance.stage,
        at=at,
        **details,
    )
    db.session.add(event)
    return event


def _store_values(instance: ProcessInstance, actor: User, submitted: dict, at) -> list[str]:
    """save_values() without the flush, for act(), which flushes once at its end."""
    if not available_actions(instance, actor):
        raise PermissionDenied(_l("Only the person at the current stage can edit its fields."))
    editable = field_rules.editable_at(instance.stage, instance.version.fields)
    instance.values, changed = field_rules.apply(editable, submitted, instance.values or {})
    if changed:
        _record_in_place(instance, actor, EventKind.FIELDS, at, comment=", ".join(changed))
    return changed


def act(
    instance: ProcessInstance,
    actor: User,
    action: str,
    *,
    expected_version: int | None,
    comment: str = "",
    values: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """The current person's one action at the current stage."""
    # No query here depends on this item's pending changes, so they go out in one flush
    # at the end: one UPDATE of the item instead of one per look-up that would autoflush.
    with db.session.no_autoflush:
        return _act(instance, actor, action, expected_version, comment, values, at or clock.now())


def _act(instance, actor, action, expected_version, comment, values, at) -> Event:
    check_version(instance, expected_version)
    if not can_view_instance(actor, instance):
        raise NotFound(_l("There is no such item."))
    if action not in available_actions(instance, actor):
        if not instance.is_active:
            raise Conflict(_l("This item is already finished."))
        raise PermissionDenied(
            _l(
                "This step is not yours: %(name)s has the item now.",
                name=instance.assignee.name if instance.assignee else "—",
            )
        )
    comment = comment_text(comment)
    if values is not None:
        _store_values(instance, actor, values, at)
    stage = instance.stage
    if action in (Action.COMPLETE, Action.APPROVE, Action.PUBLISH):
        missing = field_rules.missing_required(stage, instance.version.fields, instance.values)
        if missing:
            raise field_rules.MissingFields(
                _l("Fill in first: %(fields)s.", fields=", ".join(f.label for f in missing)),
                [f.key for f in missing],
            )
    if comment_required(action) and not comment:
        raise DomainError(_l("Say what to fix: a rejection needs a comment."))
    if action == Action.REJECT:
        instance.rework_count += 1
        target = _stage_by_key(instance, stage.reject_to_key)
        event = _send_back(
            instance, target, actor=actor, kind=EventKind.REJECTED, at=at, comment=comment
        )
    else:
        kind = {
            Action.COMPLETE: EventKind.COMPLETED,
            Action.APPROVE: EventKind.APPROVED,
            Action.PUBLISH: EventKind.PUBLISHED,
        }[Action(action)]
        submitter = (
            _previous_holder(instance, _previous_stage(instance))
            if action == Action.APPROVE
            else None
        )
        target = _next_stage(instance)
        event = _enter(instance, target, actor=actor, kind=kind, at=at, comment=comment)
        rejecter = _last_rejecter(instance, target)
        if rejecter is not None:
            notify(rejecter, "resubmitted", actor=actor, instance=instance, at=at)
        if rejecter is not instance.assignee:
            notify(instance.assignee, holder_kind(target), actor=actor, instance=instance, at=at)
        if submitter:
            notify(submitter, "approved", actor=actor, instance=instance, comment=comment, at=at)
    db.session.flush()
    return event


def _send_back(instance, target: Stage, *, actor, kind, at, comment) -> Event:
    """Return the item to an earlier stage, to whoever held it there, who hears of it."""
    event = _enter(
        instance,
        target,
        actor=actor,
        kind=kind,
        at=at,
        comment=comment,
        assignee=_previous_holder(instance, target),
    )
    notify(instance.assignee, "returned", actor=actor, instance=instance, comment=comment, at=at)
    return event


def _last_rejecter(instance: ProcessInstance, stage: Stage) -> User | None:
    """Whoever sent the item back from ``stage`` in the rework it now comes back from: they
    hear when it is reworked. Only the latest sending back counts (an older rejection at the
    stage, approved since, does not)."""
    if not instance.rework_count:
        return None
    query = (
        select(Event)
        .where(
            Event.instance_id == instance.id,
            Event.kind.in_((EventKind.REJECTED, EventKind.MOVED_BACK)),
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    last = db.session.scalar(query)
    if last is None or last.kind != EventKind.REJECTED or last.from_stage.key != stage.key:
        return None
    return last.actor


def _previous_stage(instance: ProcessInstance) -> Stage:
    stages = instance.version.stages
    return stages[max(0, stages.index(instance.stage) - 1)]


def _require_manager(
    instance: ProcessInstance, actor: User, action: ManagerAction, comment: str
) -> str:
    """The comment as stored, once ``actor`` may do ``action``."""
    if action not in available_manager_actions(instance, actor):
        if not instance.is_active:
            raise Conflict(_l("This item is already finished."))
        raise PermissionDenied(_l("Only the department head or an administrator can do this."))
    comment = comment_text(comment)
    if comment_required(action) and not comment:
        raise DomainError(_l("Add a comment: say why."))
    return comment


def reassign(
    instance,
    actor,
    person: User | None,
    *,
    comment: str,
    expected_version,
    at: datetime | None = None,
) -> Event:
    check_version(instance, expected_version)
    comment = _require_manager(instance, actor, ManagerAction.REASSIGN, comment)
    if person is None or not person.active:
        raise DomainError(_l("Choose an active person."))
    at = at or clock.now()
    previous = instance.assignee
    instance.assignee = person
    event = _record_in_place(
        instance, actor, EventKind.REASSIGNED, at, assignee=person, comment=comment
    )
    notify(
        person, holder_kind(instance.stage), actor=actor, instance=instance, comment=comment, at=at
    )
    if previous is not None and previous is not person:
        # What asked them to act is settled (not mentions or comments); they hear that the
        # work left them.
        mark_read_about(previous, instance=instance, kinds=ASKED_TO_ACT, at=at)
        notify(previous, "taken_over", actor=actor, instance=instance, comment=comment, at=at)
    db.session.flush()
    return event


def move_back(
    instance, actor, stage_key: str, *, comment: str, expected_version, at: datetime | None = None
) -> Event:
    at = at or clock.now()
    check_version(instance, expected_version)
    comment = _require_manager(instance, actor, ManagerAction.MOVE_BACK, comment)
    target = _stage_by_key(instance, stage_key)
    stages = instance.version.stages
    if target is None or stages.index(target) >= stages.index(instance.stage):
        raise DomainError(_l("Choose an earlier stage."))
    event = _send_back(
        instance, target, actor=actor, kind=EventKind.MOVED_BACK, at=at, comment=comment
    )
    db.session.flush()
    return event


def cancel(instance, actor, *, comment: str, expected_version, at: datetime | None = None):
    check_version(instance, expected_version)
    comment = _require_manager(instance, actor, ManagerAction.CANCEL, comment)
    at = at or clock.now()
    seconds = int((at - instance.stage_entered_at).total_seconds())
    previous = instance.assignee
    instance.state = InstanceState.CANCELLED
    instance.finished_at = at
    instance.assignee = None
    event = _record_in_place(
        instance, actor, EventKind.CANCELLED, at, comment=comment, seconds_in_stage=max(0, seconds)
    )
    notify(previous, "cancelled", actor=actor, instance=instance, comment=comment, at=at)
    db.session.flush()
    return event


def tick(today: date, at: datetime | None = None) -> list[ProcessInstance]:
    """Move items whose publication date has come out of their wait-until-date stage."""
    at = at or clock.now()
    due = db.session.scalars(
        select(ProcessInstance)
        .join(Stage, ProcessInstance.stage_id == Stage.id)
        .where(
            ProcessInstance.state == InstanceState.ACTIVE,
            Stage.kind == StageKind.WAIT,
            ProcessInstance.publish_on <= today,
        )
        .order_by(ProcessInstance.id)
    ).all()
    for instance in due:
        target = _next_stage(instance)
        _enter(instance, target, actor=None, kind=EventKind.PUBLISHED, at=at)
        notify(instance.assignee, holder_kind(target), actor=None, instance=instance, at=at)
    db.session.flush()
    return list(due)
