"""The dashboards' charts: each a table of numbers (shown beside the chart, and served as
CSV cell for cell) and a plotly figure drawn from the same rows. A bar's ``customdata`` is
the link to the items it counts (empty on a share link)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import pgettext

from mkflow.analytics import department_figures, process_figures, project_figures, workload
from mkflow.analytics.filters import Filters
from mkflow.core.formatting import formatter

PALETTE = ("#2454c5", "#d35400", "#219653", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d")
LATE, SOON, NEXT, LATER = "#c0392b", "#d35400", "#a67c00", "#6b7f95"


class Hours(float):
    """A length of time: a table shows it as days and hours, a CSV as hours."""


def hours(value: float | None) -> Hours | None:
    return None if value is None else Hours(value)


def cell(value, *, shown: bool = True) -> str:
    """A value as the page's table shows it (dates and lengths of time in the reader's
    words) or, with ``shown=False``, as its CSV holds it (ISO dates, hours as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Change):
        text = cell(type(value.delta)(abs(value.delta)), shown=shown)
        minus = "−" if shown else "-"  # a spreadsheet reads only the ASCII one as a number
        return f"+{text}" if value.delta > 0 else f"{minus}{text}" if value.delta < 0 else text
    if isinstance(value, Hours) and shown:
        return formatter().duration(timedelta(hours=value))
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, datetime):
        return formatter().when(value) if shown else value.isoformat()
    if isinstance(value, date):
        return formatter().date(value) if shown else value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Change:
    delta: float


def change(now, before) -> Change | None:
    """The change from ``before`` to ``now``, signed, in the unit of the two."""
    if now is None or before is None:
        return None
    delta = now - before
    if isinstance(delta, float):
        delta = round(delta, 1)
    return Change(Hours(delta) if isinstance(now, Hours) else delta)


@dataclass
class Chart:
    name: str  # the id in the page and the CSV's name
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # per row: where its cells lead ("" none)
    figure: dict | None = None
    note: str = ""

    values: list[list] = field(default_factory=list)  # as given: the CSV formats them its way

    def add(self, values: list, link: str = "") -> None:
        self.values.append(values)
        self.rows.append([cell(v) for v in values])
        self.links.append(link)

    def csv_rows(self) -> list[list[str]]:
        """The headers and the rows as the CSV holds them: lengths of time in hours, said in
        the column's header (or the row's first cell, where a row holds them)."""
        unit = _("h")

        def timed(values) -> bool:
            given = [_plain(v) for v in values if v is not None]
            return bool(given) and all(isinstance(v, Hours) for v in given)

        columns = list(zip(*self.values, strict=True)) if self.values else []
        headers = [
            f"{header}, {unit}" if columns and timed(columns[n]) else header
            for n, header in enumerate(self.headers)
        ]
        rows = []
        for row in self.values:
            cells = [cell(v, shown=False) for v in row]
            if timed(row[1:]) and not timed(row[:1]) and not any(map(timed, columns[1:])):
                cells[0] = f"{cells[0]}, {unit}"
            rows.append(cells)
        return [headers, *rows]


def _plain(value):
    return value.delta if isinstance(value, Change) else value


@dataclass
class Context:
    filters: Filters
    now: datetime
    today: date
    # url(view, changes): a link to a dashboard view with the filters changed ("" for none)
    url: Callable[[str, dict], str]
    memo: dict = field(default_factory=dict)

    def once(self, name: str, compute: Callable):
        """``compute()`` once per page: several charts read the same numbers."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


def bar(name: str, labels: list, values: list, colour, links: list, *, horizontal=False) -> dict:
    """One bar trace; a click on a bar opens its ``customdata`` link."""
    axis = "%{y}" if horizontal else "%{x}"
    value = "%{x}" if horizontal else "%{y}"
    return {
        "type": "bar",
        "name": name,  # plain text, like the labels: charts.output escapes them
        "x": values if horizontal else labels,
        "y": labels if horizontal else values,
        "orientation": "h" if horizontal else "v",
        "marker": {"color": colour},
        "customdata": links,
        "hovertemplate": f"{axis}: {value}<extra>%{{fullData.name}}</extra>",
    }


def figure(traces: list[dict], height: int = 320, *, reversed_y=False, **layout) -> dict:
    """Plotly's figure dictionary (a ``go.Figure`` would deep-copy and check every value;
    the tests build one from it, which validates it)."""
    axis = {"automargin": True, "gridcolor": "#eef0f3"}
    if _few_whole_things(traces, layout.get("barmode")):
        # a few items: the interactive chart steps by one, never by 0.2 of an item
        value_axis = "xaxis" if traces[0].get("orientation") == "h" else "yaxis"
        layout[value_axis] = {"dtick": 1} | layout.get(value_axis, {})
    return {
        "data": traces,
        "layout": {
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "legend": {"orientation": "h", "y": -0.15},
            "plot_bgcolor": "#ffffff",
            "font": {"family": "system-ui, sans-serif", "size": 12},
            "xaxis": axis | layout.pop("xaxis", {}),
            "yaxis": axis
            | ({"autorange": "reversed"} if reversed_y else {})
            | layout.pop("yaxis", {}),
            **layout,
        },
    }


def _few_whole_things(traces: list[dict], barmode: str | None) -> bool:
    """The bars count things (whole numbers) and the longest bar (or stack) is at most 5."""
    values = [t.get("x" if t.get("orientation") == "h" else "y") or [] for t in traces]
    if not any(values) or not all(isinstance(v, int) for vs in values for v in vs):
        return False
    tops = (
        map(sum, zip(*values, strict=False))
        if barmode == "stack"
        else (v for vs in values for v in vs)
    )
    return max(tops) <= 5


def _hbar_height(rows: int) -> int:
    return max(160, 60 + 28 * rows)


# --- department dashboard -----------------------------------------------------------------


def summary(ctx: Context) -> Chart:
    """The department's numbers now and in the period before, as one table."""
    found = department_figures.summaries(ctx.filters, ctx.now, ctx.today)
    chart = Chart(
        "summary",
        _("Summary"),
        [_("Measure"), _("This period"), _("Previous period"), pgettext("dashboard", "Change")],
    )
    if not found:
        return chart
    s = found[0]
    chart.add([_("Active work"), s.active, "", ""])
    chart.add([_("Overdue"), s.overdue, "", ""])
    for label, now, before in (
        (_("Items and tasks finished"), s.now.finished, s.before.finished),
        (_("On time, %"), s.now.on_time_rate, s.before.on_time_rate),
        (_("Median cycle time"), hours(s.now.median_hours), hours(s.before.median_hours)),
    ):
        chart.add([label, now, before, change(now, before)])
    return chart


def people_chart(ctx: Context) -> Chart:
    found = workload.people(ctx.filters, ctx.now, ctx.today)
    chart = Chart(
        "people",
        _("People and workload"),
        [
            _("Person"),
            _("Process items"),
            _("Tasks"),
            _("Overdue"),
            _("Done this week"),
            _("Done last week"),
            _("Due this week"),
            _("Due next week"),
            _("Later or undated"),
            _("Due by end of next week"),
            _("Overloaded"),
        ],
        note=_(
            "Open work due by the end of next week, overdue included; more than %(n)d is an "
            "overload.",
            n=workload.OVERLOAD,
        ),
    )
    links = []
    for p in found:
        link = ctx.url("items", {"show": "work", "person": p.id})
        links.append(link)
        chart.add(
            [
                p.name,
                p.items,
                p.tasks,
                p.overdue,
                p.done_this_week,
                p.done_last_week,
                p.due_this_week,
                p.due_next_week,
                p.due_later,
                p.load,
                p.overloaded,
            ],
            link,
        )
    names = [p.name + (" ⚠" if p.overloaded else "") for p in found]
    traces = [
        bar(label, names, values, colour, links, horizontal=True)
        for label, colour, values in (
            (_("Overdue"), LATE, [p.overdue for p in found]),
            (_("Due this week"), SOON, [p.due_this_week for p in found]),
            (_("Due next week"), NEXT, [p.due_next_week for p in found]),
            (_("Later or undated"), LATER, [p.due_later for p in found]),
        )
    ]
    if any(p.active for p in found):  # no open work: the table says so, an empty axis not
        chart.figure = figure(traces, _hbar_height(len(found)), reversed_y=True, barmode="stack")
    return chart


def throughput(ctx: Context) -> Chart:
    f = ctx.filters
    names = ctx.once("templates", lambda: process_figures.templates(f))
    data = ctx.once("throughput", lambda: process_figures.throughput(f))
    chart = Chart(
        "throughput",
        _("Throughput per week"),
        [_("Week"), _("Process"), pgettext("dashboard", "Finished")],
    )
    traces = []
    shown = [(tid, name, colour) for tid, (name, colour) in names.items() if tid in data.counts]
    for n, (tid, name, colour) in enumerate(shown):
        counts, links = [], []
        for week in data.weeks:
            part = f.period.week(week)
            link = ctx.url(
                "items",
                {"show": "finished", "template": tid, "from": part.start, "to": part.end},
            )
            count = data.counts.get(tid, {}).get(week, 0)
            counts.append(count)
            links.append(link)
            chart.add([week, name, count], link)
        weeks = [w.isoformat() for w in data.weeks]
        traces.append(bar(name, weeks, counts, colour or PALETTE[n % len(PALETTE)], links))
    chart.figure = figure(traces, barmode="stack", xaxis={"type": "category"})
    return chart


def cycle_time(ctx: Context) -> Chart:
    f = ctx.filters
    names = ctx.once("templates", lambda: process_figures.templates(f))
    cycles = process_figures.cycle_times(f)
    chart = Chart(
        "cycle",
        _("Cycle time, launch to the final stage"),
        [_("Process"), pgettext("dashboard", "Finished"), _("Median"), _("85th percentile")],
    )
    shown = [(tid, name) for tid, (name, _c) in names.items() if tid in cycles]
    links = []
    for tid, name in shown:
        c = cycles[tid]
        link = ctx.url("items", {"show": "finished", "template": tid})
        links.append(link)
        chart.add([name, c.count, hours(c.median_hours), hours(c.p85_hours)], link)
    labels = [name for _t, name in shown]
    traces = [
        bar(
            label,
            labels,
            [round(getattr(cycles[t], attr), 1) for t, _n in shown],
            colour,
            links,
            horizontal=True,
        )
        for label, colour, attr in (
            (_("Median, h"), PALETTE[0], "median_hours"),
            (_("85th percentile, h"), PALETTE[1], "p85_hours"),
        )
    ]
    chart.figure = figure(traces, _hbar_height(2 * len(shown)), reversed_y=True, barmode="group")
    return chart


def _stage_label(names: dict, template_id: int, stage: str) -> str:
    return stage if len(names) == 1 else f"{names[template_id][0]}: {stage}"


def stage_time(ctx: Context) -> Chart:
    f = ctx.filters
    names = ctx.once("templates", lambda: process_figures.templates(f))
    found = [s for s in process_figures.stage_times(f) if s.template_id in names]
    chart = Chart(
        "stages",
        _("Time per stage"),
        [_("Process"), _("Stage"), _("Visits"), _("Mean"), _("Total"), _("Bottleneck")],
        note=_("The stage where a visit lasts longest on average is the bottleneck."),
    )
    worst = max(found, key=lambda s: s.mean_hours, default=None)
    links = []
    for s in found:
        link = ctx.url("items", {"show": "stage", "stage": s.key, "template": s.template_id})
        links.append(link)
        chart.add(
            [
                names[s.template_id][0],
                s.name,
                s.visits,
                hours(s.mean_hours),
                hours(s.total_hours),
                s is worst,
            ],
            link,
        )
    trace = bar(
        _("Mean, h"),
        [_stage_label(names, s.template_id, s.name) for s in found],
        [round(s.mean_hours, 1) for s in found],
        [LATE if s is worst else PALETTE[0] for s in found],
        links,
        horizontal=True,
    )
    chart.figure = figure([trace], _hbar_height(len(found)), reversed_y=True)
    return chart


def first_pass(ctx: Context) -> Chart:
    f = ctx.filters
    names = ctx.once("templates", lambda: process_figures.templates(f))
    found = [s for s in process_figures.first_pass(f) if s.template_id in names]
    chart = Chart(
        "first_pass",
        _("First-pass approval rate"),
        [_("Process"), _("Stage"), _("Decided"), _("Sent back"), _("First-pass rate, %")],
        note=_("Items approved without being sent back for rework, of the items decided."),
    )
    links = []
    for s in found:
        link = ctx.url("items", {"show": "decisions", "stage": s.key, "template": s.template_id})
        links.append(link)
        chart.add([names[s.template_id][0], s.name, s.decided, s.rejected, s.rate], link)
    trace = bar(
        _("First-pass rate, %"),
        [_stage_label(names, s.template_id, s.name) for s in found],
        [round(s.rate, 1) for s in found],
        PALETTE[2],
        links,
        horizontal=True,
    )
    chart.figure = figure(
        [trace],
        _hbar_height(len(found)),
        reversed_y=True,
        xaxis={"range": [0, 100], "ticksuffix": "%"},
    )
    return chart


def flow(ctx: Context) -> Chart:
    f = ctx.filters
    names = ctx.once("templates", lambda: process_figures.templates(f))
    finished = ctx.once("throughput", lambda: process_figures.throughput(f))
    template_id = process_figures.busiest_template(f, finished, names)
    title = _("Cumulative flow")
    if template_id in names:
        title = _("Cumulative flow: %(name)s", name=names[template_id][0])
    if template_id is None:
        return Chart("flow", title, [_("Day")])
    data = process_figures.cumulative_flow(f, template_id)
    chart = Chart("flow", title, [_("Day"), *(name for _k, name in data.stages)])
    for n, day in enumerate(data.days):
        chart.add([day, *(data.counts[key][n] for key, _name in data.stages)])
    days = [d.isoformat() for d in data.days]
    # The final stage at the bottom, the first stage on top: the classic diagram.
    traces = [
        {
            "type": "scatter",
            "name": name,
            "x": days,
            "y": data.counts[key],
            "mode": "lines",
            "stackgroup": "flow",
            "line": {"width": 0.5, "color": PALETTE[n % len(PALETTE)]},
            "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>",
        }
        for n, (key, name) in reversed(list(enumerate(data.stages)))
    ]
    chart.figure = figure(traces, 360)
    return chart


def projects_chart(ctx: Context) -> Chart:
    found = project_figures.projects(ctx.filters, ctx.today)
    chart = Chart(
        "projects",
        _("Projects"),
        [
            _("Project"),
            _("Tasks"),
            pgettext("dashboard", "Done"),
            _("Progress, %"),
            _("Overdue"),
            _("Dates moved in the period"),
        ],
    )
    links = []
    for p in found:
        link = ctx.url("project", {"project_id": p.id})
        links.append(link)
        chart.add([p.name, p.total, p.done, p.progress, p.overdue, p.slipped], link)
    names = [p.name for p in found]
    traces = [
        bar(label, names, values, colour, links, horizontal=True)
        for label, colour, values in (
            (pgettext("dashboard", "Done"), PALETTE[2], [p.done for p in found]),
            (_("Overdue"), LATE, [p.overdue for p in found]),
            (pgettext("dashboard", "Open"), LATER, [p.total - p.done - p.overdue for p in found]),
        )
    ]
    chart.figure = figure(traces, _hbar_height(len(found)), reversed_y=True, barmode="stack")
    return chart


def milestones(ctx: Context) -> Chart:
    chart = Chart("milestones", _("Upcoming milestones"), [_("Due"), _("Milestone"), _("Project")])
    for m in project_figures.milestones(ctx.filters, ctx.today):
        chart.add([m.due, m.title, m.project], ctx.url("task", {"task_id": m.task_id}))
    return chart


DEPARTMENT = {
    "summary": summary,
    "people": people_chart,
    "throughput": throughput,
    "cycle": cycle_time,
    "stages": stage_time,
    "first_pass": first_pass,
    "flow": flow,
    "projects": projects_chart,
    "milestones": milestones,
}
PROCESS_ONLY = ("throughput", "cycle", "stages", "first_pass", "flow")  # a template's share
# A department's share link: its processes and projects, not its people's numbers.
SHARED_DEPARTMENT = (*PROCESS_ONLY, "projects", "milestones")


# --- company dashboard --------------------------------------------------------------------


def departments(ctx: Context) -> Chart:
    found = department_figures.summaries(ctx.filters, ctx.now, ctx.today)
    chart = Chart(
        "departments",
        _("Departments"),
        [
            _("Department"),
            pgettext("dashboard", "Active"),
            _("Overdue"),
            pgettext("dashboard", "Finished"),
            _("Finished before"),
            _("Finished: change"),
            _("On time, %"),
            _("On time before, %"),
            _("On time: change, points"),
            _("Median cycle time"),
            _("Median cycle time before"),
            _("Cycle time: change"),
        ],
        note=_("“Before”: the period of the same length just before the chosen one."),
    )
    links = []
    for s in found:
        link = ctx.url("index", {"department": s.department_id})
        links.append(link)
        now, before = s.now, s.before
        chart.add(
            [
                s.name,
                s.active,
                s.overdue,
                now.finished,
                before.finished,
                change(now.finished, before.finished),
                now.on_time_rate,
                before.on_time_rate,
                change(now.on_time_rate, before.on_time_rate),
                hours(now.median_hours),
                hours(before.median_hours),
                change(hours(now.median_hours), hours(before.median_hours)),
            ],
            link,
        )
    names = [s.name for s in found]
    traces = [
        bar(label, names, values, colour, links)
        for label, colour, values in (
            (pgettext("dashboard", "Active"), PALETTE[0], [s.active for s in found]),
            (_("Overdue"), LATE, [s.overdue for s in found]),
            (pgettext("dashboard", "Finished"), PALETTE[2], [s.now.finished for s in found]),
            (_("Finished before"), LATER, [s.before.finished for s in found]),
        )
    ]
    chart.figure = figure(traces, 360, barmode="group")
    return chart


COMPANY = {"departments": departments}
