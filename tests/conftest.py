"""Fixtures: one migrated database per run (SQLite, or Postgres from MKFLOW_TEST_DATABASE_URL),
emptied after every test; an app per test; a client that carries the CSRF token like a browser."""

import os
import re

import flask_migrate
import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from support import AuthActions, config_for

from mkflow import create_app, seeding
from mkflow.extensions import db

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


def empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Migrate a fresh database once per run; every test starts from empty tables."""
    url = os.environ.get("MKFLOW_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'mkflow-test.db'}"
    )
    app = create_app(config_for(url))
    with app.app_context():
        _reset_schema()
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


class Client(FlaskClient):
    """A test client whose form posts carry the CSRF token, as a browser's do."""

    def csrf_token(self) -> str:
        html = self.get("/__no-such-page__").get_data(as_text=True)
        match = CSRF_FIELD.search(html)
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)

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


@pytest.fixture
def app(database_url):
    app = create_app(config_for(database_url))
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
def demo(app):
    """The demo company from seeds/, in English names."""
    seeding.load_company("en")
    db.session.commit()


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def processes(demo):
    """The demo company plus the shipped process templates (no running items)."""
    from mkflow import seeding_processes

    seeding_processes.load_processes("en")
    db.session.commit()


@pytest.fixture
def demo_items(processes):
    """The demo running items too, as `make run` shows them."""
    from mkflow import seeding_processes

    seeding_processes.load_demo_instances("en")
    db.session.commit()


@pytest.fixture
def project_templates(demo):
    """The demo company plus the shipped project templates."""
    from mkflow import seeding_projects

    seeding_projects.load_project_templates("en")
    db.session.commit()


@pytest.fixture
def demo_projects(project_templates):
    """Demo projects made from the templates and moved along by their dates."""
    from mkflow import seeding_projects

    seeding_projects.load_demo_projects("en")
    db.session.commit()
