"""Chart pages: a project's Gantt (process timelines and portfolios live beside it)."""

from flask import Blueprint, make_response, render_template, request, url_for
from flask_login import current_user, login_required

from mkflow.blueprints.projects.routes import project_or_404
from mkflow.blueprints.projects.rows import prepare_rows
from mkflow.charts import gantt as gantt_charts
from mkflow.charts.timeline import to_json
from mkflow.formatting import today
from mkflow.projects import access
from mkflow.projects.status import STATUS_LABELS
from mkflow.web import CHART_CONTENT_SECURITY_POLICY

bp = Blueprint("charts", __name__)


@bp.before_request
@login_required
def require_login():
    """Every chart page is for logged-in users; share links have their own pages."""


def chart_response(template: str, **context):
    """A chart page: plotly.js adds a few style rules of its own at run time."""
    response = make_response(render_template(template, **context))
    response.headers["Content-Security-Policy"] = CHART_CONTENT_SECURITY_POLICY
    return response


def gantt_context(project, filters: gantt_charts.GanttFilters) -> dict:
    """What the Gantt page and its shared view print: the rows for the table and the
    figure for plotly.js."""
    day = today()
    gantt = gantt_charts.gantt_of(project, day, filters)
    prepare_rows(gantt.rows, "gantt")
    predecessors: dict[int, list] = {}
    for pred, succ, kind, lag in gantt.links:
        predecessors.setdefault(succ.id, []).append((pred, kind, lag))
    return {
        "project": project,
        "gantt": gantt,
        "predecessors": predecessors,
        "filters": filters,
        "figure_json": to_json(gantt_charts.gantt_figure(gantt, day, filters.zoom)),
        "status_labels": STATUS_LABELS,
        "zooms": gantt_charts.ZOOMS,
    }


@bp.route("/projects/<int:project_id>/gantt")
def gantt(project_id):
    """The project's tasks on a date axis; filters and zoom live in the URL."""
    project = project_or_404(project_id)
    return chart_response(
        "charts/gantt.html",
        people=access.member_choices(project),
        is_manager=access.is_manager(current_user, project),
        can_work=access.can_work(current_user, project),
        gantt_url=lambda **args: url_for("charts.gantt", project_id=project.id, **args),
        link_rows=True,
        **gantt_context(project, gantt_charts.GanttFilters.from_args(request.args)),
    )
