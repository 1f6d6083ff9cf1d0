"""An item's past: its events and the path of stages it took, rework loops included."""

from dataclasses import dataclass

from sqlalchemy import select

from mkflow.core.database import db
from mkflow.core.inputs import parse_id
from mkflow.models import Event, EventKind, InstanceState, ProcessInstance, Responsible, Stage

# The events that bring an item into a stage.
ENTERING = frozenset(
    {
        EventKind.LAUNCHED,
        EventKind.COMPLETED,
        EventKind.APPROVED,
        EventKind.REJECTED,
        EventKind.PUBLISHED,
        EventKind.MOVED_BACK,
    }
)


def events(instance: ProcessInstance) -> list[Event]:
    query = select(Event).where(Event.instance_id == instance.id)
    return list(db.session.scalars(query.order_by(Event.at, Event.id)))


def sent_back(instance: ProcessInstance, events: list[Event]) -> Event | None:
    """The rejection (or manager's move back) that brought the item to the stage it is at
    now, with its reason: what the holder must fix first. ``events``: the item's history,
    oldest first (events())."""
    if not instance.is_active:
        return None
    for event in reversed(events):
        if event.to_stage_id == instance.stage_id and event.at <= instance.stage_entered_at:
            kinds = (EventKind.REJECTED, EventKind.MOVED_BACK)
            return event if event.kind in kinds else None
    return None


@dataclass
class PathStep:
    key: str
    name: str
    kind: str
    state: str  # done | current | upcoming | skipped
    visits: int
    seconds: int
    holder_id: int | None  # who held it last, or who will take it (a role's or a named person)
    group: str  # a group's name, when the group will pick someone at the stage


def stage_path(instance: ProcessInstance, history: list[Event] | None = None) -> list[PathStep]:
    history = events(instance) if history is None else history
    visits: dict[str, int] = {}
    seconds: dict[str, int] = {}
    held: dict[str, int] = {}
    for event in history:
        if event.kind in ENTERING and event.to_stage is not None:
            visits[event.to_stage.key] = visits.get(event.to_stage.key, 0) + 1
        if event.to_stage is not None and event.assignee_id is not None:
            held[event.to_stage.key] = event.assignee_id  # reassignments included
        if event.from_stage is not None and event.seconds_in_stage:
            key = event.from_stage.key
            seconds[key] = seconds.get(key, 0) + event.seconds_in_stage
    stages = instance.version.stages
    current = stages.index(instance.stage)
    steps = []
    for index, stage in enumerate(stages):
        if instance.state == InstanceState.CANCELLED and index > current:
            state = "skipped"
        elif index < current or (
            index == current and not instance.is_active and instance.state == InstanceState.DONE
        ):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "upcoming"
        steps.append(
            PathStep(
                stage.key,
                stage.name,
                stage.kind,
                state,
                visits.get(stage.key, 0),
                seconds.get(stage.key, 0),
                held.get(stage.key) or _responsible_id(instance, stage),
                stage.group.name if stage.responsible == Responsible.GROUP and stage.group else "",
            )
        )
    return steps


def _responsible_id(instance: ProcessInstance, stage: Stage) -> int | None:
    """Who will take a stage the item has not reached: a role's person, a named person or
    the launcher."""
    match stage.responsible:
        case Responsible.ROLE:
            return parse_id(str((instance.roles or {}).get(stage.role) or ""))
        case Responsible.USER:
            return stage.user_id
        case Responsible.LAUNCHER:
            return instance.launched_by_id
    return None
