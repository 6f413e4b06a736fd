"""Seeding the bench register in bulk: one trust of 40 schools, 10,000 policies with 10 versions
each, every version with all its answers, workload estimates and mitigating actions.

Rows go in with executemany (SQLite) or COPY (PostgreSQL) into a migrated database. The
immutability triggers stay on: every version is inserted as a draft with its content, and only
then moved on, as the workflow does, to submitted, approved and finally superseded."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from assessments.kernel.actors import Role
from assessments.models import RoleGrant, School, Trust, User
from assessments.rubrics import queries as rubric_queries
from bench.bulk import bulk_insert
from bench.profiles import Profile, make_profiles
from bench.timeline import PolicyPlan, plan_policy

TRUST = "Bench Learning Trust"
BENCH_USER = "Bench Leader"
PLACES = (
    "Northfield",
    "Riverside",
    "Oakwood",
    "Hillcrest",
    "Meadowbank",
    "Ashford",
    "Brookside",
    "Castlegate",
    "Elmhurst",
    "Fairview",
    "Greenacre",
    "Harbour",
    "Kingsmead",
    "Lakeside",
    "Millbrook",
    "Newlands",
    "Orchard",
    "Parkside",
    "Queensway",
    "Redhill",
)
KINDS = ("Primary School", "Academy")
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


@dataclass
class _Made:
    trust_id: int = 0
    school_ids: list[int] = field(default_factory=list)


def _people(conn: sa.Connection, plan: SeedPlan, seeded: _Made) -> dict[str, list[tuple[int, str]]]:
    """The trust, its schools and people; returns the authors of each school (and "trust")."""
    trust_id = conn.execute(
        sa.insert(Trust).values(name=TRUST, created_at=datetime.now(UTC)).returning(col(Trust.id))
    ).scalar_one()
    assert trust_id is not None
    seeded.trust_id = trust_id
    names = [f"{place} {kind}" for kind in KINDS for place in PLACES][: plan.schools]
    seeded.school_ids = list(range(1, len(names) + 1))
    conn.execute(
        sa.insert(School),
        [
            {"id": i, "trust_id": seeded.trust_id, "name": n}
            for i, n in zip(seeded.school_ids, names, strict=True)
        ],
    )
    users: list[dict[str, Any]] = []
    grants: list[dict[str, Any]] = []
    authors: dict[str, list[tuple[int, str]]] = {}

    def person(name: str, *roles: tuple[Role, int | None]) -> int:
        user_id = len(users) + 1
        email = name.lower().replace(" ", ".").replace("'", "") + "@bench-trust.example"
        users.append(
            {
                "id": user_id,
                "trust_id": seeded.trust_id,
                "email": email,
                "name": name,
                "password_hash": "!",
                "created_at": datetime.now(UTC),
            }
        )
        grants.extend({"user_id": user_id, "role": r, "school_id": s} for r, s in roles)
        return user_id

    leader = person(BENCH_USER, (Role.AUTHOR, None), (Role.APPROVER, None))
    authors["trust"] = [(leader, BENCH_USER)]
    for n in range(3):
        name = f"Approver {n + 1}"
        authors.setdefault("approvers", []).append((person(name, (Role.APPROVER, None)), name))
    person("Trust Auditor", (Role.AUDITOR, None))
    for school_id, school in zip(seeded.school_ids, names, strict=True):
        for n in range(2):
            name = f"Author {n + 1} of {school}"
            authors.setdefault(str(school_id), []).append(
                (person(name, (Role.AUTHOR, school_id)), name)
            )
    conn.execute(sa.insert(User), users)
    conn.execute(sa.insert(RoleGrant), grants)
    return authors


def _content_rows(
    plan_: PolicyPlan, profiles: Sequence[Profile]
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
        for a in profile.actions:
            due = version.created_at.date() + timedelta(days=a.due_in_days)
            yield (
                "action",
                (
                    version.id,
                    a.description,
                    list(a.question_ids),
                    a.owner,
                    due,
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


def _seed_chunk(conn: sa.Connection, plans: list[PolicyPlan], profiles: Sequence[Profile]) -> None:
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
        for kind, row in _content_rows(p, profiles):
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
    seeded = _Made()
    with Session(engine) as session:
        row = rubric_queries.latest_published_rubric(session, "staff-wellbeing-impact")
        assert row is not None and row.id is not None, "publish the rubric first"
        rubric, rubric_version_id = rubric_queries.frozen_rubric(row), row.id
    profiles = make_profiles(rubric, plan.profiles, plan.seed)
    rng = random.Random(plan.seed)
    today = datetime.now(UTC).date()
    with engine.begin() as conn:
        authors = _people(conn, plan, seeded)
    for first in range(1, plan.policies + 1, plan.chunk):
        plans = [
            plan_policy(
                policy_id,
                plan.versions_per_policy,
                rng,
                today=today,
                trust_id=seeded.trust_id,
                school_ids=seeded.school_ids,
                authors=authors,
                profiles=len(profiles),
                rubric_version_id=rubric_version_id,
                open_share=plan.open_share,
            )
            for policy_id in range(first, min(first + plan.chunk, plan.policies + 1))
        ]
        with engine.begin() as conn:
            _seed_chunk(conn, plans, profiles)
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
