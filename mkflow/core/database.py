"""The database: the SQLAlchemy and Alembic objects, bound to the app in create_app(), and the
few statements that differ between SQLite and Postgres."""

import sqlite3

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine

# Named constraints keep Alembic migrations portable between SQLite and Postgres.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    """WAL lets readers work during a write; foreign keys are off in SQLite by default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def on_postgres() -> bool:
    """Whether the session's database is Postgres (for the few statements written for it)."""
    return db.session.get_bind().dialect.name == "postgresql"


def begin_write() -> None:
    """Open the transaction before a first SAVEPOINT. pysqlite sends BEGIN only before a
    write, so a SAVEPOINT would open the transaction itself and its RELEASE would commit
    everything so far; a write that changes nothing opens it properly. Postgres needs none."""
    if not on_postgres():
        db.session.execute(text('UPDATE "user" SET id = id WHERE 1 = 0'))


# psycopg prepares a statement after its fifth run on a connection, which saves Postgres
# planning it again (2 ms of a board's 13), but forgets every prepared statement on ROLLBACK,
# and the session ends each request with one. A transaction that only read ends with COMMIT
# instead: the same for the data, and the statements stay prepared.
_WROTE = "mkflow_wrote"


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, _cursor, statement, *_args):
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


@event.listens_for(Engine, "begin")
def _forget_writes(conn):
    conn.info[_WROTE] = False


def end_read_only_transaction(error: BaseException | None) -> None:
    """Commit the request's transaction when it read and nothing else (registered after
    Flask-SQLAlchemy, so it runs before its teardown rolls the session back)."""
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or not on_postgres():
        return
    if session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    if not connection.info.get(_WROTE, True):
        session.commit()
