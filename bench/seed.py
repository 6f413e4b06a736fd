"""Seeding the bench register in bulk: one trust of 40 schools, 10,000 policies with 10 versions
each, every version with all its answers, workload estimates and mitigating actions.

Rows go in with executemany (SQLite) or COPY (PostgreSQL) into a migrated database. The
immutability triggers stay on: every version is inserted as a draft with its content, and only
then moved on, as the workflow does, to submitted, approved and finally superseded. Policies
and actions have owners with accounts, and the daily sweeps of the week before the seed's day
have run (bench/sweep.py)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from assessments.rubrics import queries as rubric_queries
from bench import sweep
from bench.bulk import bulk_insert
from bench.people import BENCH_USER, TRUST, make_people
from bench.profiles import ActionSpec, Profile, make_profiles
from bench.timeline import PolicyPlan, VersionPlan, plan_policy

VERSION_COLUMNS = (
    "id",
    "assessment_id",
    "number",
    "rubric_version_id",
    "status",
    "author",
    "author_user_id",
    "content_hash",
    "revision",
    "submitted_at",
    "decided_at",
    "decided_by",
    "decided_by_user_id",
    "decision_reason",
    "review_due",
    "overall_score",
    "rating",
    "rating_after",
    "rating_done",
    "net_hours_per_year",
    "open_actions",
    "created_at",
    "updated_at",
    "trust_id",
    "school_id",
)
ANSWER_COLUMNS = (
    "version_id",
    "question_id",
    "value",
    "comment",
    "justification",
    "revision",
    "updated_by",
    "updated_at",
)
ESTIMATE_COLUMNS = (
    "version_id",
    "staff_group",
    "hours_per_term",
    "staff_count",
    "note",
    "revision",
    "updated_by",
    "updated_at",
)
ACTION_COLUMNS = (
    "version_id",
    "description",
    "question_ids",
    "owner",
    "owner_user_id",
    "due_date",
    "status",
    "residual_impact",
    "revision",
    "updated_by",
    "updated_at",
)
PROGRESS_FROM_APPROVAL = sa.text(
    "INSERT INTO action_progress (action_id, version_id, status, note, done_on, evidence_url,"
    " revision, updated_by, updated_by_user_id, updated_at)"
    " SELECT a.id, a.version_id, a.status, '', NULL, '', 1, v.decided_by, v.decided_by_user_id,"
    " v.decided_at FROM mitigating_action a JOIN assessment_version v ON v.id = a.version_id"
    " WHERE a.version_id IN :ids"
).bindparams(sa.bindparam("ids", expanding=True))
CONTENT_TABLES = ("answer", "workload_estimate", "mitigating_action")
TABLES = {
    "policy": "policy",
    "assessment": "assessment",
    "version": "assessment_version",
    "answer": "answer",
    "estimate": "workload_estimate",
    "action": "mitigating_action",
}
# Days from the seed's day to when the open actions of the versions approved now fall due.
ACTION_DUE_SPREAD = (-28, 365)
# The workflow's order: a version is written as a draft, then each later status in turn.
STATUS_PATH = {
    "draft": (),
    "submitted": ("submitted",),
    "returned": ("submitted", "returned"),
    "approved": ("submitted", "approved"),
    "superseded": ("submitted", "approved", "superseded"),
}


@dataclass(frozen=True)
class SeedPlan:
    policies: int = 10_000
    versions_per_policy: int = 10
    schools: int = 40
    open_share: float = 0.05  # policies whose latest version is a draft, submitted or returned
    profiles: int = 400
    chunk: int = 500  # policies a transaction
    swept_days: int = 7  # the daily sweep has run on the days before the seed's day
    seed: int = 2026


@dataclass
class Seeded:
    """What the bench needs to know about a seeded database (read back from it)."""

    rows: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    trust_id: int = 0
    bench_user_id: int = 0
    school_ids: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)


def action_due(version: VersionPlan, spec: ActionSpec, number: int, today: date) -> date:
    """When an action is due: some months after its version was started; for the versions
    approved now, spread around `today` (from ACTION_DUE_SPREAD), so that the daily sweep
    finds a few hundred of them due, or overdue, each day."""
    if version.status != "approved":
        return version.created_at.date() + timedelta(days=spec.due_in_days)
    # Its own generator, so that the rest of the register is the same as before this spread.
    return today + timedelta(
        days=random.Random(version.id * 64 + number).randrange(*ACTION_DUE_SPREAD)
    )


def _content_rows(
    plan_: PolicyPlan, profiles: Sequence[Profile], today: date
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """("answer" | "estimate" | "action", row) for every version of one policy."""
    for version in plan_.versions:
        profile = profiles[version.profile]
        stamp, writer = version.updated_at, version.author[1]
        for qid, value, comment, justification in profile.answers:
            row = (version.id, qid, value, comment, justification, 1, writer, stamp)
            yield "answer", row
        for group, hours, staff, note in profile.estimates:
            yield "estimate", (version.id, group, hours, staff, note, 1, writer, stamp)
        for number, a in enumerate(profile.actions):
            owner_id, owner = plan_.owners[a.owner]  # the one in that role at the policy's school
            yield (
                "action",
                (
                    version.id,
                    a.description,
                    list(a.question_ids),
                    owner,
                    owner_id,
                    action_due(version, a, number, today),
                    a.status,
                    a.residual_impact,
                    1,
                    writer,
                    stamp,
                ),
            )


@contextmanager
def _content_triggers_paused(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, the answer, estimate and action tables' immutability triggers are off
    while this transaction COPYs rows into them, and back on before it commits.

    Every one of those rows belongs to a version inserted as a draft just before, which the
    triggers allow; but their PL/pgSQL function costs about 70 µs a row here, some five
    minutes for 4.3 million rows. SQLite's triggers (about 10 µs a row) stay on, and so does
    every trigger on the versions themselves, which check each later change of status."""
    if conn.dialect.name != "postgresql":
        yield
        return
    for table in CONTENT_TABLES:
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_frozen")
    yield
    for table in CONTENT_TABLES:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_frozen")


def _seed_chunk(
    conn: sa.Connection, plans: list[PolicyPlan], profiles: Sequence[Profile], today: date
) -> None:
    policy_rows: list[tuple[Any, ...]] = []
    assessment_rows: list[tuple[Any, ...]] = []
    version_rows: list[tuple[Any, ...]] = []
    for p in plans:
        policy_rows.append(p.policy_row)
        assessment_rows.append((p.id, p.id, p.versions[0].created_at))
        owners = p.trust_and_school
        version_rows.extend((*v.row(p.id, profiles[v.profile]), *owners) for v in p.versions)
    tables = {name: SQLModel.metadata.tables[table] for name, table in TABLES.items()}
    bulk_insert(conn, tables["policy"], PolicyPlan.COLUMNS, policy_rows)
    bulk_insert(conn, tables["assessment"], ("id", "policy_id", "created_at"), assessment_rows)
    bulk_insert(conn, tables["version"], VERSION_COLUMNS, version_rows)
    content: dict[str, list[tuple[Any, ...]]] = {"answer": [], "estimate": [], "action": []}
    for p in plans:
        for kind, row in _content_rows(p, profiles, today):
            content[kind].append(row)
    with _content_triggers_paused(conn):
        for kind, columns in (
            ("answer", ANSWER_COLUMNS),
            ("estimate", ESTIMATE_COLUMNS),
            ("action", ACTION_COLUMNS),
        ):
            bulk_insert(conn, tables[kind], columns, content[kind])
    # Then the versions move on along the workflow, one status at a time, as the triggers allow.
    version = tables["version"]
    for target in ("submitted", "approved", "returned", "superseded"):
        ids = [v.id for p in plans for v in p.versions if target in STATUS_PATH[v.status]]
        if ids:
            conn.execute(sa.update(version).where(version.c.id.in_(ids)).values(status=target))
    # An approved version's actions have their progress from then on, as approval gives them.
    approved = [v.id for p in plans for v in p.versions if "approved" in STATUS_PATH[v.status]]
    if approved:
        conn.execute(PROGRESS_FROM_APPROVAL, {"ids": approved})


def _finish(engine: sa.Engine) -> None:
    """Sequences past the explicit ids (PostgreSQL), and what a running database would have
    done by itself soon after a bulk load: VACUUM ANALYZE (autovacuum), or for SQLite the
    ANALYZE that `wia db upgrade` runs at every start and a WAL checkpoint."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in (
                "trust",
                "school",
                "user_account",
                "role_grant",
                "policy",
                "assessment",
                "assessment_version",
            ):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - constants
                    f"(SELECT max(id) FROM {table}))"
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        raw = engine.raw_connection()  # outside any transaction, which a checkpoint needs
        try:
            raw.cursor().execute("ANALYZE")
            raw.commit()
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def seed(engine: sa.Engine, plan: SeedPlan | None = None) -> float:
    """Fill a migrated database (with the default rubric published) with the bench register;
    returns the seconds it took."""
    plan = plan or SeedPlan()
    started = time.perf_counter()
    with Session(engine) as session:
        row = rubric_queries.latest_published_rubric(session, "staff-wellbeing-impact")
        assert row is not None and row.id is not None, "publish the rubric first"
        rubric, rubric_version_id = rubric_queries.frozen_rubric(row), row.id
    profiles = make_profiles(rubric, plan.profiles, plan.seed)
    rng = random.Random(plan.seed)
    today = datetime.now(UTC).date()
    with engine.begin() as conn:
        people = make_people(conn, plan.schools)
    for first in range(1, plan.policies + 1, plan.chunk):
        plans = [
            plan_policy(
                policy_id,
                plan.versions_per_policy,
                rng,
                today=today,
                trust_id=people.trust_id,
                school_ids=people.school_ids,
                authors=people.authors,
                owners=people.owners,
                profiles=len(profiles),
                rubric_version_id=rubric_version_id,
                open_share=plan.open_share,
            )
            for policy_id in range(first, min(first + plan.chunk, plan.policies + 1))
        ]
        with engine.begin() as conn:
            _seed_chunk(conn, plans, profiles, today)
    sweep.history(engine, today, days=plan.swept_days)
    _finish(engine)
    return time.perf_counter() - started


def describe(engine: sa.Engine) -> Seeded:
    """The seeded register as the database holds it: row counts, statuses, ids."""
    facts = Seeded()

    def ids(sql: str, **params: Any) -> list[int]:
        return [int(value) for value in conn.execute(sa.text(sql), params).scalars()]

    with engine.connect() as conn:
        for table in ("school", "policy", "assessment_version", *CONTENT_TABLES):
            facts.rows[table] = ids(f"SELECT count(*) FROM {table}")[0]  # noqa: S608 - constants
        counted = conn.execute(
            sa.text("SELECT status, count(*) FROM assessment_version GROUP BY status")
        )
        facts.statuses = {str(status): int(count) for status, count in sorted(counted.all())}
        facts.trust_id = ids("SELECT id FROM trust WHERE name = :name", name=TRUST)[0]
        facts.bench_user_id = ids("SELECT id FROM user_account WHERE name = :n", n=BENCH_USER)[0]
        facts.school_ids = ids(
            "SELECT id FROM school WHERE trust_id = :t ORDER BY id", t=facts.trust_id
        )
        facts.drafts = ids("SELECT id FROM assessment_version WHERE status = 'draft' ORDER BY id")
    return facts
