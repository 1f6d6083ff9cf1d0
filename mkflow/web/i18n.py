"""Language and time zone of the current request."""

import flask_babel
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

LOCALES = {"en": "English", "ru": "Русский"}


def select_locale() -> str:
    """The user's setting, else the one chosen before login, else the browser's."""
    if not has_request_context():  # CLI commands and domain code outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return (
        request.accept_languages.best_match(list(LOCALES))
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def install_template_gettext(app) -> None:
    """Templates translate through the request's translations looked up once, not through
    Flask-Babel's per-call look-up (its context, locale and domain: ~10 µs a string, and a
    board page prints ~150). Same callables and autoescaping as Flask-Babel installs."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def translations():
    """The request's translations (Flask-Babel's), looked up once per request."""
    # Kept under the name Flask-Babel's refresh() and force_locale() clear in its
    # per-request namespace, so a language switched mid-request is followed.
    if not g:  # no app context: Flask-Babel's own answer (no translations)
        return flask_babel.get_translations()
    found = getattr(g.get("_flask_babel"), "babel_translations", None)
    if found is None:
        found = flask_babel.get_translations()  # creates the namespace
        g._flask_babel.babel_translations = found
    return found
