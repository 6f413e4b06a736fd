"""When a rubric asks for staff to be consulted: a version rated in a band that requires it
(before its actions) is submitted either consulted (staff asked through the register, or a
formal consultation recorded) or with a written reason why not, which its approvers read. The
reason is kept in the submission's audit event, so nobody changes it afterwards."""

from __future__ import annotations

import json

from sqlmodel import Session

from assessments.consultations import queries
from assessments.drafting.version_view import AssessmentView
from assessments.kernel import audit, clock
from assessments.kernel.errors import ValidationFailed
from assessments.models import AssessmentVersion, VersionStatus

MAX_REASON = 2000
FIELD = "unconsulted_reason"


def consulted(session: Session, version_id: int) -> bool:
    """Whether staff were asked: a formal consultation recorded, or one through the register
    whose links have worked (its first day has come, and it was not closed before it)."""
    today = clock.today()
    return bool(queries.formal_of_version(session, version_id)) or any(
        c.opens_on <= today and (c.closed_at is None or c.closed_at.date() >= c.opens_on)
        for c in queries.consultations_of_version(session, version_id)
    )


def reason_wanted(session: Session, view: AssessmentView) -> bool:
    """Whether submitting the version needs a reason for not consulting staff."""
    band = view.results.rating
    return (
        not view.screened_out
        and band is not None
        and band.consultation_required
        and not consulted(session, view.version.id or 0)
    )


def checked_reason(session: Session, view: AssessmentView, reason: str) -> str:
    """The reason for not consulting, where one is wanted ("" where not); refused if wanted and
    not given."""
    if not reason_wanted(session, view):
        return ""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        assert view.results.rating is not None
        raise ValidationFailed(
            {
                FIELD: f"Rated {view.results.rating.label.lower()}, it asks for staff to be "
                f"consulted: consult them, or say why not (up to {MAX_REASON:,} characters)"
            }
        )
    return reason


def reason_given(session: Session, version: AssessmentVersion) -> str:
    """Why staff were not consulted, as its latest submission said ("" if it did not, and for a
    draft, which is to be submitted afresh)."""
    said = ""
    if version.status is VersionStatus.DRAFT:
        return said
    for event in audit.events_of(session, "assessment_version", version.id or 0):
        if event.action == VersionStatus.SUBMITTED.value:
            said = str(json.loads(event.changes).get(FIELD, ""))
    return said
