"""Alembic environment for Flask-Migrate; the engine and metadata come from the app."""

import logging
import re
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app

from mkflow.core import sqlite_migrations

config = context.config
if not logging.getLogger().handlers:  # keep the host's logging (pytest, gunicorn) as it is
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
RELATIVE = re.compile(r"[+-]\d+$")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # no empty revision files from `flask db migrate` when nothing changed
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **conf_args
            )
            with context.begin_transaction():  # Postgres: DDL is transactional, one transaction
                context.run_migrations()
            return
        with sqlite_migrations.one_transaction(connection):
            context.configure(
                connection=connection,
                target_metadata=target_db.metadata,
                transactional_ddl=True,
                **conf_args,
            )
            moving_from = _revision_left_behind()
            if moving_from:
                sqlite_migrations.write_backup(connection, moving_from)
            context.run_migrations()


def _revision_left_behind() -> str | None:
    """The database's revision, when this command (upgrade, downgrade, stamp) moves it."""
    migration = context.get_context()
    if "destination_rev" not in migration.opts:  # current, check, history: nothing moves
        return None
    current = migration.get_current_heads()
    if not current:  # a new database: nothing to keep
        return None
    destination = migration.opts["destination_rev"]
    if isinstance(destination, str) and RELATIVE.search(destination):
        return "+".join(current)  # -1, head-2, +1: counted from where it is, so it moves
    try:
        wanted = {rev.revision for rev in context.script.get_revisions(destination)}
    except CommandError:  # alembic will refuse it too; the copy does no harm
        wanted = None
    return None if wanted == set(current) else "+".join(current)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
