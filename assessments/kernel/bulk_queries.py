"""Writing and matching many rows at once: the daily sweep's hundreds of reminders, their
messages and the thousands of keys it checks. Through the driver, each value first made what
SQLAlchemy would send by its column's type (an enum's value, JSON's text, a time in UTC):
SQLAlchemy's executemany and a statement with thousands of parameters cost tens of µs a row
in Python (on PostgreSQL psycopg also parses the statement's text for its parameters), far
more than the database's own work."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session


def insert_many(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` (each with the same columns) in the session's transaction; their new ids
    (the table's integer `id`), in the rows' order. PostgreSQL draws the ids from the table's
    sequence and COPYs the rows; SQLite, whose one writer this transaction is, numbers them on
    from the highest (a table without AUTOINCREMENT, as SQLite itself would). Columns left out
    get NULL, not their defaults: a caller gives every one."""
    if not rows:
        return []
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"Rows for {table.name} with different columns")
    if table.kwargs.get("sqlite_autoincrement"):
        raise ValueError(f"{table.name} numbers its rows with AUTOINCREMENT")
    connection = session.connection()
    ids = _new_ids(connection, table, len(rows))
    given = list(rows[0])
    values = [_remembered(_as_sent(table.c[name], connection.dialect)) for name in given]
    prepared = [
        [value(row[name]) for name, value in zip(given, values, strict=True)] for row in rows
    ]
    names = ["id", *given]
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(_quoted(connection, name) for name in names)
    into = f"{_quoted(connection, table.name)} ({columns})"
    if connection.dialect.name == "postgresql":
        copying = f"COPY {into} FROM STDIN"
        with (
            _as_sqlalchemy_errors(connection, copying),
            driver.cursor() as cursor,
            cursor.copy(copying) as copy,
        ):
            for new_id, row in zip(ids, prepared, strict=True):
                copy.write_row([new_id, *row])
    else:
        marks = ", ".join("?" for _ in names)
        connection.exec_driver_sql(
            f"INSERT INTO {into} VALUES ({marks})",  # noqa: S608 - our own table and columns
            [(new_id, *row) for new_id, row in zip(ids, prepared, strict=True)],
        )
    return ids


def update_many(
    session: Session, table: sa.Table, column: str, values_by_id: dict[int, Any]
) -> None:
    """Set `column` of each row (by id) to its value in `values_by_id`."""
    if not values_by_id:
        return
    connection = session.connection()
    value = _as_sent(table.c[column], connection.dialect)
    pairs = [(value(new), row_id) for row_id, new in values_by_id.items()]
    name, target = _quoted(connection, table.name), _quoted(connection, column)
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        # One statement whatever the number of rows: the pairs as two arrays.
        kind = table.c[column].type.compile(connection.dialect)
        updating = (
            f"UPDATE {name} SET {target} = changes.value"  # noqa: S608 - ours, as above
            f" FROM unnest(%s::{kind}[], %s::integer[]) AS changes(value, id)"
            f" WHERE {name}.id = changes.id"
        )
        with _as_sqlalchemy_errors(connection, updating), driver.cursor() as cursor:
            cursor.execute(updating, ([new for new, _ in pairs], [row_id for _, row_id in pairs]))
    else:
        connection.exec_driver_sql(f"UPDATE {name} SET {target} = ? WHERE id = ?", pairs)  # noqa: S608


SEPARATOR = "\x1f"  # ASCII's unit separator, which no text the app matches this way holds


def is_one_of(
    session: Session, column: sa.ColumnElement[str], values: Sequence[str]
) -> sa.ColumnElement[bool]:
    """`column IN values` for thousands of texts, as one parameter whatever their number: on
    PostgreSQL the texts joined by SEPARATOR and split again by string_to_array (an array
    parameter costs psycopg a few µs a text to write, twice the database's own lookup); on
    SQLite a JSON array, read by json_each."""
    if any(SEPARATOR in value for value in values):
        raise ValueError("A text to match holds the unit separator")
    if session.get_bind().dialect.name == "postgresql":
        joined = sa.bindparam(None, SEPARATOR.join(values), type_=sa.Text)
        return column == sa.any_(
            sa.func.string_to_array(joined, SEPARATOR, type_=postgresql.ARRAY(sa.Text))
        )
    listed = sa.bindparam(None, json.dumps(list(values)), type_=sa.Text)
    return column.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(listed)))


@contextmanager
def _as_sqlalchemy_errors(connection: sa.Connection, statement: str) -> Iterator[None]:
    """The driver's errors as SQLAlchemy raises them (an IntegrityError, a lost connection
    invalidated), so that what catches those (a 503 when the database is away) still does."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        driver = connection.connection.driver_connection
        lost = connection.dialect.is_disconnect(exc, driver, None)
        if lost:
            connection.invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, dbapi.Error, connection_invalidated=lost
        ) from exc


def _new_ids(connection: sa.Connection, table: sa.Table, count: int) -> list[int]:
    if connection.dialect.name == "postgresql":
        draw = sa.text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(connection.execute(draw, {"table": table.name, "n": count}).scalars())
    highest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(highest + 1, highest + 1 + count))


def _quoted(connection: sa.Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _as_sent(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any]:
    """What the column's type makes of a value before it is sent."""
    return column.type.dialect_impl(dialect).bind_processor(dialect) or _itself


def _itself(value: Any) -> Any:
    return value


def _remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process`, made once for each value: a column's values repeat from row to row (one
    time, one trust, a few kinds), and its type's processing costs µs."""
    made: dict[tuple[type, Any], Any] = {}

    def value(raw: Any) -> Any:
        key = (type(raw), raw)
        try:
            known = key in made
        except TypeError:  # not hashable (JSON's dicts): each made anew
            return process(raw)
        if not known:
            made[key] = process(raw)
        return made[key]

    return value
