"""Migrations build the schema from empty and agree with the models; they keep every row of a
populated database, upgrading from any revision and on the way down and up again; a failed
upgrade changes nothing; on SQLite a copy of the file is written before the revision moves.

The populated databases fill every table that exists at a revision (tests/schema_rows.py), so
a new migration is covered without touching this file."""

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from schema_rows import fill, lost, reflect, snapshot
from sqlalchemy import inspect, text
from support import config_for

from mkflow.application import create_app
from mkflow.core.database import db

ROOT = Path(__file__).resolve().parents[2]
# Every revision, oldest first.
REVISIONS = [
    script.revision
    for script in reversed(list(ScriptDirectory(str(ROOT / "migrations")).walk_revisions()))
]
FIRST, HEAD = REVISIONS[0], REVISIONS[-1]


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _schema_diff() -> list:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_upgrade_from_empty_and_models_agree(app):
    db.session.remove()
    flask_migrate.downgrade(revision="base")
    assert _tables() == set()
    flask_migrate.upgrade()
    assert _tables() == set(db.metadata.tables)
    diff = _schema_diff()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def _on_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _empty_postgres() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="module")
def restore_postgres(database_url):
    """The tests below empty the run's Postgres database; the other tests want it at head."""
    yield
    if not _on_sqlite(database_url):
        app = create_app(config_for(database_url))
        with app.app_context():
            _empty_postgres()
            flask_migrate.upgrade()
            db.engine.dispose()


@pytest.fixture
def scratch(database_url, tmp_path, restore_postgres):
    """An app on an empty database: a new SQLite file, or the run's Postgres schema emptied."""

    @contextmanager
    def database(name: str):
        on_sqlite = _on_sqlite(database_url)
        url = f"sqlite:///{tmp_path / name}.db" if on_sqlite else database_url
        app = create_app(config_for(url))
        with app.app_context():
            if not on_sqlite:
                _empty_postgres()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()

    return database


@pytest.fixture
def sqlite_only(database_url):
    if not _on_sqlite(database_url):
        pytest.skip("how migrations run on SQLite; the SQLite run covers it")


def _populate(batch: int = 0) -> None:
    with db.engine.begin() as connection:
        fill(connection, reflect(connection), db.metadata, batch)


def _snapshot():
    with db.engine.connect() as connection:
        return snapshot(connection, reflect(connection))


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _structure() -> dict:
    """Tables with their columns, indexes and foreign keys, as the database reports them."""
    found = inspect(db.engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            sorted(str(sorted(i.items())) for i in found.get_indexes(table)),
            sorted(str(sorted(k.items())) for k in found.get_foreign_keys(table)),
        )
        for table in found.get_table_names()
    }


def test_rows_made_at_every_revision_survive_every_upgrade_to_head(scratch):
    """Each revision adds rows to every table it has, then the database moves one revision
    up: at head it holds rows made at every revision, each step checked to keep them all."""
    with scratch("every-revision"):
        kept = {}
        for batch, revision in enumerate(REVISIONS):
            flask_migrate.upgrade(revision=revision)
            assert _revision() == revision
            with db.engine.begin() as connection:
                tables = reflect(connection)
                assert lost(kept, snapshot(connection, tables)) == [], f"upgrade to {revision}"
                fill(connection, tables, db.metadata, batch)
                kept = snapshot(connection, tables)
            assert all(len(rows) >= 3 for rows in kept.values()), "every table has rows"


def test_a_populated_database_goes_down_to_the_first_revision_and_back(scratch):
    with scratch("round-trip"):
        flask_migrate.upgrade()
        _populate()
        at_head = _snapshot()
        for revision in reversed(REVISIONS[:-1]):
            flask_migrate.downgrade(revision=revision)
            assert _revision() == revision
            # What the older schema still has keeps its values.
            assert lost(at_head, _snapshot(), dropped_ok=True) == [], f"down to {revision}"
        at_first = _snapshot()
        flask_migrate.upgrade()
        assert lost(at_first, _snapshot()) == []
        assert _schema_diff() == []


def test_a_failed_upgrade_leaves_the_database_as_it_was(scratch, monkeypatch):
    def fail_after_the_last(step, **_):
        if step.is_upgrade and step.up_revision_id == HEAD:
            raise RuntimeError("the last migration failed")

    with scratch("failed") as app:
        flask_migrate.upgrade(revision=FIRST)
        _populate()
        rows, structure = _snapshot(), _structure()
        monkeypatch.setitem(
            app.extensions["migrate"].configure_args, "on_version_apply", fail_after_the_last
        )
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 1
        # Every migration after the first ran, and not one of them stayed.
        assert _revision() == FIRST
        assert _structure() == structure
        assert _snapshot() == rows
        monkeypatch.delitem(app.extensions["migrate"].configure_args, "on_version_apply")
        flask_migrate.upgrade()
        assert _revision() == HEAD
        assert lost(rows, _snapshot()) == []


def test_on_sqlite_rows_left_pointing_nowhere_fail_the_upgrade_naming_them(
    sqlite_only, scratch, monkeypatch, caplog
):
    def lose_a_user(ctx, step, **_):
        # With foreign keys off nothing stops this, nor cascades it.
        if step.is_upgrade and step.up_revision_id == HEAD:
            ctx.connection.exec_driver_sql('DELETE FROM "user" WHERE id = ?', (lost_id,))

    with scratch("dangling") as app:
        flask_migrate.upgrade(revision=REVISIONS[-2])
        _populate()
        rows = _snapshot()
        lost_id = min(key[0] for key in rows["user"])
        configure_args = app.extensions["migrate"].configure_args
        monkeypatch.setitem(configure_args, "on_version_apply", lose_a_user)
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 1
        assert "foreign keys broken after the migrations, nothing was changed" in caplog.text
        named = re.findall(r"^  \w+ row \d+: \w+=(\d+) has no user\.id$", caplog.text, re.M)
        assert named and set(named) == {str(lost_id)}
        assert _revision() == REVISIONS[-2]
        assert _snapshot() == rows
        # The connection goes back to the pool as the app wants it.
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.connection.driver_connection.isolation_level == ""


def test_on_sqlite_the_upgrade_command_copies_the_database_first_and_says_where(
    sqlite_only, scratch
):
    with scratch("copied"):
        flask_migrate.upgrade(revision=REVISIONS[-2])
        _populate()
        rows = _snapshot()
        path = Path(db.engine.url.database)
        db.engine.dispose()
    environment = os.environ | {
        "MKFLOW_DATABASE_URL": f"sqlite:///{path}",
        "MKFLOW_SECRET_KEY": "test-secret",
    }
    environment.pop("FLASK_APP", None)
    upgrade = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    done = subprocess.run(upgrade, cwd=ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    copy = path.with_name(f"{path.name}.{REVISIONS[-2]}.bak")
    assert f"Copied {path} as it was at {REVISIONS[-2]} to {copy}" in done.stderr
    with scratch("copied"):
        assert _revision() == HEAD
    # The copy is the database as it was before the upgrade.
    copy_app = create_app(config_for(f"sqlite:///{copy}"))
    with copy_app.app_context():
        assert _revision() == REVISIONS[-2]
        assert _snapshot() == rows
        db.engine.dispose()
    # An upgrade that moves nothing copies nothing; each downgrade by one step copies.
    with scratch("copied"):
        flask_migrate.upgrade()
        assert sorted(p.name for p in path.parent.glob("*.bak")) == [copy.name]
        flask_migrate.downgrade()
        flask_migrate.downgrade()
        assert _revision() == REVISIONS[-3]
    assert sorted(p.name for p in path.parent.glob("*.bak")) == sorted(
        [copy.name, f"{path.name}.{HEAD}.bak", f"{path.name}.{REVISIONS[-2]}.2.bak"]
    )
