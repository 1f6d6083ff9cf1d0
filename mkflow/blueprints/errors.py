"""Error pages in the user's language; CSRF failures get a page that says what to do."""

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadHost, HTTPException

from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.projects import attachments
from mkflow.web.http import error_page

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return error_page(
        400,
        _("The form has expired"),
        _("The page was open too long or came from another site. Reload it and try again."),
    )


@bp.app_errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    return error_page(error.status, _("This cannot be done"), str(error.message))


@bp.app_errorhandler(IntegrityError)
def conflict(error):
    """Two people saved clashing data at the same moment (a unique name, a deleted row)."""
    db.session.rollback()
    return error_page(
        409,
        _("This conflicts with another change"),
        _("Someone saved a change at the same moment. Reload the page and try again."),
    )


@bp.app_errorhandler(StaleDataError)
def moved_on(error):
    """Someone changed the same item between our read and our write (its version moved)."""
    db.session.rollback()
    return error_page(
        409,
        _("This conflicts with another change"),
        _("Someone changed this item at the same moment. Reload the page to see it now."),
    )


@bp.app_errorhandler(BadHost)
def bad_host(error: BadHost):
    """A Host header no URL can be built for (a label over 63 characters, an empty label):
    the page's links could not be made either, so the answer is plain text."""
    return Response(f"{error.code} {error.name}", error.code, mimetype="text/plain")


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    titles = {
        400: _("Bad request"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("The upload is too large"),
    }
    messages = {
        403: _("You do not have permission to open this page. Ask your administrator."),
        404: _("There is no such page, or you do not have access to it."),
        413: _(
            "A file can be at most %(size)s MB. Choose a smaller file and try again.",
            size=attachments.limit_text(),
        ),
    }
    custom = error.description if error.description != type(error).description else None
    message = custom or messages.get(error.code) or _("Check the address and try again.")
    return error_page(error.code or 500, titles.get(error.code, error.name), message)


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    try:
        return render_template("errors/500.html"), 500
    except Exception:  # the failure may sit under the page itself (the database, the locale)
        return "Internal server error", 500, {"Content-Type": "text/plain; charset=utf-8"}
