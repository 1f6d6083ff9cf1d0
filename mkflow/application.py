"""The app: configuration, extensions, the request's plumbing and the blueprints wired together."""

import gc
import os
from datetime import date, timedelta

import flask_babel
from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from mkflow import models  # noqa: F401  (every table registered before the migrations run)
from mkflow.activity.notice_kinds import kind_of, sentence
from mkflow.blueprints import (
    admin,
    auth,
    calendar,
    charts,
    dashboard,
    errors,
    items,
    main,
    processes,
    projects,
    share,
)
from mkflow.core import config as config_module
from mkflow.core import inputs
from mkflow.core.database import db, end_read_only_transaction, migrate
from mkflow.jobs.cli import register_commands
from mkflow.models import MemberRole, TaskStatus
from mkflow.people import sessions
from mkflow.processes import fields
from mkflow.projects.status import Move
from mkflow.web import i18n
from mkflow.web.compression import compress
from mkflow.web.extensions import babel, csrf, htmx, login_manager
from mkflow.web.http import (
    IdConverter,
    mark_immutable,
    set_security_headers,
    static_url,
    unauthorized,
    with_clean_parameters,
)
from mkflow.web.templating import chart_helpers, template_helpers

# Registered in this order: error pages first.
BLUEPRINTS = (
    errors,
    auth,
    main,
    admin,
    processes,
    items,
    projects,
    charts,
    share,
    calendar,
    dashboard,
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    # Before any route is added: every <int:...> reads ids one way.
    app.url_map.converters["int"] = IdConverter
    os.makedirs(app.instance_path, exist_ok=True)
    config = config or {}
    app.config.update(config_module.from_environment(app.instance_path, config.get("SECRET_KEY")))
    app.config.update(config)
    # Uploads beyond the attachment limit are cut off before they are read (a 413 that says
    # the limit). Flask's defaults hold MAX_CONTENT_LENGTH = None, so setdefault never set it.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        megabytes = app.config["MKFLOW_MAX_ATTACHMENT_MB"] + 1
        app.config["MAX_CONTENT_LENGTH"] = int(megabytes * 1024 * 1024)
    if app.config["MKFLOW_TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _init_extensions(app)
    # After the extensions (htmx-flask sets its own request class): every request's query
    # and form values come without control characters.
    app.request_class = with_clean_parameters(app.request_class)
    _register_blueprints(app)

    register_commands(app)
    return app


def freeze_startup_memory() -> None:
    """Exempt what exists once the app is built from the garbage collector: it lives as long
    as the process, and each full collection walked all of it again, pausing a request for
    50-150 ms. Servers call this after ``create_app`` (gunicorn workers then also share those
    pages); the tests, which build an app per test, do not."""
    gc.collect()
    gc.freeze()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    app.teardown_appcontext(end_read_only_transaction)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.load_user)
    login_manager.unauthorized_handler(unauthorized)

    app.after_request(set_security_headers)
    app.after_request(compress)
    app.after_request(mark_immutable)
    app.context_processor(template_helpers)
    app.jinja_env.filters["todate"] = date.fromisoformat
    app.jinja_env.globals["timedelta"] = timedelta
    app.jinja_env.globals.update(chart_helpers())
    # What forms state about the limits the domain enforces (maxlength, min/max dates).
    app.jinja_env.globals.update(limits=inputs, field_text_limits=fields.MAX_TEXT)
    app.jinja_env.globals.update(
        static_url=static_url,
        LOCALES=i18n.LOCALES,
        get_locale=flask_babel.get_locale,
        has_endpoint=lambda endpoint: endpoint in app.view_functions,
        notice_sentence=sentence,
        notice_kind=kind_of,
        # Enums a template names a member of, or labels a stored text by.
        MemberRole=MemberRole,
        Move=Move,
        TaskStatus=TaskStatus,
    )


def _register_blueprints(app: Flask) -> None:
    for blueprint in (module.bp for module in BLUEPRINTS):
        app.register_blueprint(blueprint)
