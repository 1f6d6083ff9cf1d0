"""Extension objects, created once and bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, text

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
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()


def on_postgres() -> bool:
    """Whether the session's database is Postgres (for the few statements written for it)."""
    return db.session.get_bind().dialect.name == "postgresql"


def begin_write() -> None:
    """Open the transaction before a first SAVEPOINT. pysqlite sends BEGIN only before a
    write, so a SAVEPOINT would open the transaction itself and its RELEASE would commit
    everything so far; a write that changes nothing opens it properly. Postgres needs none."""
    if not on_postgres():
        db.session.execute(text('UPDATE "user" SET id = id WHERE 1 = 0'))
