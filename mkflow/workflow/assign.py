"""Who gets an item when it enters a stage: the stage's responsible and its pick rule."""

from sqlalchemy import func, select

from mkflow.extensions import db
from mkflow.models import (
    Event,
    InstanceState,
    PickRule,
    ProcessInstance,
    Responsible,
    Stage,
    TemplateVersion,
    User,
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
            return _active(db.session.get(User, int(user_id))) if user_id else None
        case Responsible.GROUP if stage.group is not None:
            members = [m for m in stage.group.members if m.active]
            return pick(stage, instance.template_id, members)
    return None


def pick(stage: Stage, template_id: int, members: list[User]) -> User | None:
    if not members:
        return None
    match stage.pick_rule:
        case PickRule.LEAST_LOADED:
            load = dict(
                db.session.execute(
                    select(ProcessInstance.assignee_id, func.count())
                    .where(
                        ProcessInstance.state == InstanceState.ACTIVE,
                        ProcessInstance.assignee_id.in_([m.id for m in members]),
                    )
                    .group_by(ProcessInstance.assignee_id)
                ).all()
            )
            return min(members, key=lambda m: (load.get(m.id, 0), members.index(m)))
        case PickRule.ROUND_ROBIN:
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
    return members[0]
