"""Process timelines: one item's visits to its stages (rework loops included), and a
template's active items from launch to now."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from mkflow.analytics.timeline import Group, Span, figure
from mkflow.core.database import db
from mkflow.core.formatting import Formatter
from mkflow.models import (
    Event,
    EventKind,
    InstanceState,
    ProcessInstance,
    ProcessTemplate,
    Stage,
    StageKind,
)
from mkflow.processes.board import is_overdue
from mkflow.processes.history import ENTERING, events

KIND_COLOURS = {
    StageKind.WORK: "#2f80ed",
    StageKind.APPROVAL: "#b8741a",
    StageKind.WAIT: "#6b7f95",
    StageKind.FINAL: "#219653",
}
SENT_BACK = "sent_back"  # the colour of a visit that ended in a rejection or a move back
SENT_BACK_COLOUR = "#c0392b"
DEADLINE_COLOUR = "#1f2933"
# The colours of a template's stages, in stage order (a board's columns, left to right).
STAGE_PALETTE = ["#6b7f95", "#2f80ed", "#b8741a", "#9b51e0", "#16a085", "#d35400", "#219653"]


@dataclass
class Visit:
    """One stay of an item at a stage, from the event that brought it there to the one that
    took it away. Moments are stored ones (naive UTC)."""

    stage_key: str
    name: str
    kind: StageKind
    number: int  # 1 the first time at this stage, 2 after the first rework, ...
    start: datetime
    end: datetime | None  # None while the item is still there
    holders: list[str] = field(default_factory=list)  # who held it, reassignments included
    outcome: EventKind | None = None  # the event that ended it; None while current or final

    @property
    def sent_back(self) -> bool:
        return self.outcome in (EventKind.REJECTED, EventKind.MOVED_BACK)

    @property
    def outcome_label(self) -> str:
        """How the stay ended, for a table cell."""
        if self.kind == StageKind.FINAL:
            return _("Finished")
        if self.outcome is None:
            return _("Still there")
        return str(self.outcome.outcome)


def visits(instance: ProcessInstance, history: list[Event] | None = None) -> list[Visit]:
    """The item's stays at its stages in order; the final stage is a moment (start == end)."""
    history = events(instance) if history is None else history
    result: list[Visit] = []
    counts: dict[str, int] = {}
    for event in history:
        current = result[-1] if result and result[-1].end is None else None
        if event.kind in ENTERING and event.to_stage is not None:
            if current is not None:
                current.end, current.outcome = event.at, event.kind
            stage = event.to_stage
            counts[stage.key] = counts.get(stage.key, 0) + 1
            visit = Visit(stage.key, stage.name, stage.kind, counts[stage.key], event.at, None)
            if event.assignee is not None:
                visit.holders.append(event.assignee.name)
            if stage.kind == StageKind.FINAL:
                visit.end = event.at
            result.append(visit)
        elif (
            current is not None
            and event.kind == EventKind.REASSIGNED
            and event.assignee is not None
        ):
            if event.assignee.name not in current.holders:
                current.holders.append(event.assignee.name)
        elif current is not None and event.kind == EventKind.CANCELLED:
            current.end, current.outcome = event.at, EventKind.CANCELLED
    return result


def local(moment: datetime, fmt: Formatter) -> datetime:
    """A stored moment as a naive one in the user's zone: the axis shows wall-clock time."""
    return moment.replace(tzinfo=UTC).astimezone(fmt.zone).replace(tzinfo=None)


def visit_label(visit: Visit) -> str:
    if visit.number == 1:
        return visit.name
    return _("%(stage)s (visit %(number)d)", stage=visit.name, number=visit.number)


def visit_group(visit: Visit) -> str:
    return SENT_BACK if visit.sent_back else visit.kind


def item_figure(instance: ProcessInstance, stays: list[Visit], now: datetime, fmt: Formatter):
    """A bar per visit, coloured by the stage's kind (sent-back visits in red), the current
    one up to now (outlined when its stage is overdue); the finish as a diamond; the
    deadline as a line."""
    labels = {
        "held": _("Held by"),
        "from": pgettext("time", "From"),
        "to": pgettext("time", "To"),
        "time": _("Time"),
    }
    spans = []
    for index, visit in enumerate(stays):
        end = visit.end or now
        hover = [
            visit_label(visit),
            f"{labels['held']}: {', '.join(visit.holders) or '—'}",
            f"{labels['from']}: {fmt.when(visit.start)}",
            f"{labels['to']}: {fmt.when(visit.end) if visit.end else _('now')}",
            f"{labels['time']}: {fmt.duration(end - visit.start)}" + f" · {visit.outcome_label}",
        ]
        final = visit.kind == StageKind.FINAL
        spans.append(
            Span(
                key=f"visit-{index}",
                label=visit_label(visit),
                start=local(visit.start, fmt),
                end=local(end, fmt),
                group=visit_group(visit),
                hover=hover,
                late=visit.end is None and is_overdue(instance, now),
                diamond=local(visit.start, fmt) if final else None,
            )
        )
    groups = {kind: Group(str(kind.label), colour) for kind, colour in KIND_COLOURS.items()}
    groups[SENT_BACK] = Group(_("Sent back"), SENT_BACK_COLOUR)
    fig = figure(
        spans,
        groups,
        today=local(now, fmt) if instance.is_active else None,
        today_label=_("Now"),
        milestone_label="",  # the final stage's bar is in the legend under its kind
    )
    if instance.deadline:
        _deadline_line(fig, datetime.combine(instance.deadline + timedelta(days=1), time()))
    return fig


def _deadline_line(fig, moment: datetime) -> None:
    """A dashed line at the end of the deadline's day."""
    fig["layout"].setdefault("shapes", []).append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": moment.isoformat(sep=" "),
            "x1": moment.isoformat(sep=" "),
            "y0": 0,
            "y1": 1,
            "line": {"color": DEADLINE_COLOUR, "width": 2, "dash": "dash"},
            "label": {"text": _("Deadline"), "textposition": "start"},
        }
    )


# --- a template's active items --------------------------------------------------------------


@dataclass
class ActiveItem:
    instance: ProcessInstance
    late: bool  # its stage is overdue or its deadline has passed


def active_items(
    template: ProcessTemplate, now: datetime, today: date, stage_key: str | None = None
) -> list[ActiveItem]:
    """The template's running items, oldest first; only those at ``stage_key`` if given."""
    query = select(ProcessInstance).where(
        ProcessInstance.template_id == template.id,
        ProcessInstance.state == InstanceState.ACTIVE,
    )
    if stage_key is not None:
        query = query.where(ProcessInstance.stage.has(Stage.key == stage_key))
    items = db.session.scalars(query.order_by(ProcessInstance.created_at, ProcessInstance.id))
    return [ActiveItem(item, _is_late(item, now, today)) for item in items]


def _is_late(item: ProcessInstance, now: datetime, today: date) -> bool:
    return is_overdue(item, now) or (item.deadline is not None and item.deadline < today)


def stage_choices(template: ProcessTemplate) -> list[tuple[str, str]]:
    """(key, name) of the current version's stages that items can stay at."""
    version = template.current_version
    stages = version.stages if version else []
    return [(s.key, s.name) for s in stages if s.kind != StageKind.FINAL]


def template_figure(
    template: ProcessTemplate,
    items: list[ActiveItem],
    now: datetime,
    fmt: Formatter,
    url_of: Callable[[int], str],
    stages: list[tuple[str, str]],
):
    """A bar per active item from its launch to now, coloured by its current stage,
    overdue ones outlined, its deadline as a diamond; a click opens the item."""
    labels = {
        "stage": _("Stage"),
        "held": _("Held by"),
        "started": _("Started"),
        "deadline": _("Deadline"),
        "late": _("Overdue"),
    }
    colours = {key: STAGE_PALETTE[i % len(STAGE_PALETTE)] for i, (key, _n) in enumerate(stages)}
    groups: dict[str, Group] = {}
    spans = []
    for entry in items:
        item = entry.instance
        stage = item.stage
        groups.setdefault(stage.key, Group(stage.name, colours.get(stage.key, "#5b6470")))
        hover = [
            item.title,
            f"{labels['stage']}: {stage.name}" + (f" · {labels['late']}" if entry.late else ""),
            f"{labels['held']}: {item.assignee.name if item.assignee else '—'}",
            f"{labels['started']}: {fmt.when(item.created_at)}",
        ]
        deadline = None
        if item.deadline:
            hover.append(f"{labels['deadline']}: {fmt.date(item.deadline)}")
            deadline = datetime.combine(item.deadline, time(12))
        spans.append(
            Span(
                key=str(item.id),
                label=item.title,
                start=local(item.created_at, fmt),
                end=local(now, fmt),
                group=stage.key,
                hover=hover,
                url=url_of(item.id),
                late=entry.late,
                diamond=deadline,
            )
        )
    return figure(
        spans,
        groups,
        today=local(now, fmt),
        today_label=_("Now"),
        milestone_label=_("Deadline"),
    )
