"""Who gets an item when it enters a stage: the stage's responsible and its pick rule."""

from sqlalchemy import func, select

from mkflow.core.database import db
from mkflow.core.inputs import parse_id
from mkflow.models import (
    Event,
    InstanceState,
    PickRule,
    ProcessInstance,
    Responsible,
    Stage,
    TemplateVersion,
    User,
    group_members,
)


def _active(user: User | None) -> User | None:
    return user if user is not None and user.active else None


def resolve_assignee(stage: Stage, instance: ProcessInstance) -> User | None:
    """The person to take ``instance`` at ``stage``; None when nobody fits (managers step in)."""
    match stage.responsible:
        case Responsible.USER:
            return _active(stage.user)
        case Responsible.LAUNCHER:
            return _active(instance.launched_by)
        case Responsible.ROLE:
            user_id = (instance.roles or {}).get(stage.role)
            user_id = parse_id(str(user_id or ""))
            return _active(db.session.get(User, user_id)) if user_id else None
        case Responsible.GROUP if stage.group_id is not None:
            return pick(stage, instance.template_id)
    return None


def _active_members(group_id: int, *extra):
    """The group's active members in the order of Group.members, with ``extra`` columns."""
    return (
        select(User, *extra)
        .join(group_members, group_members.c.user_id == User.id)
        .where(group_members.c.group_id == group_id, User.active.is_(True))
        .order_by(User.name)
    )


def _active_load():
    """How many active items a member holds, asked alongside the member."""
    return (
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.assignee_id == User.id,
            ProcessInstance.state == InstanceState.ACTIVE,
        )
        .correlate(User)
        .scalar_subquery()
    )


def pick(stage: Stage, template_id: int) -> User | None:
    if stage.pick_rule == PickRule.LEAST_LOADED:
        # The members with their load in one query. min() keeps the first of equals: by name.
        rows = db.session.execute(_active_members(stage.group_id, _active_load())).all()
        return min(rows, key=lambda row: row[1])[0] if rows else None
    members = db.session.scalars(_active_members(stage.group_id)).all()
    if not members:
        return None
    if stage.pick_rule == PickRule.ROUND_ROBIN:
        return _next_in_turn(stage, template_id, members)
    return members[0]


def _next_in_turn(stage: Stage, template_id: int, members: list[User]) -> User:
    """The member after the one who last took this stage of the process."""
    last = db.session.scalar(
        select(Event.assignee_id)
        .join(Stage, Event.to_stage_id == Stage.id)
        .join(TemplateVersion, Stage.version_id == TemplateVersion.id)
        .where(
            TemplateVersion.template_id == template_id,
            Stage.key == stage.key,
            Event.assignee_id.is_not(None),
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    ids = [m.id for m in members]
    if last in ids:
        return members[(ids.index(last) + 1) % len(members)]
    return members[0]
