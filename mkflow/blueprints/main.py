"""Landing pages: My work, the company directory, the health check."""

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mkflow.activity import notify
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.formatting import user_today
from mkflow.core.inputs import MAX_ID, parse_int
from mkflow.people import company
from mkflow.processes import board
from mkflow.projects import listing
from mkflow.web.actions import perform, refusal_page
from mkflow.web.cards import CARD_HOST, work_groups
from mkflow.web.counters import nav_counts
from mkflow.web.forms import EmptyForm

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return redirect(url_for("main.my_work"))


@bp.route("/me")
@login_required
def my_work():
    """Everything waiting for the current user, most urgent first, and the latest news."""
    now = clock.now()
    return render_template(
        "main/my_work.html",
        groups=work_groups(
            now,
            user_today(),
            board.my_work(current_user),
            listing.my_tasks(current_user),
            current_user,
        ),
        notifications=notify.recent(current_user, limit=10),
        now=now,
        card_host=CARD_HOST,
    )


@bp.route("/notifications")
@login_required
def notifications():
    return render_template(
        "main/notifications.html", notifications=notify.recent(current_user, limit=200)
    )


@bp.route("/bell")
def bell():
    """The bell's poll: 204 while the unread and waiting counts the page shows (``unread``,
    ``waiting``) are still right, else the bell and the My work counter as they are now."""
    if not current_user.is_authenticated:
        return "", 204
    shown = tuple(parse_int(request.args.get(name), 0, MAX_ID) for name in ("waiting", "unread"))
    if nav_counts(current_user) == shown:
        return "", 204
    return render_template("main/_bell_update.html")


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_notifications_read():
    return perform(
        lambda: notify.mark_all_read(current_user),
        form=EmptyForm(),
        done=lambda _result: redirect(url_for("main.notifications")),
        refused=refusal_page,
    )


@bp.route("/company")
@login_required
def company_directory():
    """Departments with their heads and people, and the named groups."""
    return render_template(
        "main/company.html", departments=company.departments(), groups=company.groups()
    )


@bp.route("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
