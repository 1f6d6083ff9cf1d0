"""The five task statuses and who may move a task between them (pure rules).

Assigned → In progress → On review → Done; On review → Reopened → In progress.
The assignee starts and submits; the reviewer accepts or reopens (with a comment);
the project manager may do anything, including reopening a finished task.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from mkflow.core.labels import LabelledEnum
from mkflow.models.projects import TaskStatus

# Board columns, left to right.
COLUMNS = (
    TaskStatus.ASSIGNED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.ON_REVIEW,
    TaskStatus.REOPENED,
    TaskStatus.DONE,
)
OPEN = frozenset(COLUMNS) - {TaskStatus.DONE}


class Move(LabelledEnum):
    """A step of a task between statuses; the label is its button. Its event in the task's
    history is the EventKind of the same value ("start" here, "started" there)."""

    START = "start", _lp("task move", "Start")  # not the launch of a process («Запустить»)
    SUBMIT = "submit", _l("Submit for review")
    ACCEPT = "accept", _l("Accept")
    REOPEN = "reopen", _l("Reopen")


@dataclass(frozen=True)
class Transition:
    move: Move
    sources: frozenset[TaskStatus]
    target: TaskStatus
    by: str  # "assignee" or "reviewer": who may do it besides the manager


TRANSITIONS = {
    Move.START: Transition(
        Move.START,
        frozenset({TaskStatus.ASSIGNED, TaskStatus.REOPENED}),
        TaskStatus.IN_PROGRESS,
        "assignee",
    ),
    Move.SUBMIT: Transition(
        Move.SUBMIT, frozenset({TaskStatus.IN_PROGRESS}), TaskStatus.ON_REVIEW, "assignee"
    ),
    Move.ACCEPT: Transition(
        Move.ACCEPT, frozenset({TaskStatus.ON_REVIEW}), TaskStatus.DONE, "reviewer"
    ),
    Move.REOPEN: Transition(
        Move.REOPEN,
        frozenset({TaskStatus.ON_REVIEW, TaskStatus.DONE}),
        TaskStatus.REOPENED,
        "reviewer",
    ),
}


def moves_for(
    status: TaskStatus, *, is_assignee: bool, is_reviewer: bool, is_manager: bool
) -> tuple[Move, ...]:
    """The moves this person may make on a task in ``status``, in board order."""
    allowed = []
    for transition in TRANSITIONS.values():
        if status not in transition.sources:
            continue
        if is_manager or (is_assignee if transition.by == "assignee" else is_reviewer):
            # A finished task is reopened by the manager only: its reviewer already accepted it.
            if transition.move == Move.REOPEN and status == TaskStatus.DONE and not is_manager:
                continue
            allowed.append(transition.move)
    return tuple(allowed)
