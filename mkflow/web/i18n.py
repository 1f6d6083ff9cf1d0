"""Language and time zone of the current request."""

from flask import current_app, has_request_context, request, session
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
