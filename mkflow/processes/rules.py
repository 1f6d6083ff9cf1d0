"""Pure rules of the process engine: which actions a stage offers, what a valid template is.

Nothing here touches the database, so every rule is tested on plain values.
"""

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mkflow.core.labels import LabelledEnum
from mkflow.models.processes import Responsible, StageKind


class Action(LabelledEnum):
    """What the holder of an item does; the label is its button. What it leaves in the
    item's history is an EventKind ("approve" here, "approved" there)."""

    # work: hand the item to the next stage
    COMPLETE = "complete", _l("Complete and hand off")
    APPROVE = "approve", _l("Approve")
    # back to an earlier stage, with a comment
    REJECT = "reject", _l("Reject")
    # wait-until-date: go on now
    PUBLISH = "publish", _l("Publish now")


class ManagerAction(enum.StrEnum):
    REASSIGN = "reassign"
    MOVE_BACK = "move_back"
    CANCEL = "cancel"


STAGE_ACTIONS = {
    StageKind.WORK: (Action.COMPLETE,),
    StageKind.APPROVAL: (Action.APPROVE, Action.REJECT),
    StageKind.WAIT: (Action.PUBLISH,),
    StageKind.FINAL: (),
}


def actions_for(kind: StageKind, *, is_assignee: bool, is_active: bool) -> tuple[Action, ...]:
    """What the person in front of an item may do at a stage of this kind."""
    if not (is_active and is_assignee):
        return ()
    return STAGE_ACTIONS[StageKind(kind)]


def manager_actions(*, is_manager: bool, is_active: bool) -> tuple[ManagerAction, ...]:
    if not (is_manager and is_active):
        return ()
    return tuple(ManagerAction)


def comment_required(action: str) -> bool:
    return action in {
        Action.REJECT,
        ManagerAction.MOVE_BACK,
        ManagerAction.CANCEL,
        ManagerAction.REASSIGN,
    }


@dataclass(frozen=True)
class StageSpec:
    """What validation needs to know of a stage."""

    key: str
    name: str
    kind: StageKind
    responsible: Responsible | None = None
    has_holder: bool = False  # the named user, group or role is filled in
    reject_to_key: str | None = None


@dataclass(frozen=True)
class Problem:
    message: object  # a lazy translated string
    stage_key: str | None = None


def validate(stages: list[StageSpec]) -> list[Problem]:
    """Why a list of stages cannot run; empty when it can."""
    problems: list[Problem] = []
    if not stages:
        return [Problem(_l("Add at least one stage."))]
    finals = [i for i, s in enumerate(stages) if s.kind == StageKind.FINAL]
    if not finals:
        problems.append(Problem(_l("The process has no final stage: add one at the end.")))
    if stages[0].kind == StageKind.FINAL:
        problems.append(Problem(_l("The first stage cannot be final."), stages[0].key))
    first_final = finals[0] if finals else len(stages)
    for stage in stages[first_final + 1 :]:
        problems.append(
            Problem(
                _l(
                    "Stage “%(name)s” can never be reached: it comes after the final stage.",
                    name=stage.name,
                ),
                stage.key,
            )
        )
    positions = {s.key: i for i, s in enumerate(stages)}
    for index, stage in enumerate(stages):
        if stage.kind != StageKind.FINAL and not (stage.responsible and stage.has_holder):
            problems.append(
                Problem(
                    _l("Stage “%(name)s” has no responsible person.", name=stage.name), stage.key
                )
            )
        if stage.kind == StageKind.APPROVAL:
            target = positions.get(stage.reject_to_key or "")
            if target is None or target >= index:
                problems.append(
                    Problem(
                        _l(
                            "Approval “%(name)s” must send rejections to an earlier stage.",
                            name=stage.name,
                        ),
                        stage.key,
                    )
                )
    return problems
