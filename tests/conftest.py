"""Fixtures: one migrated database per run (SQLite, or Postgres from MKFLOW_TEST_DATABASE_URL),
emptied after every test; an app per test; a client that carries the CSRF token like a browser;
the app's clock stopped at a fixed moment; the demo company's seeded states, built once per
run and copied back for each test that asks for them."""

import os
import re

import flask_migrate
import jinja2
import pytest
from flask.testing import FlaskClient
from snapshots import Snapshots, empty_all_tables
from sqlalchemy import create_engine, make_url, text
from support import SUITE_MOMENT, AuthActions, config_for, without_holidays
from werkzeug.routing import Rule

from mkflow.application import create_app
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.seeding import company_seeds, process_seeds, project_seeds

CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _database_of_its_own(url: str, worker: str) -> str:
    """Under pytest-xdist each worker (gw0, gw1, …) has a Postgres database of its own, named
    after the given one, made on first use."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Migrate a fresh database once per run; every test starts from empty tables."""
    url = os.environ.get("MKFLOW_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'mkflow-test.db'}"
    )
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and url.startswith("postgresql"):
        url = _database_of_its_own(url, worker)
    app = create_app(config_for(url))
    with app.app_context():
        _reset_schema()
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


class Client(FlaskClient):
    """A test client whose form posts carry the CSRF token, as a browser's do."""

    def csrf_token(self) -> str:
        # A signed token stays valid while the session holds the same raw token: fetched
        # once per session, not by a page load before every post.
        raw = self._session_csrf()
        if raw is not None and getattr(self, "_token_for", None) == raw:
            return self._token
        html = self.get("/__no-such-page__").get_data(as_text=True)
        match = CSRF_FIELD.search(html)
        assert match, "no CSRF token on the page"
        self._token, self._token_for = match.group(1) or match.group(2), self._session_csrf()
        return self._token

    def _session_csrf(self) -> str | None:
        """The raw CSRF token the session cookie holds (None when there is none)."""
        app = self.application
        cookie = self.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
        if cookie is None:
            return None
        serializer = app.session_interface.get_signing_serializer(app)
        try:
            return serializer.loads(cookie.value).get("csrf_token")
        except Exception:  # a cookie this app cannot read: fetch a new token
            return None

    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: otherwise requests would share
        # the test's context, its database session and flask.g (where the current user lives).
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().post(*args, **kwargs)


@pytest.fixture(autouse=True)
def clock_moment(request):
    """The app's clock, stopped at the suite's moment or at the one a test is parametrized
    with (``support.at_every_moment``); a test that depends on the date or the hour gives
    the same answer on any day it runs."""
    clock.set(getattr(request, "param", SUITE_MOMENT))
    yield clock.now()
    clock.set(None)


@pytest.fixture(scope="session")
def snapshots() -> Snapshots:
    return Snapshots()


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates shared by the apps of a run (keyed on their source, so an edited
    template is compiled again): compiling them anew for every test's app took a fifth of
    the suite's time."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = TemplateCache()


def _compile_url_builders_once() -> None:
    """Every test builds an app, and werkzeug compiles Python code for the URL builder of each
    of its rules: 60-90 ms per app, most of an app's making. The rules are the same in every
    app, so each builder is compiled once per run (keyed on everything it is made from)."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # another werkzeug: build them as it does
        return
    compiled = {}

    def compile_once(rule, append_unknown=True):
        key = (
            rule.rule,
            tuple(rule._trace),
            repr(sorted((rule.defaults or {}).items())),
            tuple((name, type(c).__name__) for name, c in sorted(rule._converters.items())),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_once


_compile_url_builders_once()


@pytest.fixture
def app(database_url, snapshots):
    snapshots.start_test()
    app = create_app(config_for(database_url))
    app.jinja_env.bytecode_cache = TEMPLATES
    app.test_client_class = Client
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app, snapshots, clock_moment):
    """The demo company from seeds/, in English names."""
    snapshots.restore(("demo", clock_moment), lambda: _seed(company_seeds.load_company))


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def processes(demo, snapshots, clock_moment):
    """The demo company plus the shipped process templates (no running items)."""

    snapshots.restore(("processes", clock_moment), lambda: _seed(process_seeds.load_processes))


@pytest.fixture
def demo_items(processes, snapshots, clock_moment):
    """The demo running items too, as `make run` shows them (dated from the clock's now)."""

    snapshots.restore(
        ("demo_items", clock_moment), lambda: _seed(process_seeds.load_demo_instances)
    )


@pytest.fixture
def project_templates(demo, snapshots, clock_moment):
    """The demo company plus the shipped project templates."""

    snapshots.restore(
        ("project_templates", clock_moment),
        lambda: _seed(project_seeds.load_project_templates),
    )


@pytest.fixture
def demo_projects(project_templates, snapshots, clock_moment):
    """Demo projects made from the templates and moved along by their dates."""

    snapshots.restore(
        ("demo_projects", clock_moment), lambda: _seed(project_seeds.load_demo_projects)
    )


def _seed(load) -> None:
    load("en")
    db.session.commit()


@pytest.fixture
def plain_week(request):
    """For tests that count working days around 2-13 March 2026 on a Monday-to-Friday week
    (``pytestmark = pytest.mark.usefixtures("plain_week")``): 9 March 2026 is a day off in
    the Russian calendar the demo loads. Holidays have their own tests
    (tests/domain/test_company_calendar.py)."""
    if "demo" in request.fixturenames:
        request.getfixturevalue("demo")
        without_holidays()
