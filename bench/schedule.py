"""Importing a policy schedule of 10,000 rows: its preview (read the CSV, check every row against
the trust's schools, people and policies) and its import (the same, then every policy written
and audited), each against the same rows inserted with the plain driver (sqlite3 or psycopg,
executemany). Each round runs in a transaction rolled back afterwards (the rollback not timed),
so that every round adds the same 10,000 policies."""

from __future__ import annotations

import csv
import io
import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import PolicyCategory
from assessments.policies.schedule_files import read_schedule
from assessments.policies.schedule_import import Change, apply_import, plan_import
from assessments.policies.schedule_rows import COLUMNS
from bench.databases import kind

ROWS = 10_000
SCHEDULE_ROUNDS = 3
CATEGORIES = [category.label for category in PolicyCategory]


def schedule_file(schools: list[str], email: str) -> bytes:
    """A schedule of ROWS new policies: every school's and trust-wide, owners named or (every
    fifth) by an account's email, review dates over the next two years."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    start = date(2027, 1, 4)
    for n in range(ROWS):
        writer.writerow(
            [
                f"IMP-{n:05d}",
                f"Imported policy {n}",
                CATEGORIES[n % len(CATEGORIES)],
                (12, 24, 36)[n % 3],
                email if n % 5 == 0 else "Deputy Headteacher",
                schools[n % (len(schools) + 1) - 1] if n % (len(schools) + 1) else "",
                (start + timedelta(days=n % 730)).isoformat(),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()


def _rows_to_insert(trust_id: int, school_ids: dict[str, int], data: bytes) -> list[dict[str, Any]]:
    """The same policies as plain rows for the baseline's INSERT."""
    now = datetime.now(UTC)
    rows = []
    for row in read_schedule(data, "schedule.csv").rows:
        cells = row.cells
        rows.append(
            {
                "trust_id": trust_id,
                "reference": cells["reference"],
                "title": cells["title"],
                "category": PolicyCategory.OTHER.value,
                "owner": cells["owner"],
                "school_id": school_ids.get(cells["school"]),
                "review_cycle_months": int(cells["review_cycle_months"]),
                "next_review_date": cells["next_review_date"],
                "status": "in-force",
                "revision": 1,
                "created_at": now.isoformat(),
            }
        )
    return rows


INSERT = (
    "INSERT INTO policy (trust_id, reference, title, category, owner, school_id,"
    " review_cycle_months, next_review_date, status, revision, created_at) VALUES"
    " ({trust_id}, {reference}, {title}, {category}, {owner}, {school_id},"
    " {review_cycle_months}, {next_review_date}, {status}, {revision}, {created_at})"
)


@contextmanager
def _writer(url: str) -> Iterator[tuple[Any, str]]:
    """A plain driver connection that may write, and its placeholder style."""
    if kind(url) == "sqlite":
        lite = sqlite3.connect(str(make_url(url).database))
        try:
            yield lite, ":{}"
        finally:
            lite.close()
        return
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as pg:
        yield pg, "%({})s"


def _raw_insert(url: str, rows: list[dict[str, Any]]) -> float:
    with _writer(url) as (raw, mark):
        sql = INSERT.format(**{name: mark.format(name) for name in rows[0]})
        started = time.perf_counter()
        if kind(url) == "sqlite":
            raw.executemany(sql, rows)
        else:
            with raw.cursor() as cursor:
                cursor.executemany(sql, rows)
        seconds = time.perf_counter() - started
        raw.rollback()
    return seconds


def _timed(engine: sa.Engine, actor: Actor, data: bytes, *, apply: bool) -> tuple[float, int]:
    """One preview (or import) of the file, from its bytes; rolled back afterwards."""
    with Session(engine) as session:
        started = time.perf_counter()
        table = read_schedule(data, "schedule.csv")
        if apply:
            count = apply_import(session=session, actor=actor, table=table, source="bench").added
        else:
            count = plan_import(session=session, actor=actor, table=table).count(Change.ADD)
        seconds = time.perf_counter() - started
        session.rollback()
    if count != ROWS:
        raise RuntimeError(f"The import added {count} policies, not {ROWS}: is it seeded?")
    return seconds, count


def schedule_import(url: str, engine: sa.Engine, trust_id: int) -> dict[str, Any]:
    """The preview and the import of ROWS new policies, against the plain INSERT of them."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT name, id FROM school WHERE trust_id = :t"), {"t": trust_id}
        )
        schools: dict[str, int] = {str(name): int(id_) for name, id_ in found}
        email = conn.execute(
            sa.text("SELECT email FROM user_account WHERE trust_id = :t AND NOT disabled LIMIT 1"),
            {"t": trust_id},
        ).scalar_one()
    data = schedule_file(sorted(schools), email)
    actor = Actor(name="bench", trust_id=trust_id, grants=frozenset({Grant(Role.ADMIN)}))
    rows = _rows_to_insert(trust_id, schools, data)
    previews, imports, inserts = [], [], []
    for _ in range(SCHEDULE_ROUNDS):
        previews.append(_timed(engine, actor, data, apply=False)[0])
        imports.append(_timed(engine, actor, data, apply=True)[0])
        inserts.append(_raw_insert(url, rows))
    return {
        "rows": ROWS,
        "file_bytes": len(data),
        "preview": _summary(previews),
        "import": _summary(imports),
        "raw_insert": _summary(inserts),
        "rounds": SCHEDULE_ROUNDS,
    }


def _summary(seconds: list[float]) -> dict[str, float]:
    return {
        "best_ms": round(min(seconds) * 1000, 1),
        "median_ms": round(statistics.median(seconds) * 1000, 1),
    }
