"""How a request's transaction ends (core.database): one that only read ends with COMMIT,
so that Postgres keeps the statements psycopg prepared; one that wrote without committing
is rolled back, as before."""

import pytest
from sqlalchemy import event, select, text

from mkflow.core import database
from mkflow.core.database import db, on_postgres
from mkflow.models import User


@pytest.fixture
def endings(app, monkeypatch):
    """How each transaction ends. The hook decides the same way on both databases (it acts
    only on Postgres, where psycopg forgets prepared statements): it is made to act here."""
    monkeypatch.setattr(database, "on_postgres", lambda: True)
    seen = []
    event.listen(db.engine, "commit", lambda _conn: seen.append("commit"))
    event.listen(db.engine, "rollback", lambda _conn: seen.append("rollback"))
    return seen


def names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(User.name)))


def test_what_a_request_wrote_without_committing_is_rolled_back(app, demo, endings):
    with app.app_context():  # a request's own context, as in production
        db.session.get(User, 1).name = "Never saved"
        db.session.flush()
    with app.app_context():
        db.session.execute(text("UPDATE \"user\" SET name = 'Never saved either'"))
    assert endings == ["rollback", "rollback"]
    assert not {"Never saved", "Never saved either"} & names(app)


def test_a_failed_request_is_rolled_back_even_if_it_only_read(app, demo, endings):
    with pytest.raises(RuntimeError), app.app_context():
        db.session.scalar(select(User.name))
        raise RuntimeError("the view failed")
    assert endings == ["rollback"]


def test_a_request_that_only_read_ends_with_commit(app, demo, endings):
    with app.app_context():
        db.session.scalar(select(User.name))
    assert endings == ["commit"]


def test_postgres_keeps_the_statements_prepared_across_requests(app, demo):
    if not on_postgres():
        pytest.skip("psycopg's prepared statements")
    prepared = []
    for _ in range(20):  # psycopg prepares a statement at its fifth run on a connection
        with app.app_context():
            db.session.scalar(select(User.name).where(User.email == "head@demo.local"))
            prepared.append(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")))
    assert max(prepared) >= 1
