"""version contributors: everyone who prepared a version, who may not decide on it

Revision ID: 3b8f0d6e5a21
Revises: 9c1e4a7b2d10
Create Date: 2026-12-01 22:00:00

Until now only a version's author was kept, so someone holding both roles could rewrite a
colleague's draft, submit it and approve it. Each version's contributors are filled in from
what is recorded: its author, whoever the audit trail shows starting, revising, editing or
submitting it, and (for a version revised from an earlier one) the earlier one's contributors,
whose work was copied into it. Their names are kept on the version for the register, with who
last submitted it.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "3b8f0d6e5a21"
down_revision: str | None = "9c1e4a7b2d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEPARATOR = "; "  # as assessments.drafting.contributors writes the names
CONTENT = ("answer", "workload_estimate", "mitigating_action")  # events naming their version_id
OF_VERSION = ("started", "revised", "submitted")  # assessment_version events by who prepared it
# The triggers that refuse any update of an approved version.
SQLITE_FROZEN, PG_FROZEN = "assessment_version_frozen_update", "assessment_version_frozen"


def upgrade() -> None:
    op.create_table(
        "version_contributor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("first_contributed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["assessment_version.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "user_id"),
    )
    op.create_index("ix_version_contributor_version_id", "version_contributor", ["version_id"])
    # Plain ADD COLUMN (not a batch copy of the table, which would lose its triggers on SQLite).
    op.add_column(
        "assessment_version", sa.Column("prepared_by", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "assessment_version",
        sa.Column("submitted_by", sa.String(length=120), nullable=False, server_default=""),
    )
    _backfill(op.get_bind())
    _freeze_with_their_versions()


def downgrade() -> None:  # the table's triggers go with it
    op.drop_column("assessment_version", "submitted_by")
    op.drop_column("assessment_version", "prepared_by")
    op.drop_index("ix_version_contributor_version_id", table_name="version_contributor")
    op.drop_table("version_contributor")


def _freeze_with_their_versions() -> None:
    """An approved version's contributors change no more than its answers do (the triggers of
    revision a4f1c2e9b7d3, for this table too)."""
    frozen, refusal = "('approved', 'superseded')", "approved assessment versions cannot be changed"
    if op.get_bind().dialect.name != "sqlite":
        op.execute(
            "CREATE TRIGGER version_contributor_frozen BEFORE INSERT OR UPDATE OR DELETE ON"
            " version_contributor FOR EACH ROW EXECUTE FUNCTION version_content_frozen()"
        )
        op.execute(
            "CREATE TRIGGER version_contributor_frozen_truncate BEFORE TRUNCATE ON"
            " version_contributor FOR EACH STATEMENT EXECUTE FUNCTION frozen_truncate_refused()"
        )
        return
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        status = "(SELECT status FROM assessment_version WHERE id = {}.version_id)"
        when = " OR ".join(f"{status.format(row)} IN {frozen}" for row in rows)
        op.execute(
            f"CREATE TRIGGER version_contributor_frozen_{event.lower()} BEFORE {event} ON"
            f" version_contributor WHEN {when} BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
        )


def _backfill(bind: sa.Connection) -> None:
    users = {uid: name for uid, name in bind.execute(sa.text("SELECT id, name FROM user_account"))}
    versions = bind.execute(
        sa.text(
            "SELECT id, assessment_id, number, author, author_user_id, created_at"
            " FROM assessment_version ORDER BY assessment_id, number"
        )
    ).all()
    # version id → user id → (first contributed at, name), and who last submitted it
    found: dict[int, dict[int, tuple[datetime, str]]] = {v.id: {} for v in versions}
    submitter: dict[int, str] = {}
    copied_from: dict[int, int] = {}  # a revised version → the number it was copied from
    for v in versions:
        if v.author_user_id in users:
            _note(found[v.id], v.author_user_id, _utc(v.created_at), v.author)
    events = bind.execute(
        sa.text(
            "SELECT occurred_at, actor_user_id, actor_name, entity, entity_id, action, changes"
            " FROM audit_event WHERE entity IN ('answer', 'workload_estimate',"
            " 'mitigating_action', 'assessment_version') ORDER BY chain, seq"
        )
    )
    for e in events:
        details = _details(e.changes)
        if e.entity in CONTENT:
            version_id = details.get("version_id")
        elif e.action in OF_VERSION:
            version_id = e.entity_id
        else:
            continue
        if version_id not in found:
            continue
        if e.action == "submitted":
            submitter[version_id] = e.actor_name
        if e.action == "revised" and isinstance(details.get("from_version"), int):
            copied_from[version_id] = details["from_version"]
        if e.actor_user_id in users:
            _note(found[version_id], e.actor_user_id, _utc(e.occurred_at), e.actor_name)
    by_number = {(v.assessment_id, v.number): v.id for v in versions}
    for v in versions:  # in number order, so an earlier version is complete before it is copied
        source = by_number.get((v.assessment_id, copied_from.get(v.id, 0)))
        for user_id, (at, name) in (found[source] if source else {}).items():
            _note(found[v.id], user_id, at, name)
    _write(bind, found, submitter)


def _note(into: dict[int, tuple[datetime, str]], user_id: int, at: datetime, name: str) -> None:
    if user_id not in into or at < into[user_id][0]:
        into[user_id] = (at, name[:120])


def _details(changes: str) -> dict[str, Any]:
    try:
        details = json.loads(changes)
    except ValueError:  # an unreadable event names nobody
        return {}
    return details if isinstance(details, dict) else {}


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _write(
    bind: sa.Connection,
    found: dict[int, dict[int, tuple[datetime, str]]],
    submitter: dict[int, str],
) -> None:
    contributor = sa.table(
        "version_contributor",
        sa.column("version_id"),
        sa.column("user_id"),
        sa.column("name"),
        sa.column("first_contributed_at", sa.DateTime(timezone=True)),
    )
    rows = [
        {"version_id": vid, "user_id": uid, "name": name, "first_contributed_at": at}
        for vid, people in found.items()
        for uid, (at, name) in people.items()
    ]
    if rows:
        op.bulk_insert(contributor, rows)
    update = sa.text(
        "UPDATE assessment_version SET prepared_by = :names, submitted_by = :submitter"
        " WHERE id = :id"
    )
    params = [
        {
            "id": vid,
            "names": SEPARATOR.join(name for _, name in sorted(people.values())),
            "submitter": submitter.get(vid, "")[:120],
        }
        for vid, people in found.items()
        if people or vid in submitter
    ]
    if params:
        with _approved_versions_writable(bind):
            bind.execute(update, params)


@contextmanager
def _approved_versions_writable(bind: sa.Connection) -> Iterator[None]:
    """The immutability trigger lifted while the names are written, then put back as it was
    (an approved version refuses every UPDATE otherwise)."""
    if bind.dialect.name != "sqlite":
        bind.execute(sa.text(f"ALTER TABLE assessment_version DISABLE TRIGGER {PG_FROZEN}"))
        yield
        bind.execute(sa.text(f"ALTER TABLE assessment_version ENABLE TRIGGER {PG_FROZEN}"))
        return
    saved = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": SQLITE_FROZEN},
    ).scalar()
    if saved:
        bind.execute(sa.text(f"DROP TRIGGER {SQLITE_FROZEN}"))
    yield
    if saved:
        bind.execute(sa.text(saved))
