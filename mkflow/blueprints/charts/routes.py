"""Chart pages: a project's Gantt, a process item's and a template's timelines, a
department's portfolio."""

from collections import defaultdict
from dataclasses import fields
from operator import attrgetter
from urllib.parse import urlencode

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from mkflow.analytics import gantt as gantt_charts
from mkflow.analytics import item_timelines as timelines
from mkflow.analytics import portfolio as portfolios
from mkflow.analytics.figure_json import to_json
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.formatting import formatter, user_today
from mkflow.models import Department
from mkflow.people import project_access
from mkflow.projects.listing import TaskRow
from mkflow.web.cards import prepare_rows
from mkflow.web.fragments import gantt_bodies
from mkflow.web.http import CHART_CONTENT_SECURITY_POLICY, allow_framing, embed_requested
from mkflow.web.loaders import instance_or_404, project_or_404, visible_template_or_404
from mkflow.web.templating import FIGURE_ARG

bp = Blueprint("charts", __name__)


@bp.before_request
@login_required
def require_login():
    """Every chart page is for logged-in users; share links have their own pages."""


def chart_response(template: str, figures: dict, **context):
    """A chart page, which draws its charts on the server. ``figures``: plotly's figure
    dictionary of each chart, by the id the page gives it. The "Interactive" button asks the
    page's own URL (its filters, its share token) with ?figure=<id> (web.templating's
    ``figure_url``): that answers the figure's JSON for plotly.js instead of the page, so a
    page does not carry JSON few readers ask for (200 KB of a 500-task Gantt)."""
    if FIGURE_ARG in request.args:
        figure = figures.get(request.args[FIGURE_ARG])
        if figure is None:
            abort(404)
        response = make_response(to_json(figure))
        response.mimetype = "application/json"
        return response
    response = make_response(render_template(template, **context))
    response.headers["Content-Security-Policy"] = CHART_CONTENT_SECURITY_POLICY
    return response


# A stand-in for an id in a link pattern; no real id is this large.
SENTINEL_ID = "987654321"


def link_to(endpoint: str, arg: str):
    """A link maker for many ids: one url_for call, then a replace per id."""
    pattern = url_for(endpoint, **{arg: int(SENTINEL_ID)})
    return lambda item_id: pattern.replace(SENTINEL_ID, str(item_id))


def gantt_response(project, *, shared: bool = False, **context):
    """The Gantt page, the same chart embedded (?embed=1: no navigation, framed by the
    intranet) or behind a share link (``shared``: no forms, no links into the app). Its
    chart and table are rendered once per state of what they show (web.fragments)."""
    day, embed = user_today(), embed_requested()
    filters = gantt_charts.GanttFilters.from_args(request.args)
    rows, links = gantt_charts.read(project, day, filters)
    keep = {"embed": "1"} if embed else {}

    def figure_and_body(*, body: bool):
        gantt = gantt_charts.arrange(rows, links)
        status_labels = prepare_rows(gantt.rows)["labels"]["status"]
        if shared:
            for row in gantt.rows:
                row.url = ""  # a click on a bar leads nowhere
        figure = gantt_charts.gantt_figure(gantt, day, filters.zoom, status_labels)
        if not body:
            return figure
        return render_template(
            "charts/_gantt_body.html",
            project=project,
            gantt=gantt,
            depends_on=_depends_on(gantt.links),
            filters=filters,
            figure=figure,
            status_labels=status_labels,
            zooms=gantt_charts.ZOOMS,
            gantt_url=lambda **args: "?".join(filter(None, (request.path, urlencode(args | keep)))),
        )

    if FIGURE_ARG in request.args:
        return chart_response("charts/gantt.html", {"gantt": figure_and_body(body=False)})
    # Everything else the body shows follows from these: the links and dates of its rows
    # from the URL (a share link's too) and the language, the tree from the rows.
    made_of = (
        request.script_root,
        request.full_path,
        str(get_locale()),
        day,
        project.name,
        [_row_values(row) for row in rows],
        [(link.predecessor, link.successor, link.kind.value, link.lag) for link in links],
    )
    response = chart_response(
        "charts/gantt.html",
        {},
        project=project,
        filters=filters,
        gantt_body=gantt_bodies.get_or_make(made_of, lambda: figure_and_body(body=True)),
        embed=embed,
        shared=shared,
        **context,
    )
    return allow_framing(response) if embed else response  # share.show frames share links


# A task row's values as read, for the digest of what a Gantt body is made of. Dates go in
# as day numbers: pickling 1,000 date objects took 0.6 ms of a 9 ms page.
_DATES = ("start_date", "due_date", "changed_at")  # the status's change is not shown
_UNDATED_VALUES = attrgetter(*(f.name for f in fields(TaskRow) if f.name not in _DATES))


def _row_values(row: TaskRow) -> tuple:
    start, due = row.start_date, row.due_date
    return _UNDATED_VALUES(row), start and start.toordinal(), due and due.toordinal()


def _depends_on(links) -> dict:
    """The table's "Depends on" cell, "Brief (FS); Plan (SS +2)": made here, as a loop per
    row in the template cost a quarter of the page's rendering."""
    predecessors = defaultdict(list)
    for pred, succ, kind, lag in links:
        predecessors[succ.id].append(f"{pred.title} ({kind.upper()}{f' {lag:+d}' if lag else ''})")
    return defaultdict(str, {key: "; ".join(texts) for key, texts in predecessors.items()})


@bp.route("/projects/<int:project_id>/gantt")
def gantt(project_id):
    """The project's tasks on a date axis; filters and zoom live in the URL."""
    project = project_or_404(project_id)
    return gantt_response(
        project,
        people=project_access.member_choices(project),
        is_manager=project_access.is_manager(current_user, project),
        can_work=project_access.can_work(current_user, project),
    )


def shared_gantt(link):
    return gantt_response(link.project, shared=True, link=link, share_title=link.project.name)


@bp.route("/instances/<int:instance_id>/timeline")
def instance_timeline(instance_id):
    """The time the item actually spent at each stage, one bar per visit."""
    instance = instance_or_404(instance_id)
    now, fmt = clock.now(), formatter()
    visits = timelines.visits(instance)
    figure = timelines.item_figure(instance, visits, now, fmt)
    return chart_response(
        "charts/instance_timeline.html",
        {"item-timeline": figure},
        item=instance,
        visits=visits,
        visit_label=timelines.visit_label,
        now=now,
        figure=figure,
    )


@bp.route("/processes/<int:template_id>/timeline")
def template_timeline(template_id):
    """The template's active items from launch to now, by current stage; ?stage= narrows."""
    template = visible_template_or_404(template_id)
    now, fmt = clock.now(), formatter()
    stages = timelines.stage_choices(template)
    stage = request.args.get("stage") or None
    stage = stage if stage in dict(stages) else None
    items = timelines.active_items(template, now, user_today(), stage)
    item_url = link_to("items.show", "instance_id")
    figure = timelines.template_figure(template, items, now, fmt, item_url, stages)
    return chart_response(
        "charts/template_timeline.html",
        {"template-timeline": figure},
        process=template,
        items=items,
        item_url=item_url,
        stages=stages,
        stage=stage,
        figure=figure,
    )


@bp.route("/departments/<int:department_id>/portfolio")
def portfolio(department_id):
    """The department's live projects the user may see, with their milestones."""
    department = db.session.get(Department, department_id)
    day = user_today()
    rows = portfolios.portfolio(department, current_user, day) if department else []
    if department is None or not portfolios.may_view(current_user, department, rows):
        abort(404)
    fmt = formatter()
    figure = portfolios.portfolio_figure(
        rows,
        day,
        fmt,
        link_to("projects.show", "project_id"),
        link_to("projects.task", "task_id"),
    )
    return chart_response(
        "charts/portfolio.html",
        {"portfolio": figure},
        department=department,
        rows=rows,
        figure=figure,
    )
