"""Use-cases of a version's workload estimates: hours per staff group, saved and cleared."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.contributors import note_contribution
from assessments.drafting.editing import NO_REVISION, _audit_edit, check_revision, editable_version
from assessments.drafting.schemas import WorkloadEstimateClear, WorkloadEstimateSave
from assessments.drafting.stored_results import store_results
from assessments.kernel.actors import Actor
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import (
    HUNDREDTH,
    AssessmentVersion,
    WorkloadEstimate,
    utcnow,
)
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.scoring import hours_per_term


def _require_staff_group(session: Session, version: AssessmentVersion, staff_group: str) -> None:
    if rubric_queries.rubric_of_version(session, version).staff_group(staff_group) is None:
        raise ValidationFailed({"staff_group": f"The rubric has no staff group {staff_group!r}"})


def save_workload_estimate(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    staff_group: str,
    data: WorkloadEstimateSave,
) -> WorkloadEstimate:
    """Save the estimated hours a draft's policy adds or removes for one staff group."""
    version = editable_version(session, actor, version_id)
    _require_staff_group(session, version, staff_group)
    row = version_queries.estimate(session, version_id, staff_group)
    hours = _per_term(session, version, data)
    if row is not None and (row.hours_per_term, row.staff_count, row.note) == (
        hours,
        data.staff_count,
        data.note,
    ):
        return row  # nothing changes, so nobody's newer work can be overwritten
    check_revision(row.revision if row is not None else NO_REVISION, data.expected_revision)
    note_contribution(session, actor, version)
    before = _estimate_fields(row) if row is not None else {}
    if row is None:
        row = WorkloadEstimate(
            version_id=version_id,
            staff_group=staff_group,
            hours_per_term=hours,
            staff_count=data.staff_count,
            note=data.note,
            updated_by=actor.name,
        )
    else:
        row.hours_per_term, row.staff_count, row.note = hours, data.staff_count, data.note
        row.revision += 1
        row.updated_by, row.updated_at = actor.name, utcnow()
    version.updated_at = utcnow()
    session.add_all([row, version])
    session.flush()
    store_results(session, version)
    _audit_edit(
        session,
        actor,
        "workload_estimate",
        version_id,
        {"staff_group": staff_group},
        before,
        _estimate_fields(row),
    )
    return row


MAX_HOURS_PER_TERM = 500


def _per_term(session: Session, version: AssessmentVersion, data: WorkloadEstimateSave) -> Decimal:
    """The estimate's hours per person per term (as the database will give them back), from
    the figure as given: per term, or per week or year, the rubric's terms a year apart."""
    if data.hours is None:
        assert data.hours_per_term is not None  # the input model asks for one or the other
        return data.hours_per_term.quantize(HUNDREDTH)
    terms = rubric_queries.rubric_of_version(session, version).workload.terms_per_year
    hours = hours_per_term(data.hours, data.per.value, terms)
    if abs(hours) > MAX_HOURS_PER_TERM:
        raise ValidationFailed(
            {
                "hours": f"That comes to {hours.normalize():f} hours a term each: enter at most "
                f"{MAX_HOURS_PER_TERM} a term (or the same a week or a year)"
            }
        )
    return hours


def _estimate_fields(row: WorkloadEstimate) -> dict[str, object]:
    return row.model_dump(include={"hours_per_term", "staff_count", "note"})


def save_workload_estimates(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    estimates: Mapping[str, WorkloadEstimateSave | WorkloadEstimateClear],
) -> dict[str, str]:
    """Save the workload page: staff group → an estimate, or a clear. Returns the errors."""
    editable_version(session, actor, version_id)
    errors: dict[str, str] = {}
    for staff_group, data in estimates.items():
        try:
            with session.begin_nested():
                if isinstance(data, WorkloadEstimateClear):
                    clear_workload_estimate(
                        session=session,
                        actor=actor,
                        version_id=version_id,
                        staff_group=staff_group,
                        expected_revision=data.expected_revision,
                    )
                else:
                    save_workload_estimate(
                        session=session,
                        actor=actor,
                        version_id=version_id,
                        staff_group=staff_group,
                        data=data,
                    )
        except ValidationFailed as exc:
            errors[staff_group] = next(iter(exc.errors.values()))
        except StaleVersion as exc:
            errors[staff_group] = exc.message
    return errors


def clear_workload_estimate(
    *,
    session: Session,
    actor: Actor,
    version_id: int,
    staff_group: str,
    expected_revision: int | None = None,
) -> None:
    """Remove a draft's estimate for one staff group (it no longer applies)."""
    version = editable_version(session, actor, version_id)
    _require_staff_group(session, version, staff_group)
    row = version_queries.estimate(session, version_id, staff_group)
    if row is None:
        return
    check_revision(row.revision, expected_revision)
    note_contribution(session, actor, version)
    before = _estimate_fields(row)
    session.delete(row)
    version.updated_at = utcnow()
    session.add(version)
    session.flush()
    _audit_edit(
        session, actor, "workload_estimate", version_id, {"staff_group": staff_group}, before, {}
    )
    store_results(session, version)
