"""Share links: the read-only page a link opens without an account, and creating, listing
and revoking links from a project's settings or a process's editor.

A link's page shows one view and nothing else: no navigation, no form, no link into the
app. What a kind of link shows is its entry in SHARED_VIEWS, a function of the link and the
``embed`` flag (?embed=1) that answers like a view; the answer may always be framed by the
intranet origins (web.allow_framing).
"""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mkflow.blueprints.share.views import SHARED_VIEWS
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.formatting import formatter, user_today
from mkflow.models import Department, ShareLink
from mkflow.sharing import share_links
from mkflow.web.actions import InvalidForm, perform, refusal_page
from mkflow.web.forms import EmptyForm
from mkflow.web.http import allow_framing
from mkflow.web.loaders import project_or_404, visible_template_or_404
from mkflow.web.share_panel import URL_TARGETS, manage_url, share_form

bp = Blueprint("share", __name__)


@bp.route("/share/<token>")
def show(token):
    now = clock.now()
    link = share_links.find_valid(token, now)
    if link is None or link.kind not in SHARED_VIEWS:
        # The same plain page for unknown, expired and revoked links.
        response = make_response(render_template("share/gone.html", shared=True), 404)
        return allow_framing(response)
    share_links.touch(link, now)
    db.session.commit()
    response = make_response(SHARED_VIEWS[link.kind](link))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return allow_framing(response)


# Managing links (logged in; the CSRF check is the app's)


def _target_or_404(target: str, target_id: int) -> share_links.Target:
    if target == "projects":
        return project_or_404(target_id)
    if target == "departments":
        department = db.session.get(Department, target_id)
        if department is None or not share_links.can_share(current_user, department):
            abort(404)
        return department
    return visible_template_or_404(target_id)


@bp.route("/<any(projects, processes, departments):target>/<int:target_id>/share", methods=["POST"])
@login_required
def create(target, target_id):
    """Create a link and show its URL, this once: only its hash is kept."""
    shared = _target_or_404(target, target_id)
    if not share_links.can_share(current_user, shared):
        abort(403)
    form = share_form(shared)

    def refused(error):
        if isinstance(error, InvalidForm):
            flash(_("Choose what to share and until when."), "error")
        else:
            flash(str(error.message), "error")
        return redirect(manage_url(shared))

    def done(created):
        link, token = created
        response = make_response(
            render_template(
                "share/created.html",
                link=link,
                url=url_for("share.show", token=token, _external=True),
                back=manage_url(shared),
                kind_label=share_links.KINDS[link.kind].label,
            )
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return perform(
        lambda: share_links.create(
            current_user,
            shared,
            form.kind.data,
            form.expires_on.data,
            today=user_today(),
            zone=formatter().zone,
        ),
        form=form,
        done=done,
        refused=refused,
    )


@bp.route("/share-links/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke(link_id):
    link = db.session.get(ShareLink, link_id)
    shared = link and share_links.target_of(link)
    if shared is None:
        abort(404)
    _target_or_404(URL_TARGETS[share_links.TARGET_NAMES[type(shared)]], shared.id)

    def done(_result):
        flash(_("The link is revoked: it opens nothing any more."), "success")
        return redirect(manage_url(shared))

    return perform(
        lambda: share_links.revoke(current_user, link, clock.now()),
        form=EmptyForm(),
        done=done,
        refused=refusal_page,
    )
