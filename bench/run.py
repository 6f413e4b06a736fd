"""`make bench`: seed each database, serve it, measure, print the table, write the results.

python -m bench.run                       # SQLite, then PostgreSQL (database wia_bench)
python -m bench.run --database sqlite --keep --output bench/scratch/try.json
python -m bench.run --database sqlite --reuse   # measure a kept database again, unseeded
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.settings import PROJECT_ROOT
from assessments.kernel.db import create_db_engine
from assessments.register import listing as register
from bench import databases, export, mail, measure, report, schedule, sweep
from bench.seed import SeedPlan, describe, seed
from bench.server import serving, signed_in

RESULTS = PROJECT_ROOT / "bench" / "results.json"
METHOD = {
    "load_generator": (
        "bench/load.py: HTTP/1.1 keep-alive connections on uvloop, responses parsed with "
        "httptools; the same client for every app measure and its baseline"
    ),
    "server": (
        "one uvicorn process (python -m bench.app, as `wia serve`: uvloop, httptools, JSON "
        "request log) serving the real create_app() and, under /_bench/, a bare FastAPI app "
        "with the baselines (no app middleware, database or sign-in)"
    ),
    "register": (
        "GET /register signed in as a trust-wide author and approver, one request at a time "
        "on one connection, cycling four filters (50 rows each); baseline: GET /_bench/register "
        "renders the same register.html (layout, filter form, 50-row table) with app.web.render "
        "from 50 in-memory rows, same query strings; a plain Jinja2 50-row table for context; "
        "and GET / (the home page: own work, awaiting decision, overdue lists, three charts) "
        f"{measure.HOME_A_ROUND} times a round, for context against the same baseline"
    ),
    "autosave": (
        f"{measure.CONCURRENCY} connections, each POSTing htmx autosaves (form, CSRF header, "
        "session cookie, the revision the page holds) to its own drafts' answers, alternating "
        "two options; a success is a 200 whose block holds the next revision; baseline: a "
        "bare FastAPI JSON POST (pydantic model in and out, sync handler); "
        f"{measure.THROUGHPUT_ROUNDS} alternating rounds of {measure.AUTOSAVE_SECONDS:g} s and "
        f"{measure.ECHO_SECONDS:g} s after {measure.WARMUP_SECONDS:g} s warm-up each"
    ),
    "csv": (
        "GET /register.csv, every version, time to the last byte; baseline: the same query "
        "(columns, joins, filter, order) with sqlite3 or psycopg and csv.writer to /dev/null; "
        f"best of {export.CSV_ROUNDS} alternating rounds each; peak RSS is ru_maxrss of "
        "`wia export register --format csv` in a fresh process, with --status approved "
        "(10,000 rows) and with no filter (100,000 rows)"
    ),
    "sweep": (
        "assessments.notifications.reminders.run_sweep for the seed's day (the sweeps of the "
        "7 days before are committed in the seeded database, as a running service has them), "
        "in a transaction rolled back after each round (the rollback not timed), so that every "
        "round writes the same reminders and digests; baseline: the rows its two queries "
        "select (reviews due by its horizon with their owners' enabled accounts, open actions "
        "of approved versions due by its horizon with theirs), the same columns, in one "
        "UNION ALL query with sqlite3 or psycopg, checked row for row against the sweep's own "
        f"queries; best of {sweep.SWEEP_ROUNDS} alternating rounds each"
    ),
    "schedule": (
        f"bench/schedule.py: a CSV of {schedule.ROWS:,} new policies (schools, owners by name "
        "or an account's email, review dates) previewed (read and every row checked against "
        "the trust's schools, people and policies) and imported (the same, then every policy "
        "written and audited) as the page and `wia import policies` do, each in a transaction "
        "rolled back; baseline: the same rows INSERTed with sqlite3 or psycopg executemany; "
        f"best of {schedule.SCHEDULE_ROUNDS} alternating rounds"
    ),
    "mail": (
        f"the worker (app/worker.py Worker.on(settings, engine).deliver_all(), batches of the "
        f"default outbox_batch) delivering {mail.MESSAGES:,} messages queued with "
        "notifications.outbox.notify (review and action reminders, to four people) to an "
        "aiosmtpd server in its own process that counts and discards them; baseline: smtplib "
        "sending the same messages, composed by the app and flattened as send_message does, "
        f"on one connection to the same server; best of {mail.MAIL_ROUNDS} alternating rounds"
    ),
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def bench_database(url: str, plan: SeedPlan, *, reuse: bool, keep: bool) -> dict[str, Any]:
    """Seed (or reuse), serve and measure one database; returns its part of the results."""
    name = databases.kind(url)
    seed_seconds: float | None = None
    if reuse and databases.exists(url):
        say(f"{name}: reusing the kept database (no seeding)")
        databases.upgrade(url)
    else:
        say(f"{name}: creating and migrating the database…")
        databases.create(url)
        say(f"{name}: seeding {plan.policies * plan.versions_per_policy:,} versions…")
        seed_seconds = seed(create_db_engine(url), plan)
        say(f"{name}: seeded in {seed_seconds:.1f} s")
    engine = create_db_engine(url)
    facts = describe(engine)
    with serving(url) as port:
        browser = signed_in(engine, port, facts.bench_user_id)
        say(f"{name}: register page latency…")
        latency = measure.register_latency(port, browser, facts.school_ids[0])
        say(f"{name}: autosave throughput…")
        autosave = measure.autosave_throughput(port, browser, engine, facts.drafts)
        say(f"{name}: CSV export…")
        with Session(engine) as session:
            head = register.audit_chain_head(session, facts.trust_id)
        csv_export = export.csv_export(port, browser, url, facts.trust_id, head)
    say(f"{name}: daily sweep…")
    daily = sweep.daily_sweep(url, engine)
    say(f"{name}: mail delivery…")
    delivered = mail.mail_delivery(url, engine)
    say(f"{name}: policy schedule import…")
    imported = schedule.schedule_import(url, engine, facts.trust_id)
    engine.dispose()
    if not keep:
        databases.drop(url)
    measured = {
        "register": latency,
        "autosave": autosave,
        "csv": csv_export,
        "sweep": daily,
        "mail": delivered,
        "schedule": imported,
    }
    return {
        "seed": {
            "seconds": None if seed_seconds is None else round(seed_seconds, 1),
            "rows": facts.rows,
            "statuses": facts.statuses,
        },
        "figures": report.as_json(report.figures(measured)),
        "details": measured,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", databases.POSTGRES_URL)
    )
    parser.add_argument("--keep", action="store_true", help="keep the seeded databases")
    parser.add_argument("--reuse", action="store_true", help="measure kept databases again")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--policies", type=int, default=SeedPlan().policies, help="for a quick try")
    args = parser.parse_args()
    urls = {"sqlite": databases.SQLITE_URL, "postgresql": args.postgres_url}
    chosen = args.database or ["sqlite", "postgresql"]
    started = time.perf_counter()
    document: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "method": METHOD,
        "databases": {},
    }
    for name in chosen:
        document["databases"][name] = bench_database(
            urls[name], SeedPlan(policies=args.policies), reuse=args.reuse, keep=args.keep
        )
    document["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    document["total_seconds"] = round(time.perf_counter() - started, 1)
    report.write(args.output, document)
    for name, result in document["databases"].items():
        rows = [report.Figure(**row) for row in result["figures"]]
        print(report.table(name, rows))
        seconds = result["seed"]["seconds"]
        seeded = "reused, not seeded" if seconds is None else f"seeded in {seconds:.1f} s"
        versions = result["seed"]["rows"]["assessment_version"]
        answers = result["seed"]["rows"]["answer"]
        print(f"{name}: {versions:,} versions, {answers:,} answers, {seeded}\n")
    print(f"Written to {args.output} ({document['total_seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
