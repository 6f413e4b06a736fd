"""The CSV export: the app's /register.csv against plain sqlite3 (or psycopg) and csv reading
the same rows with the same joins, and the peak memory of `wia export register`."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from assessments.register.schemas import COLUMNS
from bench import load
from bench.databases import WIA, environment, kind
from bench.server import Browser

CSV_ROUNDS = 2
# The register's query (assessments/register.py) written out by hand: the same columns, joins,
# filter and order, for a whole trust.
RAW_SQL = """
SELECT v.id, p.reference, p.title, s.name, v.number, v.status, r.rubric_id, r.version,
       v.overall_score, v.rating, v.rating_after, v.net_hours_per_year, v.open_actions,
       v.author, v.decided_by, v.decided_at, v.decision_reason, v.review_due,
       (v.status = 'approved' AND v.review_due < {today}) AS overdue
FROM assessment_version v
JOIN assessment a ON a.id = v.assessment_id
JOIN policy p ON p.id = a.policy_id
JOIN rubric_version r ON r.id = v.rubric_version_id
LEFT JOIN school s ON s.id = p.school_id
WHERE p.trust_id = {trust}
ORDER BY p.reference, p.reference, v.number
"""


def _write(rows: Iterable[Sequence[Any]], head: str) -> int:
    count = 0
    with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\r\n")
        sink.write("\ufeff")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow((*row, head))
            count += 1
    return count


def raw_export(url: str, trust_id: int, head: str) -> tuple[int, float]:
    """Rows and seconds: the plain driver and csv.writer, nothing else."""
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    if kind(url) == "sqlite":
        path = make_url(url).database
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            cursor = conn.execute(
                RAW_SQL.format(today="?", trust="?"), (today.isoformat(), trust_id)
            )
            count = _write(cursor, head)
        conn.close()
    else:
        conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(conninfo) as pg:
            query = RAW_SQL.format(today="%s", trust="%s")
            count = _write(pg.execute(query, (today, trust_id)), head)
    return count, time.perf_counter() - started


def app_export(port: int, browser: Browser) -> tuple[int, float]:
    """Rows and seconds until the last byte of GET /register.csv (every version)."""
    reply, seconds = load.run(
        load.fetch(port, load.Request("GET", "/register.csv", browser.headers()))
    )
    if reply.status != 200:
        raise RuntimeError(f"/register.csv answered {reply.status}")
    return reply.lines - 1, seconds  # less the header


def cli_export(url: str, *args: str) -> dict[str, Any]:
    """`wia export register --format csv` in a process of its own: rows, seconds and the
    process's peak resident memory (ru_maxrss)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [WIA, "export", "register", "--format", "csv", *args],
        env=environment(url),
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    lines = 0
    while chunk := process.stdout.read(2**16):
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"wia export register {' '.join(args)} failed ({process.returncode})")
    return {
        "rows": lines - 1,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
    }


def csv_export(port: int, browser: Browser, url: str, trust_id: int, head: str) -> dict[str, Any]:
    """The export's rows a second against the raw baseline's (the best of alternating rounds),
    and the CLI's peak memory for 10,000 rows (status=approved) and for every row."""
    app_runs: list[tuple[int, float]] = []
    raw_runs: list[tuple[int, float]] = []
    for _ in range(CSV_ROUNDS):
        app_runs.append(app_export(port, browser))
        raw_runs.append(raw_export(url, trust_id, head))
    app_rows, app_seconds = min(app_runs, key=lambda run: run[1])
    raw_rows, raw_seconds = min(raw_runs, key=lambda run: run[1])
    return {
        "app": {
            "rows": app_rows,
            "seconds": round(app_seconds, 3),
            "rows_per_second": round(app_rows / app_seconds),
        },
        "raw": {
            "rows": raw_rows,
            "seconds": round(raw_seconds, 3),
            "rows_per_second": round(raw_rows / raw_seconds),
        },
        "rounds": CSV_ROUNDS,
        "cli_10k": cli_export(url, "--status", "approved"),
        "cli_all": cli_export(url),
    }
