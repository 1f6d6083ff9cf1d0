"""Seeded states of the test database, built once per run and put back for every test that
asks for them by copying their rows: loading the demo company through the app takes a
second or more per test, writing its rows back takes a few milliseconds.

A state is built on top of another (the demo company, then its process templates, ...), so
a snapshot keeps only the rows its step added; restoring a state restores the states below
it first, as the fixtures that build them depend on each other. The rows are the ones the
app wrote, with their ids: a test sees exactly what seeding gave it, and the next id it
gets is the one it would have got (the Postgres sequences are moved past them)."""

from collections.abc import Callable

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.exc import IntegrityError

from mkflow.core.database import db

Rows = dict[str, list[dict]]


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)  # parents before children


def _read() -> Rows:
    rows = {}
    for table in _tables():
        query = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [dict(row) for row in db.session.execute(query).mappings()]
    return rows


def _key(table: Table, row: dict) -> tuple:
    return tuple(row[column.name] for column in table.primary_key.columns)


def _added(before: Rows, after: Rows) -> Rows:
    """The rows a step added; a step that changed a row it did not add cannot be replayed
    by inserting rows, and says so."""
    added = {}
    for table in _tables():
        old = {_key(table, row): row for row in before.get(table.name, [])}
        new = after[table.name]
        for row in new:
            previous = old.get(_key(table, row))
            assert previous is None or previous == row, (
                f"a seeding step changed a row of {table.name} it did not add: {previous} -> {row}"
            )
        added[table.name] = [row for row in new if _key(table, row) not in old]
    return added


def later_references(table: Table, order: dict[str, int]) -> list[str]:
    """The columns of ``table`` that point at its own rows or at a table written after it (a
    department's head, a template's current version, a task's parent): written as NULL, then
    filled in once every row is there."""
    return [
        fk.parent.name
        for fk in table.foreign_keys
        if order[fk.column.table.name] >= order[table.name]
    ]


def _write(rows: Rows) -> None:
    # Through the test's session: a second connection would wait for its lock on SQLite.
    tables = _tables()
    order = {table.name: i for i, table in enumerate(tables)}
    later = []
    for table in tables:
        if not rows.get(table.name):
            continue
        columns = later_references(table, order)
        db.session.execute(
            table.insert(), [row | dict.fromkeys(columns, None) for row in rows[table.name]]
        )
        later += [(table, column) for column in columns]
    for table, column in later:
        (pk,) = table.primary_key.columns
        values = [
            {"pk": row[pk.name], "value": row[column]}
            for row in rows[table.name]
            if row[column] is not None
        ]
        if values:
            statement = (
                table.update().where(pk == bindparam("pk")).values({column: bindparam("value")})
            )
            db.session.execute(statement, values)
    if db.engine.dialect.name == "postgresql":
        _move_sequences([t for t in tables if rows.get(t.name)])
    db.session.commit()


def _merged(parts: list[Rows]) -> Rows:
    return {
        t.name: sorted((r for p in parts for r in p.get(t.name, [])), key=lambda r, t=t: _key(t, r))
        for t in _tables()
    }


def _serial(tables: list[Table]) -> list[tuple[str, str]]:
    return [
        (table.name, table.autoincrement_column.name)
        for table in tables
        if table.autoincrement_column is not None
    ]


def _move_sequences(tables: list[Table]) -> None:
    """The next id of each table after its largest one, as if the rows had been added one by
    one (SQLite does this by itself). One statement: every round trip counts in 900 tests."""
    moves = ", ".join(
        f"setval(pg_get_serial_sequence('\"{name}\"', '{column}'), "
        f'(SELECT max("{column}") FROM "{name}"))'
        for name, column in _serial(tables)
    )
    if moves:
        db.session.execute(text(f"SELECT {moves}"))


def empty_all_tables() -> None:
    """Every row deleted and the ids started at 1 again. DELETE, not TRUNCATE: on Postgres a
    TRUNCATE of every table costs about half a second, deleting a test's rows milliseconds.
    On Postgres it all goes in one round trip."""
    tables = db.metadata.sorted_tables
    order = {table.name: i for i, table in enumerate(tables)}
    statements = [  # a department's head, a template's version, a task's parent
        f'UPDATE "{table.name}" SET "{column}" = NULL'
        for table in tables
        for column in later_references(table, order)
    ]
    statements += [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name != "postgresql":
            for statement in statements:
                conn.exec_driver_sql(statement)
            return
        restarts = ", ".join(
            f"setval(pg_get_serial_sequence('\"{name}\"', '{column}'), 1, false)"
            for name, column in _serial(tables)
        )
        conn.exec_driver_sql("; ".join([*statements, f"SELECT {restarts}"]))


class Snapshots:
    """The states built so far in this run, by name (and moment of the clock)."""

    def __init__(self):
        self._added: dict[tuple, Rows] = {}
        self._restored: list[tuple] = []  # in the current test, in order

    def start_test(self) -> None:
        self._restored = []

    def restore(self, key: tuple, build: Callable[[], None]) -> None:
        """Put the rows of state ``key`` back, or build it (with ``build``, which commits)
        and remember the rows it added. A step built on anything but the states restored
        before it in this test (rows a test's own fixture added first) is built, not
        copied, and not remembered."""
        below = [self._added.get(k) for k in self._restored]
        key = (*self._restored[-1:], key)  # the state below, which holds the ones below it
        self._restored.append(key)
        if key in self._added:
            try:
                _write(self._added[key])
                return
            except IntegrityError:
                db.session.rollback()  # the rows' ids are taken: build the state instead
        db.session.commit()
        before = _read()
        build()
        db.session.expire_all()
        if key not in self._added and None not in below and before == _merged(below):
            self._added[key] = _added(before, _read())
