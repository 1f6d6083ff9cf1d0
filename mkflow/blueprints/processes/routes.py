"""Process templates: the list, starting an item, the board, finished items."""

import re

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mkflow.blueprints.processes.forms import StartForm
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.people import company
from mkflow.people.process_access import can_manage_template
from mkflow.processes import board as boards
from mkflow.processes import engine
from mkflow.processes.role_choices import role_choices
from mkflow.processes.templates import can_create_templates, problems_of
from mkflow.sharing import share_links
from mkflow.web import process_colors
from mkflow.web.actions import perform
from mkflow.web.cards import card_context, item_cards
from mkflow.web.counters import COLORS_LISTING
from mkflow.web.forms import EmptyForm
from mkflow.web.http import render_board
from mkflow.web.loaders import visible_template_or_404

bp = Blueprint("processes", __name__, url_prefix="/processes")
STAGE_KEY = re.compile(r"[\w-]{1,40}")


@bp.before_request
@login_required
def require_login():
    pass


@bp.route("")
def index():
    """Templates by department, with their active and overdue counts."""
    templates = boards.visible_templates(current_user)
    archived = [
        t
        for t in boards.visible_templates(current_user, archived=True)
        if can_manage_template(current_user, t)
    ]
    by_department: dict = {}
    for template in templates:
        by_department.setdefault(template.department, []).append(template)
    return render_template(
        "processes/index.html",
        by_department=by_department,
        archived=archived,
        stats=boards.template_stats(clock.now()),
        can_create=can_create_templates(current_user),
        can_manage=lambda t: can_manage_template(current_user, t),
        form=EmptyForm(),
    )


@bp.route("/<int:template_id>/start", methods=["GET", "POST"])
def start(template_id):
    """Start an item: title, launch fields, roles, deadline and publication date."""
    template = visible_template_or_404(template_id)
    version = template.current_version
    form = StartForm()

    def page(error=None):
        return render_template(
            "processes/start.html",
            template=template,
            version=version,
            people=(people := company.active_users()),
            roles=role_choices(template, people),
            error=error,
            problems=problems_of(version) if version else [],
            form=form,
            values=form.posted or {},
        ), 422 if error else 200

    def launch():
        return engine.launch(
            template,
            current_user,
            title=form.title.data or "",
            values={f.key: form.field.data.get(f.key) for f in version.fields if f.at_launch},
            roles={
                role: form.role.data.get(str(n)) for n, role in enumerate(engine.roles_of(template))
            },
            deadline=form.deadline.data,
            publish_on=form.publish_on.data,
        )

    def done(instance):
        who = instance.assignee.name if instance.assignee else _("nobody yet")
        flash(
            _(
                "“%(title)s” started: it is with %(name)s at “%(stage)s”.",
                title=instance.title,
                name=who,
                stage=instance.stage.name,
            ),
            "success",
        )
        return redirect(url_for("processes.board", template_id=template.id))

    if request.method == "POST":
        return perform(launch, form=form, done=done, refused=lambda error: page(error.message))
    return page()


@bp.route("/<int:template_id>/board")
def board(template_id):
    """The stages as columns with their cards; filters live in the URL. With ?embed=1, the
    board alone, for an intranet page's iframe."""
    template = visible_template_or_404(template_id)
    filters = boards.BoardFilters.from_args(request.args)
    now = clock.now()

    def context():
        columns = boards.build_board(template, current_user, filters, now)
        return {
            "template": template,
            "filters": filters,
            "now": now,
            "columns": columns,
            "origin": "board",
            "people": boards.people_on_board(template),
            "can_manage": can_manage_template(current_user, template),
            **card_context(now, columns),
        }

    return render_board(
        "processes/board.html",
        "processes/_board.html",
        lambda: share_links.template_stamp(template, now),
        context,
    )


@bp.route("/<int:template_id>/board/<key>")
def column(template_id, key):
    """A column's next cards, after the card in ``after`` (the board's "Show more" link):
    a page of its own without JavaScript, for htmx only the cards and the next link."""
    template = visible_template_or_404(template_id)
    if not STAGE_KEY.fullmatch(key):  # what a stage key can be, and nothing the database refuses
        abort(404)
    filters = boards.BoardFilters.from_args(request.args)
    after = boards.Cursor.parse(request.args.get("after"))
    now = clock.now()
    shown = boards.column_page(template, current_user, filters, now, key, after)
    if shown is None:
        abort(404)
    page = "processes/_more.html" if request.htmx else "processes/column.html"
    return render_template(
        page,
        template=template,
        filters=filters,
        column=shown,
        origin="board",
        **card_context(now, [shown]),
    )


@bp.route("/<int:template_id>/finished")
def finished(template_id):
    """Every finished or cancelled item of a process."""
    template = visible_template_or_404(template_id)
    items = boards.finished_items(template, current_user)
    return render_template(
        "processes/finished.html",
        template=template,
        items=item_cards(clock.now(), items),
    )


@bp.route("/colors.css")
def colors():
    """Each process's colour as a CSS class (pages link it as process_colors.stylesheet_url)."""
    listing = db.session.scalar(COLORS_LISTING) or ""
    response = make_response(process_colors.stylesheet(listing))
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    if request.args.get("v") == process_colors.digest(listing):
        response.headers["Cache-Control"] = process_colors.FOREVER
        return response
    # An address of colours since changed (a page drawn just before, an old tab): the
    # current colours, asked again next time.
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)
