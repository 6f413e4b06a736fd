"""Approving with a reason: a version still rated high or very high after its planned actions
(by its score, or by the hours it adds to a staff group's year) is approved only with a reason,
kept with the meeting's minute in the version and the trail; one rated lower needs none, though
a reason given is kept; and a reason or minute too long is refused, on a return too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session

from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.actors import Actor
from assessments.kernel.errors import ValidationFailed
from assessments.models import VersionStatus
from assessments.workflow import transitions as workflow
from tests.assessments.cast_and_trail import MINUTE, REASON, cast, details, trail
from tests.factories.answers import QUESTIONS, add, answer_all
from tests.factories.people import Cast
from tests.factories.versions import Fill, make_version, submitted, version, view

__all__ = ["cast"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")


def every_answer_high(residual: int) -> Fill:
    """Every question at its highest impact, all the flagged ones under one planned action
    expected to leave `residual` impact: 1 rates it medium after, 2 high (score 50.0, the
    band's edge), 4 very high; 0 low (though very high as answered)."""

    def fill(session: Session, version_id: int, actor: Actor) -> None:
        answer_all(session, actor, version_id, high=list(QUESTIONS))
        flagged = [f.question.id for f in view(session, version_id).results.flagged]
        add(session, actor, version_id, flagged, residual=residual)

    return fill


def teachers_work(hours_per_term: str) -> Fill:
    """Every question at its lowest impact (a low score), and teachers each working
    `hours_per_term` more a term (three terms a year) for 12 staff."""

    def fill(session: Session, version_id: int, actor: Actor) -> None:
        answer_all(session, actor, version_id)
        estimate = WorkloadEstimateSave(hours_per_term=Decimal(hours_per_term), staff_count=12)
        workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group="teachers",
            data=estimate,
        )

    return fill


NEEDING_A_REASON = {
    "high by its score after the action": (every_answer_high(2), "high"),
    "very high by its score after the action": (every_answer_high(4), "very-high"),
    "high by 60 h a teacher a year": (teachers_work("20"), "high"),
    "very high by 246 h a teacher a year": (teachers_work("82"), "very-high"),
}
NEEDING_NONE = {
    "low after the action (very high as answered)": (every_answer_high(0), "low"),
    "medium after the action": (every_answer_high(1), "medium"),
    "medium by 21 h a teacher a year": (teachers_work("7"), "medium"),
    "low": (teachers_work("1.5"), "low"),
}


def submitted_with(session: Session, cast: Cast, fill: Fill) -> int:
    """A new policy's version 1, filled in by `fill` and submitted by the cast's author."""
    made = make_version(
        session, "submitted", actor=cast.author, fill=fill, school_id=cast.school.id
    )
    assert made.id is not None
    return made.id


class TestApprovalReason:
    @pytest.mark.parametrize(("fill", "band"), NEEDING_A_REASON.values(), ids=NEEDING_A_REASON)
    @pytest.mark.parametrize("reason", ["", "  \n "])
    def test_a_high_rating_after_the_planned_actions_is_not_approved_without_a_reason(
        self, session: Session, cast: Cast, fill: Fill, band: str, reason: str
    ) -> None:
        version_id = submitted_with(session, cast, fill)
        shown = view(session, version_id)
        assert shown.results_after.rating is not None
        assert shown.results_after.rating.id == band
        assert workflow.approval_needs_reason(shown)
        events_before = len(trail(session, version_id))

        with pytest.raises(ValidationFailed) as refused:
            workflow.approve(
                session=session,
                actor=cast.approver,
                version_id=version_id,
                reason=reason,
                minute=MINUTE,
            )

        label = shown.results_after.rating.label.lower()
        assert refused.value.errors == {
            "reason": f"Say why a policy rated {label} after mitigation is approved "
            f"(up to {workflow.MAX_REASON} characters)"
        }
        kept = version(session, version_id)
        assert (kept.status, kept.revision, kept.decided_by, kept.decision_reason) == (
            VersionStatus.SUBMITTED,
            2,
            "",
            "",
        )
        assert kept.decided_at is None and kept.review_due is None
        assert len(trail(session, version_id)) == events_before
        assert shown.policy.next_review_date is None

    @pytest.mark.parametrize(("fill", "band"), NEEDING_A_REASON.values(), ids=NEEDING_A_REASON)
    def test_the_reason_and_minute_are_kept_with_the_decision_and_in_the_trail(
        self, session: Session, cast: Cast, fill: Fill, band: str
    ) -> None:
        version_id = submitted_with(session, cast, fill)

        done = workflow.approve(
            session=session,
            actor=cast.approver,
            version_id=version_id,
            expected_revision=2,
            reason=f"  {REASON}\n",
            minute=f" {MINUTE} ",
        )

        assert (done.status, done.decision_reason, done.decided_by) == (
            VersionStatus.APPROVED,
            REASON,
            cast.approver.name,
        )
        approval = trail(session, version_id)[-1]
        assert approval.action == "approved"
        assert approval.actor_user_id == cast.approver.user_id
        said = details(approval)
        assert (said["reason"], said["minute"]) == (REASON, MINUTE)

    @pytest.mark.parametrize(("fill", "band"), NEEDING_NONE.values(), ids=NEEDING_NONE)
    def test_a_lower_rating_after_the_planned_actions_is_approved_without_a_reason(
        self, session: Session, cast: Cast, fill: Fill, band: str
    ) -> None:
        version_id = submitted_with(session, cast, fill)
        shown = view(session, version_id)
        assert shown.results_after.rating is not None
        assert shown.results_after.rating.id == band
        assert not workflow.approval_needs_reason(shown)

        done = workflow.approve(session=session, actor=cast.approver, version_id=version_id)

        assert (done.status, done.decision_reason) == (VersionStatus.APPROVED, "")
        said = details(trail(session, version_id)[-1])
        assert "reason" not in said and "minute" not in said

    def test_a_reason_given_for_a_low_rating_is_kept_too(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = submitted(session, cast)
        assert not workflow.approval_needs_reason(view(session, version_id))

        done = workflow.approve(
            session=session, actor=cast.approver, version_id=version_id, reason=REASON
        )

        assert done.decision_reason == REASON
        said = details(trail(session, version_id)[-1])
        assert said["reason"] == REASON and "minute" not in said

    @pytest.mark.parametrize(
        ("reason", "minute", "field"),
        [
            ("x" * (workflow.MAX_REASON + 1), "", "reason"),
            ("", "m" * (workflow.MAX_MINUTE + 1), "minute"),
            (REASON, "m" * (workflow.MAX_MINUTE + 1), "minute"),
        ],
        ids=["reason too long", "minute too long", "minute too long with a reason"],
    )
    def test_an_overlong_reason_or_minute_is_refused_even_for_a_low_rating(
        self, session: Session, cast: Cast, reason: str, minute: str, field: str
    ) -> None:
        version_id = submitted(session, cast)

        with pytest.raises(ValidationFailed) as refused:
            workflow.approve(
                session=session,
                actor=cast.approver,
                version_id=version_id,
                reason=reason,
                minute=minute,
            )

        assert set(refused.value.errors) == {field}
        assert version(session, version_id).status is VersionStatus.SUBMITTED

    def test_a_reason_and_minute_at_their_limits_are_kept_whole(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = submitted_with(session, cast, teachers_work("82"))
        reason, minute = "r" * workflow.MAX_REASON, "m" * workflow.MAX_MINUTE

        done = workflow.approve(
            session=session,
            actor=cast.approver,
            version_id=version_id,
            reason=reason,
            minute=minute,
        )

        assert done.decision_reason == reason
        assert details(trail(session, version_id)[-1])["minute"] == minute

    def test_an_overlong_minute_on_a_return_is_refused(self, session: Session, cast: Cast) -> None:
        version_id = submitted(session, cast)

        with pytest.raises(ValidationFailed) as refused:
            workflow.return_version(
                session=session,
                actor=cast.approver,
                version_id=version_id,
                reason="Say what stops",
                minute="m" * (workflow.MAX_MINUTE + 1),
            )

        assert set(refused.value.errors) == {"minute"}
        assert version(session, version_id).status is VersionStatus.SUBMITTED


def test_a_policy_adding_246_hours_a_teacher_a_year_is_very_high_however_low_its_answers(
    session: Session, cast: Cast
) -> None:
    version_id = submitted_with(session, cast, teachers_work("82"))
    shown = view(session, version_id)

    reason = shown.results.rating_reason
    assert reason.score_band is not None and reason.score_band.id == "low"
    assert reason.floor is not None
    assert (reason.floor.staff_group, reason.floor.hours_per_person_per_year) == (
        "teachers",
        Decimal("246.0"),
    )
    assert reason.floor.floor_hours == Decimal("120") and reason.raised
    assert shown.results.rating is not None and shown.results.rating.id == "very-high"
    assert shown.results_after.rating is not None and shown.results_after.rating.id == "very-high"
    with pytest.raises(ValidationFailed):
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)
    done = workflow.approve(
        session=session, actor=cast.approver, version_id=version_id, reason=REASON
    )
    assert done.status is VersionStatus.APPROVED
