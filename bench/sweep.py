"""The daily sweep: `run_sweep` for the seed's day against the rows it works from (reviews due by
its horizon with their owners, open actions of approved versions due by its horizon with
theirs) selected in one query with plain sqlite3 (or psycopg). The sweeps of the week before
are in the seeded database, as a running service would have them: so the day's reminders are
the ones falling due that day, not every one due or overdue."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from assessments.kernel.db import unit_of_work
from assessments.models import ActionStatus, MessageStatus, PolicyStatus, VersionStatus
from assessments.notifications import queries
from assessments.notifications.reminders import run_sweep
from bench.databases import kind

SWEEP_ROUNDS = 5
MARK_DELIVERED = sa.text(
    "UPDATE outbox_message SET status = :sent, attempts = 1, sent_at = created_at"
    " WHERE status = :pending"
)


def history(engine: sa.Engine, day: date, *, days: int) -> None:
    """The daily sweeps of the `days` before `day`, each committed, and their messages marked
    delivered (as the worker would have by then). The first one catches up with everything
    due by then; each later one sends only what fell due on its day."""
    for back in range(days, 0, -1):
        with unit_of_work(engine) as session:
            run_sweep(session, today=day - timedelta(days=back))
    with engine.begin() as conn:
        conn.execute(MARK_DELIVERED, {"sent": MessageStatus.SENT, "pending": MessageStatus.PENDING})


def measured_day(engine: sa.Engine) -> date:
    """The day after the last sweep in the database (the seed's day, however late it is
    measured again with --reuse)."""
    with engine.connect() as conn:
        last = conn.execute(sa.text("SELECT max(day) FROM sweep_run")).scalar_one()
    if last is None:
        raise RuntimeError("The bench database has no daily sweeps: seed it again")
    return (last if isinstance(last, date) else date.fromisoformat(last)) + timedelta(days=1)


def raw_sql(mark: str) -> str:
    """The sweep's two selections (notifications/queries.py: reviews_due_by and actions_due_by)
    as one query, the same rows and columns, written out by hand; reviews have no action or
    version, so their columns are NULL. `mark` is the driver's placeholder style."""
    open_statuses = ", ".join(f"'{status.value}'" for status in sorted(ActionStatus.OPEN))
    return f"""
SELECT 'review' AS kind, p.id AS sort_key, NULL, NULL, NULL, NULL,
  p.trust_id, p.reference, p.title, p.next_review_date, p.owner_user_id
FROM policy p
JOIN user_account u ON u.id = p.owner_user_id
WHERE p.next_review_date IS NOT NULL AND p.next_review_date <= {mark.format("reviews_by")}
  AND p.status != '{PolicyStatus.RETIRED.value}' AND NOT u.disabled
UNION ALL
SELECT 'action', a.id, a.description, v.id, v.number, p.id,
  p.trust_id, p.reference, p.title, a.due_date, a.owner_user_id
FROM mitigating_action a
JOIN action_progress g ON g.action_id = a.id
JOIN assessment_version v ON v.id = a.version_id
JOIN assessment s ON s.id = v.assessment_id
JOIN policy p ON p.id = s.policy_id
JOIN user_account u ON u.id = a.owner_user_id
WHERE v.status = '{VersionStatus.APPROVED.value}' AND p.status != '{PolicyStatus.RETIRED.value}'
  AND g.status IN ({open_statuses})
  AND a.due_date IS NOT NULL AND a.due_date <= {mark.format("actions_by")} AND NOT u.disabled
ORDER BY kind DESC, sort_key
"""  # noqa: S608 - our own tables, columns and enum values


@contextmanager
def raw_connection(url: str) -> Iterator[tuple[Any, str]]:
    """A plain driver connection to the bench database, and its placeholder style."""
    if kind(url) == "sqlite":
        path = make_url(url).database
        lite = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            yield lite, ":{}"
        finally:
            lite.close()
        return
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as pg:
        yield pg, "%({})s"


def horizons(engine: sa.Engine, day: date) -> dict[str, date]:
    """How far ahead the sweep looks on `day`, as run_sweep works it out from the trusts."""
    with Session(engine) as session:
        trusts = queries.trusts(session)
    review_days = max((max(t.review_reminder_days, default=0) for t in trusts), default=0)
    action_days = max((t.action_reminder_days for t in trusts), default=0)
    return {
        "reviews_by": day + timedelta(days=review_days),
        "actions_by": day + timedelta(days=action_days),
    }


def select_raw(raw: Any, sql: str, params: dict[str, date], sqlite: bool) -> list[Any]:
    if sqlite:
        return list(raw.execute(sql, {k: v.isoformat() for k, v in params.items()}).fetchall())
    with raw.cursor() as cursor:
        return list(cursor.execute(sql, params).fetchall())


def sweep_once(engine: sa.Engine, day: date) -> tuple[float, int, int]:
    """Seconds, reminders and digests of one sweep of `day`, rolled back afterwards (the
    commit is not timed), so that every round has the same work."""
    with Session(engine) as session:
        started = time.perf_counter()
        report = run_sweep(session, today=day)
        seconds = time.perf_counter() - started
        session.rollback()
    if report.already_run:
        raise RuntimeError(f"The sweep of {day} has run already: seed the bench database again")
    return seconds, report.reminders, report.digests


def _same_selection(engine: sa.Engine, day: date, rows: list[Any], by: dict[str, date]) -> None:
    """The baseline selects what the sweep's own queries select, row for row."""
    with Session(engine) as session:
        reviews = [p.id for p in queries.reviews_due_by(session, by["reviews_by"])]
        actions = [a.id for a in queries.actions_due_by(session, by["actions_by"])]
    raw = [(str(row[0]), int(row[1])) for row in rows]
    expected = [("review", i) for i in reviews] + [("action", i) for i in actions]
    if raw != expected:
        raise RuntimeError(f"The raw selection of {day} is not the sweep's")


def daily_sweep(url: str, engine: sa.Engine) -> dict[str, Any]:
    """The sweep of the seed's day against the raw selection of its rows: the best of
    alternating rounds each."""
    day = measured_day(engine)
    by = horizons(engine, day)
    sweeps: list[float] = []
    selects: list[float] = []
    with raw_connection(url) as (raw, mark):
        sql, sqlite = raw_sql(mark), kind(url) == "sqlite"
        rows = select_raw(raw, sql, by, sqlite)
        _same_selection(engine, day, rows, by)
        for _ in range(SWEEP_ROUNDS):
            seconds, reminders, digests = sweep_once(engine, day)
            sweeps.append(seconds)
            started = time.perf_counter()
            select_raw(raw, sql, by, sqlite)
            selects.append(time.perf_counter() - started)
    return {
        "day": day.isoformat(),
        "horizons": {name: value.isoformat() for name, value in by.items()},
        "sweep": {
            "best_ms": _ms(min(sweeps)),
            "median_ms": _ms(statistics.median(sweeps)),
            "reminders": reminders,
            "digests": digests,
        },
        "raw": {"best_ms": _ms(min(selects)), "median_ms": _ms(statistics.median(selects))},
        "selected": {
            "reviews": sum(1 for row in rows if row[0] == "review"),
            "actions": sum(1 for row in rows if row[0] == "action"),
        },
        "rounds": SWEEP_ROUNDS,
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
