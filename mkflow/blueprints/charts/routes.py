"""Chart pages: a project's Gantt, a process item's and a template's timelines, a
department's portfolio."""

from collections import defaultdict
from urllib.parse import urlencode

from flask import Blueprint, abort, make_response, render_template, request, url_for
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
from mkflow.web.cards import prepare_rows
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
    intranet) or behind a share link (``shared``: no forms, no links into the app)."""
    day, embed = user_today(), embed_requested()
    filters = gantt_charts.GanttFilters.from_args(request.args)
    gantt = gantt_charts.gantt_of(project, day, filters)
    status_labels = prepare_rows(gantt.rows)["labels"]["status"]
    if shared:
        for row in gantt.rows:
            row.url = ""  # a click on a bar leads nowhere
    predecessors = defaultdict(list)
    for pred, succ, kind, lag in gantt.links:
        predecessors[succ.id].append(f"{pred.title} ({kind.upper()}{f' {lag:+d}' if lag else ''})")
    # The table's "Depends on" cell, "Brief (FS); Plan (SS +2)": made here, as a loop per
    # row in the template cost a quarter of the page's rendering.
    depends_on = defaultdict(str, {key: "; ".join(texts) for key, texts in predecessors.items()})
    keep = {"embed": "1"} if embed else {}
    figure = gantt_charts.gantt_figure(gantt, day, filters.zoom, status_labels)
    response = chart_response(
        "charts/gantt.html",
        {"gantt": figure},
        project=project,
        gantt=gantt,
        depends_on=depends_on,
        filters=filters,
        figure=figure,
        status_labels=status_labels,
        zooms=gantt_charts.ZOOMS,
        gantt_url=lambda **args: "?".join(filter(None, (request.path, urlencode(args | keep)))),
        embed=embed,
        shared=shared,
        **context,
    )
    return allow_framing(response) if embed else response  # share.show frames share links


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
        short_day=fmt.short_day,
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
        short_day=fmt.short_day,
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
        short_day=fmt.short_day,
        figure=figure,
    )
