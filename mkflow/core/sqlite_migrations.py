"""How migrations run on SQLite (migrations/env.py): all of them in one transaction with
foreign keys off, the keys checked before the commit, and a copy of the file written first.

A batch migration rebuilds a table: it creates a new one, copies the rows, drops the old one
and renames the new. With foreign keys on, that DROP deletes the rows first, which fails (or
cascades) wherever another table points at them. And pysqlite starts no transaction before
DDL, so each statement of a migration committed on its own: a failure left half a revision.
"""

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import Connection

logger = logging.getLogger("alembic.env")

SHOWN_VIOLATIONS = 20


class ForeignKeyViolation(RuntimeError):
    """Rows that point at no row after the migrations; nothing of them was committed."""


@contextmanager
def one_transaction(connection: Connection) -> Iterator[None]:
    """Run the block in one transaction with foreign keys off; commit only if the foreign
    keys hold afterwards, roll everything back on any error."""
    raw = connection.connection.driver_connection
    if connection.in_transaction():
        connection.commit()
    isolation = raw.isolation_level
    # The driver then leaves BEGIN and COMMIT to us, DDL included.
    raw.isolation_level = None
    # A no-op inside a transaction, so it comes before BEGIN.
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():  # its commit and rollback reach the driver's connection
            # The write lock from the start: no other writer slips in between copy and change.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
            problems = foreign_key_violations(connection)
            if problems:
                raise ForeignKeyViolation(
                    "foreign keys broken after the migrations, nothing was changed:\n  "
                    + "\n  ".join(problems)
                )
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
        raw.isolation_level = isolation


def foreign_key_violations(connection: Connection) -> list[str]:
    """Each row whose foreign key points at no row, as `table row N: col=value has no
    parent.col` (the first few, then how many more)."""
    found = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    problems = [_describe(connection, *row) for row in found[:SHOWN_VIOLATIONS]]
    if len(found) > SHOWN_VIOLATIONS:
        problems.append(f"and {len(found) - SHOWN_VIOLATIONS} more")
    return problems


def _describe(connection: Connection, table: str, rowid, parent: str, key_id: int) -> str:
    pairs = sorted(
        (seq, column, target)
        for key, seq, _parent, column, target, *_ in connection.exec_driver_sql(
            f"PRAGMA foreign_key_list({_quote(table)})"
        )
        if key == key_id
    )
    columns = [column for _, column, _ in pairs]
    targets = ", ".join(f"{parent}.{target or 'id'}" for _, _, target in pairs)
    if rowid is None:
        return f"{table} (a row without rowid): {', '.join(columns)} has no {targets}"
    values = connection.exec_driver_sql(
        f"SELECT {', '.join(map(_quote, columns))} FROM {_quote(table)} WHERE rowid = ?",
        (rowid,),
    ).one()
    shown = ", ".join(f"{column}={value!r}" for column, value in zip(columns, values, strict=True))
    return f"{table} row {rowid}: {shown} has no {targets}"


def write_backup(connection: Connection, revision: str) -> Path | None:
    """Copy the database, as last committed, to `<file>.<revision>.bak` beside it
    (`<file>.<revision>.2.bak` and so on when that name is taken); None for a database in
    memory. SQLite's online backup gives a consistent copy even of a database in use."""
    raw = connection.connection.driver_connection
    main = next(row for row in raw.execute("PRAGMA database_list") if row[1] == "main")
    if not main[2]:
        return None
    source = Path(main[2])
    target, handle = _claim_free_name(source, revision)
    os.close(handle)
    # A connection of its own: SQLite backs up no connection in a write transaction. It
    # reads what was last committed, which no one can change while the migrations hold the
    # write lock.
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as copy:
        reader.backup(copy)
    logger.info("Copied %s as it was at %s to %s", source, revision, target)
    return target


def _claim_free_name(source: Path, revision: str) -> tuple[Path, int]:
    """Create the copy's file under the first free name, readable by whom the database is."""
    mode = source.stat().st_mode & 0o777
    number = 1
    while True:
        suffix = f".{revision}.bak" if number == 1 else f".{revision}.{number}.bak"
        target = source.with_name(source.name + suffix)
        try:
            return target, os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        except FileExistsError:
            number += 1


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
