"""A rubric that asks for staff to be consulted above a rating: a version rated in such a band
(before its actions) is submitted only once staff were consulted (through the register, or
formally) or with a written reason why not, which its approvers read from the submission's
audit event, and a version rated below it is submitted as before. The rubric is the shipped
one published as a newer version whose high and very-high bands ask for consultation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from assessments.consultations import requirement
from assessments.consultations.formal import record_formal
from assessments.consultations.opening import open_consultation
from assessments.consultations.schemas import FormalSave
from assessments.kernel import clock
from assessments.kernel.errors import ValidationFailed
from assessments.models import VersionStatus
from assessments.rubrics import publishing
from assessments.workflow import transitions as workflow
from tests.assessments.consultation_cases import TODAY, cast, close, consult, opening
from tests.factories.answers import QUESTIONS
from tests.factories.people import Cast
from tests.factories.trusts import AUTHOR, default_rubric
from tests.factories.versions import complete_draft, draft_for, view

__all__ = ["cast"]

pytestmark = pytest.mark.usefixtures("rubric_published")

WHY_NOT = "The staff forum asked that this go ahead before the summer; consulted in September."


@pytest.fixture(autouse=True)
def _asking_for_consultation(session: Session) -> None:
    """A newer version of the shipped rubric, whose high and very-high bands ask for staff to
    be consulted: new drafts are started on it."""
    rubric = default_rubric()
    bands = [
        band.model_copy(update={"consultation_required": band.id in {"high", "very-high"}})
        for band in rubric.rating_bands
    ]
    newer = rubric.model_copy(update={"version": rubric.version + 1, "rating_bands": bands})
    publishing.publish_rubric(session=session, actor=AUTHOR, rubric=newer)


def _rated_very_high(session: Session, cast: Cast) -> int:
    """A complete draft whose every answer is at its highest impact: rated very high."""
    version_id = draft_for(session, cast)
    shown = complete_draft(session, cast.author, version_id, flagged=list(QUESTIONS))
    assert shown.results.rating is not None and shown.results.rating.id == "very-high"
    return version_id


def _submit(session: Session, cast: Cast, version_id: int, reason: str = "") -> None:
    workflow.submit(
        session=session, actor=cast.author, version_id=version_id, unconsulted_reason=reason
    )


def test_a_version_rated_where_the_rubric_asks_for_consultation_needs_a_reason_without_it(
    session: Session, cast: Cast
) -> None:
    version_id = _rated_very_high(session, cast)

    for blank in ("", "   \n "):
        with pytest.raises(ValidationFailed) as refused:
            _submit(session, cast, version_id, blank)
        assert list(refused.value.errors) == [requirement.FIELD]
        assert (
            "Rated very high impact, it asks for staff to be consulted"
            in (refused.value.errors[requirement.FIELD])
        )
    with pytest.raises(ValidationFailed):
        _submit(session, cast, version_id, "x" * (requirement.MAX_REASON + 1))
    assert view(session, version_id).version.status is VersionStatus.DRAFT

    _submit(session, cast, version_id, f"  {WHY_NOT}  ")

    assert view(session, version_id).version.status is VersionStatus.SUBMITTED
    assert requirement.reason_given(session, view(session, version_id).version) == WHY_NOT


def test_staff_consulted_through_the_register_need_no_reason(session: Session, cast: Cast) -> None:
    version_id = _rated_very_high(session, cast)
    consult(session, cast.author, version_id)

    _submit(session, cast, version_id)

    assert view(session, version_id).version.status is VersionStatus.SUBMITTED
    assert requirement.reason_given(session, view(session, version_id).version) == ""


def test_a_formal_consultation_needs_no_reason_either(session: Session, cast: Cast) -> None:
    version_id = _rated_very_high(session, cast)
    said = FormalSave(body="Joint consultative committee", met_on=TODAY, views="Agreed a trial")
    record_formal(
        session=session,
        actor=cast.author,
        version_id=version_id,
        data=said,
        today=TODAY + timedelta(days=1),
    )

    _submit(session, cast, version_id)

    assert view(session, version_id).version.status is VersionStatus.SUBMITTED


def test_a_version_rated_below_those_bands_is_submitted_as_before(
    session: Session, cast: Cast
) -> None:
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    shown = view(session, version_id)
    assert shown.results.rating is not None and not shown.results.rating.consultation_required
    assert not requirement.reason_wanted(session, shown)

    _submit(session, cast, version_id, "A reason nobody asked for")

    assert view(session, version_id).version.status is VersionStatus.SUBMITTED
    assert (
        requirement.reason_given(session, view(session, version_id).version) == ""
    )  # not wanted: not kept


def test_a_returned_and_reopened_draft_keeps_no_reason_from_its_last_submission(
    session: Session, cast: Cast
) -> None:
    version_id = _rated_very_high(session, cast)
    _submit(session, cast, version_id, WHY_NOT)
    workflow.return_version(
        session=session, actor=cast.approver, version_id=version_id, reason="Consult staff first"
    )
    assert requirement.reason_given(session, view(session, version_id).version) == WHY_NOT

    workflow.reopen(session=session, actor=cast.author, version_id=version_id)

    assert requirement.reason_given(session, view(session, version_id).version) == ""
    with pytest.raises(ValidationFailed):
        _submit(session, cast, version_id)  # asked afresh on the next submission


def test_a_consultation_whose_links_never_worked_is_no_consultation(
    session: Session, cast: Cast
) -> None:
    version_id = _rated_very_high(session, cast)
    today = clock.today()
    later = opening(opens_on=today + timedelta(days=200), closes_on=today + timedelta(days=210))
    asked = open_consultation(
        session=session, actor=cast.author, version_id=version_id, data=later, today=today
    )
    assert not requirement.consulted(session, version_id)  # its first day is to come

    close(session, cast.author, asked, today)  # and now it never opens

    assert not requirement.consulted(session, version_id)
    with pytest.raises(ValidationFailed):
        _submit(session, cast, version_id)
