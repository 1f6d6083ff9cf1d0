"""The personal calendar feed: its secret address (made, replaced and revoked from the
account settings) and the feed itself, which calendar apps fetch without logging in."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import StringField

from mkflow.core import clock
from mkflow.sharing import calendar_feed
from mkflow.web.actions import perform, refusal_page
from mkflow.web.forms import Form

bp = Blueprint("calendar", __name__)


class FeedForm(Form):
    """Make a new address, or ``action=revoke`` to turn the feed off."""

    action = StringField(default="")


def _absolute(endpoint: str, **values) -> str:
    """An absolute address on the host the request came to: the one the calendar app
    subscribes to (MKFLOW_BASE_URL is for mail, which is written without a request)."""
    return url_for(endpoint, _external=True, **values)


@bp.route("/calendar/<token>.ics")
def feed(token):
    user = calendar_feed.owner_of(token)
    if user is None:
        abort(404)
    body = calendar_feed.build(user, _absolute, clock.now())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="mkflow.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/account/calendar", methods=["POST"])
@login_required
def manage():
    """Make a new feed address (replacing any earlier one) or turn the feed off."""
    form = FeedForm()
    if form.action.data == "revoke":

        def revoked(_result):
            flash(_("The calendar feed is off; its address no longer works."), "success")
            return redirect(url_for("auth.settings"))

        return perform(
            lambda: calendar_feed.revoke(current_user),
            form=form,
            done=revoked,
            refused=refusal_page,
        )

    def issued(token):
        response = make_response(
            render_template("calendar/created.html", url=_absolute("calendar.feed", token=token))
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return perform(
        lambda: calendar_feed.issue(current_user), form=form, done=issued, refused=refusal_page
    )
