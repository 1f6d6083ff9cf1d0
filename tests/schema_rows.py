"""Rows for whatever schema a database has, and a snapshot of every value in it: the tests of
the migrations fill each table that exists at a revision and check what survives.

Nothing here names a table: the tables are reflected, so a new migration is covered as it is.
A column that needs a particular value (a CHECK constraint, say) gets it from OVERRIDES."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.ddl import sort_tables, sort_tables_and_constraints

ROWS = 3

# (table, column) -> the value of row i, for columns whose type alone does not say what fits.
OVERRIDES: dict[tuple[str, str], Callable[[int], object]] = {}

Snapshot = dict[str, dict[tuple, dict[str, object]]]


def reflect(connection: Connection) -> sa.MetaData:
    """The tables the database has now, alembic's own left out."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    metadata.remove(metadata.tables["alembic_version"])
    return metadata


def fill(connection: Connection, tables: sa.MetaData, models: sa.MetaData, batch: int = 0) -> None:
    """Add ROWS rows to every table, parents first, each row pointing at a different parent
    row of this batch; a key that can only be set once its table is filled (a row's own
    parent, one side of a cycle) is set afterwards. Each batch has values of its own, so
    that batches made at several revisions fit the same unique constraints."""
    made: dict[str, list[dict]] = {}
    later: list[tuple[sa.Table, sa.ForeignKeyConstraint]] = []
    for table in _parents_first(tables):
        keys = _keys_by_target(table)
        now = [k for k in keys if k.referred_table.name in made]  # not its own, not a cycle
        later += [(table, key) for key in keys if key not in now]
        made[table.name] = []
        for i in range(ROWS):
            values = {}
            for key in now:
                values |= _pointing(key, made, i)
            for column in table.columns:
                if column is not table.autoincrement_column and not _is_key(table, column):
                    values[column.name] = sample(table.name, column, batch * ROWS + i, models)
            result = connection.execute(table.insert().values(values).returning(*table.c))
            made[table.name].append(dict(result.one()._mapping))
    for table, key in later:
        _point_later(connection, table, key, made)


def snapshot(connection: Connection, tables: sa.MetaData) -> Snapshot:
    """Every row of every table, by primary key (by all its values where it has none)."""
    found: Snapshot = {}
    for table in tables.tables.values():
        key_columns = list(table.primary_key.columns) or list(table.columns)
        found[table.name] = {
            tuple(row[c.name] for c in key_columns): dict(row)
            for row in connection.execute(sa.select(table)).mappings()
        }
    return found


def lost(before: Snapshot, after: Snapshot, *, dropped_ok: bool = False) -> list[str]:
    """What was in `before` and is not in `after`: tables, rows, columns, values. With
    dropped_ok, tables and columns that `after` no longer has are not counted (a downgrade
    drops what the older schema lacks)."""
    problems = []
    for name, rows in before.items():
        if name not in after:
            if not dropped_ok:
                problems.append(f"table {name} is gone ({len(rows)} rows)")
            continue
        later = after[name]
        for key, row in rows.items():
            if key not in later:
                problems.append(f"{name} {key}: the row is gone")
                continue
            for column, value in row.items():
                if column not in later[key]:
                    if not dropped_ok:
                        problems.append(f"{name} {key}: column {column} is gone")
                elif later[key][column] != value:
                    problems.append(
                        f"{name} {key}: {column} was {value!r}, is {later[key][column]!r}"
                    )
    return problems


def sample(table: str, column: sa.Column, n: int, models: sa.MetaData) -> object:
    """A value that fits the column, different for each row number n."""
    if (table, column.name) in OVERRIDES:
        return OVERRIDES[(table, column.name)](n)
    enum = _enum_of(table, column, models)
    if enum:
        return enum[n % len(enum)]
    kind = column.type
    simple = [
        (sa.Boolean, lambda: n % 2 == 0),
        (sa.Integer, lambda: 100 + n),
        (sa.Float, lambda: 1.5 + n),
        (sa.Numeric, lambda: Decimal(f"{n + 1}.5")),
        (sa.DateTime, lambda: _moment(n, kind.timezone)),
        (sa.Date, lambda: _moment(n, False).date()),
        (sa.Time, lambda: _moment(n, False).time()),
        (sa.Interval, lambda: timedelta(minutes=5 + n)),
        (sa.JSON, lambda: {"row": n, "list": [column.name, n]}),
        (sa.LargeBinary, lambda: bytes([n % 250 + 1]) * 4),
        (sa.Uuid, lambda: uuid.UUID(int=n + 1)),
        (sa.String, lambda: _text(column.name, n, kind.length)),
    ]
    for type_, make in simple:
        if isinstance(kind, type_):
            return make()
    raise AssertionError(
        f"no sample value for {table}.{column.name} ({kind!r}): add its type to sample() "
        "or the column to OVERRIDES in tests/schema_rows.py"
    )


def _moment(n: int, aware: bool) -> datetime:
    moment = datetime(2026, 3, 2, 9, 30, 15) + timedelta(days=n, minutes=n)
    return moment.replace(tzinfo=UTC) if aware else moment


def _text(name: str, n: int, length: int | None) -> str:
    """Mixed case and a letter beyond ASCII, so that a migration that rewrites text shows."""
    suffix = f"-Ж{n}"
    if length is None:
        return f"{name.title()} of row {n} (ёлка)"
    if length <= len(suffix):
        return str(n)[-length:]
    return name.title()[: length - len(suffix)] + suffix


def _enum_of(table: str, column: sa.Column, models: sa.MetaData) -> list[str]:
    """The allowed values: of the reflected type (a native enum), else of the model's (an
    enum stored as text)."""
    for kind in (column.type, _model_type(table, column.name, models)):
        if isinstance(kind, sa.Enum) and kind.enums:
            return list(kind.enums)
    return []


def _model_type(table: str, column: str, models: sa.MetaData):
    model = models.tables.get(table)
    return model.c[column].type if model is not None and column in model.c else None


def _parents_first(metadata: sa.MetaData) -> list[sa.Table]:
    """Tables after those their required keys point at; a cycle is cut at a nullable key."""
    cyclic = set(
        next(
            (
                keys
                for table, keys in sort_tables_and_constraints(metadata.tables.values())
                if table is None
            ),
            [],
        )
    )
    return sort_tables(
        metadata.tables.values(),
        skip_fn=lambda fk: (
            fk.constraint in cyclic and all(c.nullable for c in fk.constraint.columns)
        ),
    )


def _keys_by_target(table: sa.Table) -> list[sa.ForeignKeyConstraint]:
    return sorted(table.foreign_key_constraints, key=lambda key: key.name or "")


def _is_key(table: sa.Table, column: sa.Column) -> bool:
    return any(column.name in key.column_keys for key in table.foreign_key_constraints)


def _pointing(key: sa.ForeignKeyConstraint, made: dict[str, list[dict]], i: int) -> dict:
    """The key of row i points at parent row i, the next key to the same table at row i + 1
    (two keys to one row would be a task linked to itself)."""
    siblings = [k for k in _keys_by_target(key.parent) if k.referred_table is key.referred_table]
    parents = made[key.referred_table.name]
    parent = parents[(i + siblings.index(key)) % len(parents)]
    return {element.parent.name: parent[element.column.name] for element in key.elements}


def _point_later(
    connection: Connection,
    table: sa.Table,
    key: sa.ForeignKeyConstraint,
    made: dict[str, list[dict]],
) -> None:
    """Set a key once its parents exist; a row's own parent is the row before (the first
    has none)."""
    own = key.referred_table is table
    for i, row in enumerate(made[table.name]):
        if own and i == 0:
            continue
        values = _pointing(key, made, i - 1 if own else i)
        where = [c == row[c.name] for c in table.primary_key.columns]
        connection.execute(table.update().where(*where).values(values))
        row |= values
