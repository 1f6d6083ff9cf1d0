"""The department dashboard (/dashboard), the company dashboard (/dashboard/company), the
items behind a figure (/dashboard/items), each chart's numbers as CSV, and a process
template's dashboard behind a share link. Filters live in the URL."""

import csv
import io
from datetime import date, datetime

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mkflow.analytics import dashboard_figures, drill
from mkflow.analytics import filters as dashboard_filters
from mkflow.analytics.process_figures import templates
from mkflow.blueprints.charts.routes import chart_response
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import NotFound
from mkflow.core.formatting import formatter, user_today
from mkflow.core.text import spreadsheet_cell
from mkflow.models import Department, EventKind, User
from mkflow.sharing import share_links
from mkflow.web.share_panel import share_panel

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def require_login():
    """Dashboards are for logged-in users; a template's share link has its own page."""


def _context(f: dashboard_filters.Filters, *, links: bool = True) -> dashboard_figures.Context:
    def url(view: str, changes: dict) -> str:
        if not links:
            return ""
        if view == "project":
            return url_for("projects.show", **changes)
        if view == "task":
            return url_for("projects.task", **changes)
        plain = {k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()}
        return url_for(f"dashboard.{view}", **f.args(**plain))

    return dashboard_figures.Context(f, clock.now(), user_today(), url)


def _department_filters() -> dashboard_filters.Filters:
    return dashboard_filters.authorize(
        current_user, dashboard_filters.parse(request.args, user_today())
    )


def _lands_on_company(user: User) -> bool:
    own = user.department
    return dashboard_filters.sees_company(user) and (own is None or own.oversees_company)


def _company_filters() -> dashboard_filters.Filters:
    if not dashboard_filters.sees_company(current_user):
        raise NotFound(dashboard_filters.NO_DASHBOARD)
    f = dashboard_filters.parse(request.args, user_today())
    return f.narrowed(department_id=None, template_id=None, person_id=None)


def _choices(f: dashboard_filters.Filters) -> dict:
    """What the filter form offers the user."""
    department = db.session.get(Department, f.department_id)
    own_only = dashboard_filters.own_numbers_only(current_user, f.department_id)
    people = []
    if not own_only:
        people = db.session.scalars(
            db.select(User)
            .where(User.department_id == f.department_id, User.active)
            .order_by(User.name)
        ).all()
    return {
        "department": department,
        "departments": dashboard_filters.departments_for(current_user),
        "process_choices": templates(f.narrowed(template_id=None)),
        "people": people,
        "own_only": own_only,
        "person": db.session.get(User, f.person_id) if f.person_id else None,
        "sees_company": dashboard_filters.sees_company(current_user),
    }


def _figures(charts) -> dict:
    """The charts' figures by the ids their sections give them (dashboard/_section.html)."""
    return {f"{c.name}-chart": c.figure for c in charts if c is not None and c.figure is not None}


# The department dashboard's first screen comes with the page; each chart below it comes
# when it scrolls into view (htmx), so the page stays small and quick to draw.
FIRST = ("summary", "people", "throughput")


def later_titles() -> dict:
    """The headings of the charts that come later, until they come."""
    return {
        "cycle": _("Cycle time, launch to the final stage"),
        "stages": _("Time per stage"),
        "first_pass": _("First-pass approval rate"),
        "flow": _("Cumulative flow"),
        "projects": _("Projects"),
        "milestones": _("Upcoming milestones"),
    }


@bp.route("")
def index():
    """A department's dashboard; the company's management, whose own department runs no
    work of its own, lands on the company view unless a department is asked for."""
    if "department" not in request.args and _lands_on_company(current_user):
        return redirect(url_for("dashboard.company", **request.args))
    f = _department_filters()
    ctx = _context(f)
    department = db.session.get(Department, f.department_id)
    shares = {}
    if department is not None and share_links.can_share(current_user, department):
        shares = share_panel(department)
    parts = [
        (name, make(ctx) if name in FIRST else None)
        for name, make in dashboard_figures.DEPARTMENT.items()
    ]
    return chart_response(
        "dashboard/department.html",
        _figures(chart for _name, chart in parts),
        filters=f,
        parts=parts,
        later_titles=later_titles(),
        csv_view="dashboard.department_csv",
        **shares,
        **_choices(f),
    )


@bp.route("/part/<name>")
def part(name):
    """One chart of the department dashboard: the section htmx puts in place, or (without
    JavaScript, from the link in its place) a page of its own."""
    if name not in dashboard_figures.DEPARTMENT:
        abort(404)
    f = _department_filters()
    chart = dashboard_figures.DEPARTMENT[name](_context(f))
    if request.htmx:
        template, page = "dashboard/_part.html", {}
    else:
        template, page = "dashboard/part.html", _choices(f)
    return chart_response(
        template, _figures([chart]), c=chart, filters=f, csv_view="dashboard.department_csv", **page
    )


@bp.route("/company")
def company():
    f = _company_filters()
    ctx = _context(f)
    charts = [make(ctx) for make in dashboard_figures.COMPANY.values()]
    return chart_response(
        "dashboard/company.html",
        _figures(charts),
        filters=f,
        charts=charts,
        csv_view="dashboard.company_csv",
    )


def _csv(chart: dashboard_figures.Chart, f: dashboard_filters.Filters):
    out = io.StringIO()
    writer = csv.writer(out)
    for row in chart.csv_rows():
        writer.writerow([spreadsheet_cell(value) for value in row])
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = f"{chart.name}-{f.period.start.isoformat()}-{f.period.end.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/<name>.csv")
def department_csv(name):
    if name not in dashboard_figures.DEPARTMENT:
        abort(404)
    f = _department_filters()
    return _csv(dashboard_figures.DEPARTMENT[name](_context(f)), f)


@bp.route("/company/<name>.csv")
def company_csv(name):
    if name not in dashboard_figures.COMPANY:
        abort(404)
    f = _company_filters()
    return _csv(dashboard_figures.COMPANY[name](_context(f)), f)


DRILLS = {
    "finished": lambda f, args: drill.finished_items(f),
    "stage": lambda f, args: drill.stage_visits(f, args.get("stage", "")),
    "decisions": lambda f, args: drill.decisions(f, args.get("stage", "")),
    "slipped": lambda f, args: drill.slipped_tasks(f),
    "work": lambda f, args: drill.open_work(f.person_id, current_user, clock.now(), user_today()),
}


def drill_titles() -> dict:
    return {
        "finished": _("Items finished"),
        "stage": _("Visits of the stage"),
        "decisions": _("Items decided at the approval stage"),
        "slipped": _("Tasks whose dates moved"),
        "work": _("Open work"),
    }


def _shown(value, fmt) -> str:
    """A drill-down cell in the user's language and time zone."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return fmt.when(value)
    if isinstance(value, date):
        return fmt.date(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, EventKind) and value.outcome:
        return str(value.outcome)
    return str(value)


@bp.route("/items")
def items():
    """The items a figure counts: the figure's filters, narrowed to one bar."""
    show = request.args.get("show", "")
    f = _department_filters()
    if show not in DRILLS or (show == "work" and f.person_id is None):
        abort(404)
    fmt = formatter()
    rows = DRILLS[show](f, request.args)
    for row in rows:
        row.cells = [_shown(value, fmt) for value in row.cells]
    return render_template(
        "dashboard/items.html",
        filters=f,
        show=show,
        title=drill_titles()[show],
        rows=rows,
        limit=drill.LIMIT,
        **_choices(f),
    )


def shared_department(link):
    """A department's process and project figures, read-only; not its people's numbers."""
    department = link.department
    f = dashboard_filters.parse({}, user_today()).narrowed(department_id=department.id)
    ctx = _context(f, links=False)
    charts = [
        dashboard_figures.DEPARTMENT[name](ctx) for name in dashboard_figures.SHARED_DEPARTMENT
    ]
    return chart_response(
        "dashboard/shared.html",
        _figures(charts),
        filters=f,
        charts=charts,
        link=link,
        share_title=_("Dashboard: %(name)s", name=department.name),
        shared=True,
    )


def shared_dashboard(link):
    """A process template's figures, read-only: the process part of the department view."""
    template = link.template
    f = dashboard_filters.parse({}, user_today()).narrowed(
        department_id=template.department_id, template_id=template.id
    )
    ctx = _context(f, links=False)
    charts = [dashboard_figures.DEPARTMENT[name](ctx) for name in dashboard_figures.PROCESS_ONLY]
    return chart_response(
        "dashboard/shared.html",
        _figures(charts),
        filters=f,
        charts=charts,
        link=link,
        share_title=_("Dashboard: %(name)s", name=template.name),
        shared=True,
    )
