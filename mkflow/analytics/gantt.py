"""A project's Gantt chart: its tasks as a tree of bars with their links, from two reads."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from mkflow.analytics.timeline import DAY_MS, Arrow, Group, Span, figure
from mkflow.core.inputs import parse_id
from mkflow.models import LinkKind, Project, TaskStatus
from mkflow.projects import listing, planning

STATUS_COLOURS = {
    TaskStatus.ASSIGNED: "#6b7f95",
    TaskStatus.IN_PROGRESS: "#2f80ed",
    TaskStatus.ON_REVIEW: "#b8741a",
    TaskStatus.REOPENED: "#9b51e0",
    TaskStatus.DONE: "#219653",
}
# Zoom: the days the axis first shows, and its tick step (plotly "dtick": ms or "M1").
ZOOMS = {
    "week": (14, DAY_MS),
    "month": (42, 7 * DAY_MS),
    "quarter": (100, "M1"),
}
DEFAULT_ZOOM = "month"
NOON = time(12)  # a milestone's diamond sits in the middle of its day


@dataclass
class GanttFilters:
    assignee_id: int | None = None
    status: str | None = None
    zoom: str = DEFAULT_ZOOM

    @classmethod
    def from_args(cls, args) -> "GanttFilters":
        assignee, status, zoom = args.get("assignee", ""), args.get("status", ""), args.get("zoom")
        return cls(
            assignee_id=parse_id(assignee),
            status=status if status in set(TaskStatus) else None,
            zoom=zoom if zoom in ZOOMS else DEFAULT_ZOOM,
        )

    def as_args(self, **changes) -> dict:
        args = {"assignee": self.assignee_id, "status": self.status, "zoom": self.zoom}
        args.update(changes)
        return {k: v for k, v in args.items() if v and not (k == "zoom" and v == DEFAULT_ZOOM)}


@dataclass
class Gantt:
    rows: list[listing.TaskRow]  # tree order, with depth; unscheduled ones too (for the table)
    links: list[tuple[listing.TaskRow, listing.TaskRow, LinkKind, int]]
    first: date | None  # the earliest start and latest due of the shown tasks
    last: date | None


def gantt_of(project: Project, today: date, filters: GanttFilters) -> Gantt:
    """The tasks the filters let through, subtasks under their parents, and the links
    between shown tasks."""
    return arrange(*read(project, today, filters))


def read(project: Project, today: date, filters: GanttFilters):
    """What a Gantt is made of, as read: the rows the filters let through (in no order) and
    the project's links."""
    task_filters = listing.TaskFilters(assignee_id=filters.assignee_id, status=filters.status)
    return listing.plain_rows(project, today, task_filters), planning.links_of(project.id)


def arrange(rows: list[listing.TaskRow], links: list[planning.Link]) -> Gantt:
    """The Gantt of what read() gave."""
    rows = listing.as_tree(rows)
    by_id = {row.id: row for row in rows}
    links = [
        (by_id[link.predecessor], by_id[link.successor], link.kind, link.lag)
        for link in links
        if link.predecessor in by_id and link.successor in by_id
    ]
    starts = [row.start_date or row.due_date for row in rows if row.start_date or row.due_date]
    ends = [row.due_date or row.start_date for row in rows if row.start_date or row.due_date]
    return Gantt(rows, links, min(starts, default=None), max(ends, default=None))


# Where an arrow leaves its predecessor and enters its successor, per link kind, as indexes
# into a bar's (start, end): finish-to-start leaves at the predecessor's end and enters at
# the successor's start.
_ENDS = {
    LinkKind.FS: (1, 0),
    LinkKind.SS: (0, 0),
    LinkKind.FF: (1, 1),
    LinkKind.SF: (0, 1),
}


def gantt_figure(gantt: Gantt, today: date, zoom: str, status_text: dict[str, str]) -> dict:
    """The plotly figure: a bar per scheduled task, coloured by status, late ones outlined,
    milestones as diamonds on their due day, an arrow per link, a line at today. A task's
    bar runs from its first day to the end of its due day; a task with one date lasts that
    day."""
    assignee, dates, status, late = _("Assignee"), _("Dates"), _("Status"), _("Overdue")
    nobody, one_day = _("Unassigned"), timedelta(days=1)
    spans, edges = [], {}
    for row in gantt.rows:
        start, due = row.start_date or row.due_date, row.due_date or row.start_date
        if start is None:
            continue
        if due < start:
            due = start
        end = due + one_day
        hover = [
            row.title,
            f"{assignee}: {row.assignee_name or nobody}",
            f"{dates}: {row.start_text or row.due_text} – {row.due_text}",
            f"{status}: {status_text[row.status]} · {late}"
            if row.late
            else f"{status}: {status_text[row.status]}",
        ]
        spans.append(
            Span(
                str(row.id),
                row.title,
                start,
                end,
                row.status,
                hover,
                row.url,
                row.depth,
                row.late,
                datetime.combine(due, NOON) if row.milestone else None,
            )
        )
        edges[row.id] = (start, end)
    arrows = [
        Arrow(
            str(pred.id),
            edges[pred.id][_ENDS[kind][0]],
            str(succ.id),
            edges[succ.id][_ENDS[kind][1]],
        )
        for pred, succ, kind, _lag in gantt.links
        if pred.id in edges and succ.id in edges
    ]
    groups = {
        status: Group(status_text[status], colour) for status, colour in STATUS_COLOURS.items()
    }
    return figure(
        spans,
        groups,
        arrows=arrows,
        today=today,
        today_label=_("Today"),
        milestone_label=_("Milestone"),
        x_range=zoom_range(gantt, today, zoom),
        tick_step=ZOOMS[zoom][1],
    )


def zoom_range(gantt: Gantt, today: date, zoom: str) -> tuple[date, date] | None:
    """The window the axis opens on: around today while the project runs, else from its
    first day (a finished or future project would otherwise open on an empty stretch)."""
    if gantt.first is None:
        return None
    days = ZOOMS[zoom][0]
    anchor = today if gantt.first <= today <= gantt.last else gantt.first
    start = anchor - timedelta(days=days // 4 if anchor == today else 1)
    return start, start + timedelta(days=days)
