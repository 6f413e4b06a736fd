"""Writing rows in bulk: raw values through the bind processors SQLAlchemy would apply, with
COPY on PostgreSQL and one executemany on SQLite (the ORM's per-row work would dwarf the
seeding itself)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa


def _processors(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> list[Any]:
    """The bind processors SQLAlchemy would apply, each remembering its last value (a version's
    answers share their timestamps, so most calls are skipped)."""
    dialect = conn.dialect

    def cached(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
        last: list[Any] = [object(), None]

        def run(value: Any) -> Any:
            if value is not last[0]:
                last[0], last[1] = value, process(value)
            return last[1]

        return run

    found = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    return [cached(p) if p is not None else None for p in found]


def bulk_insert(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows of raw values: COPY on PostgreSQL, one executemany on SQLite."""
    active = [(i, p) for i, p in enumerate(_processors(conn, table, columns)) if p is not None]

    def processed(row: Sequence[Any]) -> Sequence[Any]:
        if not active:
            return row
        values = list(row)
        for i, process in active:
            values[i] = process(values[i])
        return tuple(values)

    ready = map(processed, rows)
    names = ", ".join(columns)
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in ready:
                copy.write_row(row)
                count += 1
        return count
    batch = list(ready)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", batch)  # noqa: S608 - our own table and column names
    return len(batch)
