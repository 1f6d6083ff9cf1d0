"""Share links: the read-only page a link opens without an account, and creating, listing
and revoking links from a project's settings or a process's editor.

A link's page shows one view and nothing else: no navigation, no form, no link into the
app. What a kind of link shows is its entry in SHARED_VIEWS, a function of the link and the
``embed`` flag (?embed=1) that answers like a view; the answer may always be framed by the
intranet origins (web.allow_framing).
"""

from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mkflow import clock, sharing
from mkflow.blueprints.share.forms import ShareForm
from mkflow.errors import DomainError
from mkflow.extensions import db
from mkflow.formatting import formatter
from mkflow.models import Department, Project, ShareLink
from mkflow.web import allow_framing

bp = Blueprint("share", __name__)

SHARED_VIEWS: dict[str, Callable] = {}


def shared_view(kind: str):
    """Register what a link of ``kind`` shows: ``view(link) -> response``."""

    def register(view):
        SHARED_VIEWS[kind] = view
        return view

    return register


@bp.route("/share/<token>")
def show(token):
    now = clock.now()
    link = sharing.find_valid(token, now)
    if link is None or link.kind not in SHARED_VIEWS:
        # The same plain page for unknown, expired and revoked links.
        response = make_response(render_template("share/gone.html", shared=True), 404)
        return allow_framing(response)
    sharing.touch(link, now)
    db.session.commit()
    response = make_response(SHARED_VIEWS[link.kind](link))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return allow_framing(response)


# Managing links (logged in; the CSRF check is the app's)


def _target_or_404(target: str, target_id: int) -> sharing.Target:
    # Here, not above: these blueprints import this one for their settings pages.
    from mkflow.blueprints.processes.routes import visible_template_or_404
    from mkflow.blueprints.projects.routes import project_or_404

    if target == "projects":
        return project_or_404(target_id)
    if target == "departments":
        department = db.session.get(Department, target_id)
        if department is None or not sharing.can_share(current_user, department):
            abort(404)
        return department
    return visible_template_or_404(target_id)


URL_TARGETS = {"project": "projects", "template": "processes", "department": "departments"}


def _manage_url(target: sharing.Target) -> str:
    if isinstance(target, Project):
        return url_for("projects.settings", project_id=target.id, _anchor="share")
    if isinstance(target, Department):
        return url_for("dashboard.index", department=target.id, _anchor="share")
    return url_for("processes.edit", template_id=target.id, _anchor="share")


def _share_form(target) -> ShareForm:
    form = ShareForm()
    form.kind.choices = [(kind, sharing.KINDS[kind].label) for kind in sharing.kinds_for(target)]
    if not form.is_submitted():
        form.expires_on.data = clock.user_today() + timedelta(days=30)
    return form


def share_panel(target: sharing.Target) -> dict:
    """What the share section of a settings page shows (share/_panel.html)."""
    return {
        "share_links": sharing.list_for(target),
        "share_form": _share_form(target),
        "share_action": url_for(
            "share.create",
            target=URL_TARGETS[sharing.TARGET_NAMES[type(target)]],
            target_id=target.id,
        ),
        "share_kinds": sharing.KINDS,
        "share_now": clock.now(),
        "is_valid": sharing.is_valid,
    }


@bp.route("/<any(projects, processes, departments):target>/<int:target_id>/share", methods=["POST"])
@login_required
def create(target, target_id):
    """Create a link and show its URL, this once: only its hash is kept."""
    shared = _target_or_404(target, target_id)
    if not sharing.can_share(current_user, shared):
        abort(403)
    form = _share_form(shared)
    try:
        if not form.validate():
            raise DomainError(_("Choose what to share and until when."))
        link, token = sharing.create(
            current_user,
            shared,
            form.kind.data,
            form.expires_on.data,
            today=clock.user_today(),
            zone=formatter().zone,
        )
    except DomainError as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(_manage_url(shared))
    db.session.commit()
    response = make_response(
        render_template(
            "share/created.html",
            link=link,
            url=url_for("share.show", token=token, _external=True),
            back=_manage_url(shared),
            kind_label=sharing.KINDS[link.kind].label,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/share-links/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke(link_id):
    link = db.session.get(ShareLink, link_id)
    shared = link and sharing.target_of(link)
    if shared is None:
        abort(404)
    _target_or_404(URL_TARGETS[sharing.TARGET_NAMES[type(shared)]], shared.id)
    sharing.revoke(current_user, link, clock.now())
    db.session.commit()
    flash(_("The link is revoked: it opens nothing any more."), "success")
    return redirect(_manage_url(shared))
