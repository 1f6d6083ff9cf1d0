"""One figure for every chart of spans on a time axis: a project's Gantt, a process item's
stages, a template's active items, a department's projects.

Pure: it gets ready rows and texts and returns a plotly figure; the modules that read the
database decide what the rows are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from markupsafe import Markup

from mkflow.analytics.figure_json import text

ROW_HEIGHT = 26
LATE_OUTLINE = "#c0392b"
ARROW_COLOUR = "#5b6470"
TODAY_COLOUR = "#d9480f"
SUBTASK = "\u2514 "  # before a subtask's name: the axis aligns names right, so no indent


@dataclass
class Span:
    """One bar. ``end`` is exclusive: a task due on the 5th ends at the start of the 6th."""

    key: str  # unique per row: the y category
    label: str  # the row's name on the axis (plain text)
    start: date | datetime
    end: date | datetime
    group: str  # the colour and legend entry
    hover: list[str] = field(default_factory=list)  # lines shown on hover (plain text)
    url: str = ""  # where a click leads
    depth: int = 0  # 0 for a top-level row; deeper rows are marked as subtasks
    late: bool = False  # outlined in red
    diamond: date | datetime | None = None  # a milestone marker at this moment


@dataclass
class Arrow:
    """A dependency drawn from one row's moment to another's."""

    from_key: str
    from_at: date | datetime
    to_key: str
    to_at: date | datetime


@dataclass
class Group:
    label: str
    colour: str


def _iso(moment: date | datetime) -> str:
    return moment.isoformat(sep=" ") if isinstance(moment, datetime) else moment.isoformat()


DAY_MS = 24 * 3600 * 1000


def _milliseconds(start: date | datetime, end: date | datetime) -> int:
    if type(start) is date and type(end) is date:  # a Gantt's bars: whole days
        return (end - start).days * DAY_MS
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time())
    if not isinstance(end, datetime):
        end = datetime.combine(end, datetime.min.time())
    return int((end - start) / timedelta(milliseconds=1))


def figure(
    spans: list[Span],
    groups: dict[str, Group],
    *,
    arrows: list[Arrow] = (),
    today: date | None = None,
    today_label: str = "",
    milestone_label: str = "",
    x_range: tuple[date, date] | None = None,
    tick_step: str | None = None,
) -> dict:
    """Bars in the order of ``spans`` (top to bottom), one trace per group so the legend
    explains the colours; milestones as diamonds; arrows as one line trace whose last point
    of each arrow is an arrowhead turned along the line.

    The figure is plotly's figure dictionary of plain values (see ``figure_json``): building
    a ``go.Figure`` deep-copies and checks every value, several milliseconds for a big
    project's Gantt; the tests build one from it, which validates it against plotly's schema."""
    by_group: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_group[span.group].append(span)
    traces = [_bars(group_key, groups[group_key], rows) for group_key, rows in by_group.items()]
    diamonds = [span for span in spans if span.diamond is not None]
    if diamonds:
        traces.append(_diamonds(diamonds, milestone_label))
    if arrows:
        traces.append(_arrows(arrows))
    keys = [span.key for span in spans]
    layout = {
        "barmode": "overlay",
        "height": max(160, 90 + ROW_HEIGHT * len(spans)),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 30},
        "xaxis": {"type": "date", "side": "top", "gridcolor": "#e6e8eb"},
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": keys,
            "tickvals": keys,
            "ticktext": [_tick(span) for span in spans],
            "autorange": "reversed",
            "automargin": True,
        },
        "legend": {"orientation": "h", "y": -0.02, "yanchor": "top"},
        "hoverlabel": {"align": "left"},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "dragmode": "pan",
    }
    if x_range:
        layout["xaxis"]["range"] = [_iso(x_range[0]), _iso(x_range[1])]
    if tick_step:
        layout["xaxis"]["dtick"] = tick_step
    if today is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _iso(today),
                "x1": _iso(today),
                "y0": 0,
                "y1": 1,
                "line": {"color": TODAY_COLOUR, "width": 2, "dash": "dot"},
                "label": {"text": today_label, "textposition": "end"},
            }
        ]
    return {"data": traces, "layout": layout}


def _tick(span: Span) -> str:
    """Texts are plain (``figure_json`` escapes them); only our own tags are Markup, built
    here with one ``Markup`` per text: a ``Markup`` operation per part costs more than the
    rest of a bar."""
    if span.depth:
        return Markup(SUBTASK + text(span.label))
    return Markup("<b>" + text(span.label) + "</b>")


def _hover(span: Span) -> str:
    return Markup("<br>".join([text(line) for line in span.hover]))


def _bars(key: str, group: Group, rows: list[Span]) -> dict:
    return {
        "type": "bar",
        "orientation": "h",
        "name": group.label,
        "legendgroup": key,
        "y": [span.key for span in rows],
        "base": [_iso(span.start) for span in rows],
        "x": [_milliseconds(span.start, span.end) for span in rows],
        "customdata": [span.url for span in rows],
        "hovertext": [_hover(span) for span in rows],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {
            "color": group.colour,
            "line": {
                "color": [LATE_OUTLINE if span.late else group.colour for span in rows],
                "width": [3 if span.late else 0 for span in rows],
            },
        },
        "width": 0.6,
    }


def _diamonds(spans: list[Span], label: str) -> dict:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": label,
        "showlegend": bool(label),  # unnamed: the bars' legend already says what they are
        "y": [span.key for span in spans],
        "x": [_iso(span.diamond) for span in spans],
        "customdata": [span.url for span in spans],
        "hovertext": [_hover(span) for span in spans],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {"symbol": "diamond", "size": 14, "color": "#1f2933", "line": {"width": 0}},
    }


def _arrows(arrows: list[Arrow]) -> dict:
    """Each arrow: down (or up) from its start, then across to its end, then a gap."""
    xs, ys, sizes = [], [], []
    for arrow in arrows:
        start, end = _iso(arrow.from_at), _iso(arrow.to_at)
        xs += [start, start, end, None]
        ys += [arrow.from_key, arrow.to_key, arrow.to_key, None]
        sizes += [0, 0, 9, 0]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "arrows",
        "showlegend": False,
        "hoverinfo": "skip",
        "x": xs,
        "y": ys,
        "connectgaps": False,
        "line": {"color": ARROW_COLOUR, "width": 1},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": sizes, "color": ARROW_COLOUR},
    }
