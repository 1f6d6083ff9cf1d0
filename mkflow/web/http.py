"""HTTP plumbing shared by the blueprints: safe redirects, headers, form responses."""

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import (
    Request,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_url
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, ValidationError

from mkflow.core.config import embed_origins
from mkflow.core.database import db
from mkflow.core.inputs import MAX_ID, parse_id, parse_int, without_controls

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Chart pages: plotly.js adds a few style rules at run time (plotly/plotly.js#7543); scripts
# stay as strict as everywhere else.
CHART_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits within the database's INTEGER range. Any
    other value ('²', '١', 20 digits) matches no route, so it is a 404, not int()'s or the
    database's exception."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_int(value, 0, MAX_ID)
        if number is None:
            raise ValidationError()
        return number


class CleanParameters(ImmutableMultiDict):
    """Query and form values without control characters (tabs and line breaks stay): a NUL
    would be stored silently on SQLite and refused by Postgres; nobody types the others."""

    def __init__(self, mapping=None):
        super().__init__(mapping)
        for key, values in dict.items(self):
            if any(isinstance(v, str) and not v.isprintable() for v in values):
                cleaned = [without_controls(v) if isinstance(v, str) else v for v in values]
                dict.__setitem__(self, key, cleaned)


def with_clean_parameters(request_class: type[Request]) -> type[Request]:
    """``request_class`` (htmx-flask's, say) whose query and form values are CleanParameters."""
    return type("CleanRequest", (request_class,), {"parameter_storage_class": CleanParameters})


def arg_id(name: str) -> int | None:
    """An id from the query string, None when it is missing or malformed."""
    return parse_id(request.args.get(name))


def row(model, row_id: int | None):
    """The row of ``model`` with the id a form field read, or None."""
    return db.session.get(model, row_id) if row_id else None


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (never an open redirect). What is
    returned is what was checked: the path and query split out, no control character."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if not target.isprintable() or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    # Old browsers know only X-Frame-Options; it would also refuse the frames allow_framing
    # lets in, so it is left out there.
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    if _private(request):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _private(req) -> bool:
    """What a logged-in person is sent, and a share link's pages (their address is the key):
    neither the browser (the back button after logging out, a shared computer) nor a cache
    on the way may keep it. Static files stay cacheable; a view may set its own policy."""
    if req.endpoint == "static":
        return False
    return req.blueprint == "share" or current_user.is_authenticated


# Embedding: share links and, with ?embed=1, boards (and charts) may be shown in an iframe
# on the intranet pages named in MKFLOW_EMBED_ORIGINS, without the app's navigation.


def allow_framing(response):
    """Let the pages of MKFLOW_EMBED_ORIGINS frame this response (CSP frame-ancestors),
    whatever policy the view set. Only for embeddable views; every other page keeps
    frame-ancestors 'none' and X-Frame-Options DENY."""
    origins = embed_origins(current_app.config.get("MKFLOW_EMBED_ORIGINS"))
    policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    directives = [d for d in directives if not d.startswith("frame-ancestors")]
    directives.append("frame-ancestors " + (" ".join(origins) or "'none'"))
    response.headers["Content-Security-Policy"] = "; ".join(directives)
    response.headers.pop("X-Frame-Options", None)
    return response


def embed_requested() -> bool:
    return request.args.get("embed") == "1"


def unauthorized():
    """A page that needs a login, asked by someone not logged in: the login page, except in
    an intranet page's frame (?embed=1), where the login page may not be shown (it is never
    framed): there, a framed page that says how to see it."""
    manager = current_app.login_manager
    if not embed_requested():  # Flask-Login's default, for this app's settings (one login view)
        flash(str(manager.login_message), manager.login_message_category)
        return redirect(login_url(manager.login_view, next_url=request.url))
    args = {k: v for k, v in request.args.lists() if k != "embed"}
    own_page = "?".join(filter(None, (request.path, urlencode(args, doseq=True))))
    page = render_template("auth/embed_login.html", login_url=url_for("auth.login", next=own_page))
    return allow_framing(make_response(page, 401))


def render_board(page: str, fragment: str, stamp, context, *, shared: bool = False):
    """A board page. Embedded (?embed=1) it has no navigation, the intranet may frame it,
    and it asks every MKFLOW_EMBED_REFRESH_SECONDS whether it changed: the poll carries the
    stamp the board was drawn with (``since``) and gets 204 while the stamp is the same,
    else ``fragment`` afresh. ``stamp`` and ``context`` are callables, so an unchanged poll
    costs one query. A share link's page (``shared``) may always be framed."""
    embed = embed_requested()
    poll_url, template = None, page
    if embed:
        current, since = stamp(), request.args.get("since")
        if since == current:
            return allow_framing(make_response("", 204))
        # The page's own address and its arguments, not url_for: a query argument named like
        # a route argument (or url_for's own "_external") must not change what is built.
        args = request.args.to_dict() | {"embed": "1", "since": current}
        poll_url = f"{request.path}?{urlencode(args)}"
        if since is not None:
            template = "embed_poll.html"
    html = render_template(
        template, embed=embed, shared=shared, poll_url=poll_url, fragment=fragment, **context()
    )
    response = make_response(html)
    return allow_framing(response) if embed else response  # share.show frames share links


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """A static URL that changes with the file, so it can be cached for a year."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_file_digest(str(path)))


def mark_immutable(response):
    """A static file fetched at the address static_url gave (its digest in ``v``) never
    changes there: the browser need not ask again, not even on a reload."""
    if request.endpoint == "static" and response.status_code == 200:
        path = Path(current_app.static_folder) / request.view_args["filename"]
        if request.args.get("v") == _file_digest(str(path)):
            response.cache_control.immutable = True
    return response


def render_form(template: str, form, status: int | None = None, **context):
    """Render a form page; a submitted form with errors answers 422, not 200."""
    if status is None:
        status = 422 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return render_template(template, form=form, **context), status


def error_page(status: int, title: str, message: str):
    """The error page (errors/error.html), in the user's language."""
    return render_template("errors/error.html", status=status, title=title, message=message), status
