"""The register: every version of every assessment the actor may see, filtered, sorted and
paged for the page, or streamed row by row for an export of any size."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from assessments import repository
from assessments.actors import Actor, trust_of
from assessments.audit import canonical
from assessments.models import (
    Assessment,
    AssessmentVersion,
    AuditHead,
    Policy,
    RubricVersion,
    School,
    VersionStatus,
)
from assessments.service import AssessmentView

PAGE_SIZE = 50
SORTS = {
    "reference": col(Policy.reference),
    "title": col(Policy.title),
    "school": col(School.name),
    "status": col(AssessmentVersion.status),
    "score": col(AssessmentVersion.overall_score),
    "decided": col(AssessmentVersion.decided_at),
    "review-due": col(AssessmentVersion.review_due),
    "updated": col(AssessmentVersion.updated_at),
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


@dataclass(frozen=True)
class RegisterFilter:
    school_id: int | None = None
    status: VersionStatus | None = None
    rating: str | None = None  # a rating band's id, before mitigation
    overdue: bool = False  # approved, and its review date has passed
    decided_from: date | None = None
    decided_to: date | None = None
    text: str = ""  # in the policy's reference or title, or the author's name
    sort: str = "reference"
    descending: bool = False


@dataclass(frozen=True)
class RegisterRow:
    """One version in the register. The field names and order are the export's columns."""

    version_id: int
    policy_reference: str
    policy_title: str
    school: str  # empty for a trust-wide policy
    version: int
    status: str
    rubric: str  # id@version
    overall_score: Decimal | None
    rating: str | None
    rating_after_mitigation: str | None
    net_hours_per_year: Decimal
    open_actions: int
    author: str
    approver: str
    decided_at: datetime | None
    decision_reason: str
    review_due: date | None
    overdue: bool


COLUMNS = (*(f.name for f in fields(RegisterRow)), "audit_chain_head")


def _query(actor: Actor, chosen: RegisterFilter, today: date) -> Any:
    trust_id = trust_of(actor)
    overdue = sa.and_(
        col(AssessmentVersion.status) == VersionStatus.APPROVED.value,
        col(AssessmentVersion.review_due) < today,
    )
    query = (
        sa.select(
            col(AssessmentVersion.id),
            col(Policy.reference),
            col(Policy.title),
            col(School.name),
            col(AssessmentVersion.number),
            col(AssessmentVersion.status),
            col(RubricVersion.rubric_id),
            col(RubricVersion.version),
            col(AssessmentVersion.overall_score),
            col(AssessmentVersion.rating),
            col(AssessmentVersion.rating_after),
            col(AssessmentVersion.net_hours_per_year),
            col(AssessmentVersion.open_actions),
            col(AssessmentVersion.author),
            col(AssessmentVersion.decided_by),
            col(AssessmentVersion.decided_at),
            col(AssessmentVersion.decision_reason),
            col(AssessmentVersion.review_due),
            overdue.label("overdue"),
        )
        .join(Assessment, col(Assessment.id) == AssessmentVersion.assessment_id)
        .join(Policy, col(Policy.id) == Assessment.policy_id)
        .join(RubricVersion, col(RubricVersion.id) == AssessmentVersion.rubric_version_id)
        .outerjoin(School, col(School.id) == Policy.school_id)
        .where(col(Policy.trust_id) == trust_id)
    )
    if not actor.sees(trust_id, None):
        query = query.where(sa.false())
    elif (schools := actor.schools_seen()) is not None:
        query = query.where(col(Policy.school_id).is_(None) | col(Policy.school_id).in_(schools))
    return _filtered(query, chosen, overdue)


def _filtered(query: Any, chosen: RegisterFilter, overdue: Any) -> Any:
    if chosen.school_id is not None:
        query = query.where(col(Policy.school_id) == chosen.school_id)
    if chosen.status is not None:
        query = query.where(col(AssessmentVersion.status) == chosen.status)
    if chosen.rating:
        query = query.where(col(AssessmentVersion.rating) == chosen.rating)
    if chosen.overdue:
        query = query.where(overdue)
    if chosen.decided_from is not None:
        start = datetime.combine(chosen.decided_from, time.min, tzinfo=UTC)
        query = query.where(col(AssessmentVersion.decided_at) >= start)
    if chosen.decided_to is not None:  # the whole of that day
        end = datetime.combine(chosen.decided_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(col(AssessmentVersion.decided_at) < end)
    if text := chosen.text.strip():
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            col(Policy.reference).ilike(pattern, escape="\\")
            | col(Policy.title).ilike(pattern, escape="\\")
            | col(AssessmentVersion.author).ilike(pattern, escape="\\")
        )
    key = SORTS.get(chosen.sort, SORTS["reference"])
    order = key.desc() if chosen.descending else key.asc()
    return query.order_by(order, col(Policy.reference), col(AssessmentVersion.number))


def _row(values: Any) -> RegisterRow:
    (version_id, reference, title, school, number, status, rubric_id, rubric_version, score,
     rating, rating_after, hours, open_actions, author, decided_by, decided_at, reason,
     review_due, overdue) = values  # fmt: skip
    approved = status in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    return RegisterRow(
        version_id=version_id, policy_reference=reference, policy_title=title,
        school=school or "", version=number, status=VersionStatus(status).value,
        rubric=f"{rubric_id}@{rubric_version}", overall_score=score, rating=rating,
        rating_after_mitigation=rating_after, net_hours_per_year=hours,
        open_actions=open_actions, author=author, approver=decided_by if approved else "",
        decided_at=decided_at, decision_reason=reason, review_due=review_due,
        overdue=bool(overdue),
    )  # fmt: skip


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    pages: int


def register_page(
    *, session: Session, actor: Actor, chosen: RegisterFilter, page: int, today: date
) -> RegisterPage:
    """One page of the register, with the number of versions that match."""
    query = _query(actor, chosen, today)
    count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    total: int = session.execute(count).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return RegisterPage([_row(r) for r in rows], total, page, pages)


def register_rows(
    *, session: Session, actor: Actor, chosen: RegisterFilter, today: date
) -> Iterator[RegisterRow]:
    """Every matching version, read from the database in batches as they are consumed."""
    result = session.execute(_query(actor, chosen, today).execution_options(yield_per=500))
    for values in result:
        yield _row(values)


def audit_chain_head(session: Session) -> str:
    head = session.get(AuditHead, 1)
    return head.hash if head else ""


def _cell(value: Any) -> Any:
    """A raw value for the file; text a spreadsheet would run as a formula starts with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(header: Iterable[str], records: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text a line at a time: UTF-8 with a BOM (so spreadsheets read the accents), the
    header, then one line per record with every cell made safe by `_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[Any]) -> str:
        writer.writerow([_cell(value) for value in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(header)
    for record in records:
        yield line(record)


def csv_lines(rows: Iterable[RegisterRow], head_hash: str) -> Iterator[str]:
    """The register export as CSV: the stable columns, one line per version."""
    return _csv(COLUMNS, ([*asdict(row).values(), head_hash] for row in rows))


ACTION_COLUMNS = (
    "action_id", "version_id", "policy_reference", "version", "description", "question_ids",
    "owner", "due_date", "status", "residual_impact",
)  # fmt: skip


def actions_csv_lines(view: AssessmentView) -> Iterator[str]:
    """One version's mitigating actions as CSV (question ids joined by spaces)."""
    return _csv(
        ACTION_COLUMNS,
        (
            [a.id, a.version_id, view.policy.reference, view.version.number, a.description,
             " ".join(a.question_ids), a.owner, a.due_date, a.status.value, a.residual_impact]
            for a in view.actions
        ),
    )  # fmt: skip


def json_chunks(rows: Iterable[RegisterRow], head_hash: str) -> Iterator[str]:
    """The export as one JSON document, streamed: {"columns", "audit_chain_head", "rows"}."""
    head = {"columns": list(COLUMNS), "audit_chain_head": head_hash}
    yield json.dumps(head, separators=(",", ":"))[:-1] + ',"rows":['
    for number, row in enumerate(rows):
        yield ("," if number else "") + canonical(asdict(row))
    yield "]}"


def rating_bands(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every rating band of the published rubrics, to filter by."""
    bands: dict[str, str] = {}
    for row in repository.list_published_rubrics(session):
        for band in repository.frozen_rubric(row).rating_bands:
            bands.setdefault(band.id, band.label)
    return list(bands.items())
