"""Decisions that say why: approving a version still rated high or very high after its planned
actions needs a reason (kept, with the meeting's minute, in the version and the trail);
withdrawing needs one; a withdrawn assessment is started again as version n+1; and a returned
version's content is kept, so its next review shows what changed since."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from assessments.drafting import queries as version_queries, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from assessments.models import AuditEvent, VersionStatus
from assessments.workflow import review, transitions as workflow
from assessments.workflow.review import Change
from tests.factories.answers import QUESTIONS, add, answer, answer_all
from tests.factories.people import Cast, make_cast
from tests.factories.versions import (
    Fill,
    complete_draft,
    draft_for,
    make_version,
    submitted,
    version,
    view,
)

pytestmark = pytest.mark.usefixtures("rubric_published")
REASON = "The governors accept the risk for one term while the cover staff are recruited."
MINUTE = "FGB 2027/14"
TEXT_QUESTION = "what-is-stopped"  # free text, weight 0: changing it changes no score


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


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


def trail(session: Session, version_id: int) -> list[AuditEvent]:
    return audit.events_of(session, "assessment_version", version_id)


def details(event: AuditEvent) -> dict[str, Any]:
    said: dict[str, Any] = json.loads(event.changes)
    return said


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


class TestWithdraw:
    @pytest.mark.parametrize("reason", ["", "   ", "x" * (workflow.MAX_REASON + 1)])
    def test_a_draft_is_not_withdrawn_without_a_reason(
        self, session: Session, cast: Cast, reason: str
    ) -> None:
        version_id = draft_for(session, cast)

        with pytest.raises(ValidationFailed) as refused:
            workflow.withdraw(
                session=session, actor=cast.author, version_id=version_id, reason=reason
            )

        assert refused.value.errors == {
            "reason": "Say why it is withdrawn, for the register "
            f"(up to {workflow.MAX_REASON} characters)"
        }
        assert version(session, version_id).status is VersionStatus.DRAFT
        assert [e.action for e in trail(session, version_id)] == ["started"]

    def test_the_reason_is_kept_in_the_version_and_the_trail(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)

        gone = workflow.withdraw(
            session=session, actor=cast.second_author, version_id=version_id, reason=f" {REASON} "
        )

        assert (gone.status, gone.decision_reason) == (VersionStatus.WITHDRAWN, REASON)
        event = trail(session, version_id)[-1]
        assert (event.action, event.actor_user_id) == ("withdrawn", cast.second_author.user_id)
        assert details(event)["reason"] == REASON


class TestRestart:
    def withdrawn(self, session: Session, cast: Cast) -> int:
        """Version 1, completed by the cast's author with an answer by the author-approver,
        then withdrawn."""
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)
        answer(session, version_id, TEXT_QUESTION, "The weekly report.", actor=cast.author_approver)
        workflow.withdraw(session=session, actor=cast.author, version_id=version_id, reason=REASON)
        return version_id

    def test_a_withdrawn_version_starts_again_as_a_copy_in_version_2(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        before = view(session, first)

        draft = workflow.restart(session=session, actor=cast.second_author, version_id=first)

        assert draft.id is not None
        assert (draft.number, draft.status, draft.author_user_id, draft.decision_reason) == (
            2,
            VersionStatus.DRAFT,
            cast.second_author.user_id,
            "",
        )
        copy = view(session, draft.id)
        assert workflow.content_hash(copy) == workflow.content_hash(before)
        assert copy.answers[TEXT_QUESTION].value == "The weekly report."
        assert [a.description for a in copy.actions] == [a.description for a in before.actions]
        assert [e.staff_count for e in copy.estimates.values()] == [12]
        assert {a.id for a in copy.answers.values()}.isdisjoint(
            a.id for a in before.answers.values()
        )
        assert [c.name for c in version_queries.contributors_of(session, draft.id)] == [
            cast.author.name,
            cast.author_approver.name,
            cast.second_author.name,
        ]
        kept = version(session, first)
        assert (kept.status, kept.decision_reason) == (VersionStatus.WITHDRAWN, REASON)
        event = trail(session, draft.id)[-1]
        assert (event.action, details(event)) == ("restarted", {"from_version": 1, "number": 2})

    def test_whoever_worked_on_the_withdrawn_version_still_may_not_approve_the_new_one(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        draft = workflow.restart(session=session, actor=cast.author, version_id=first)
        assert draft.id is not None
        workflow.submit(session=session, actor=cast.author, version_id=draft.id)

        with pytest.raises(NotAllowed):
            workflow.approve(session=session, actor=cast.author_approver, version_id=draft.id)
        assert version(session, draft.id).status is VersionStatus.SUBMITTED

    def test_editing_the_new_draft_leaves_the_withdrawn_one_as_it_was(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        content = workflow.content_hash(view(session, first))
        draft = workflow.restart(session=session, actor=cast.author, version_id=first)
        assert draft.id is not None

        answer(session, draft.id, TEXT_QUESTION, "Nothing stops.", actor=cast.author)

        assert workflow.content_hash(view(session, first)) == content
        assert view(session, first).answers[TEXT_QUESTION].value == "The weekly report."

    def test_a_restart_is_refused_while_another_version_is_open(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        workflow.restart(session=session, actor=cast.author, version_id=first)

        with pytest.raises(InvalidTransition, match="already has a version in progress"):
            workflow.restart(session=session, actor=cast.author, version_id=first)
        numbers = [v.number for v in versions_of(session, first)]
        assert numbers == [1, 2]

    def test_only_the_latest_withdrawn_version_is_restarted(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        second = workflow.restart(session=session, actor=cast.author, version_id=first)
        assert second.id is not None
        workflow.withdraw(session=session, actor=cast.author, version_id=second.id, reason=REASON)

        with pytest.raises(InvalidTransition, match="Version 1 is not the latest"):
            workflow.restart(session=session, actor=cast.author, version_id=first)
        third = workflow.restart(session=session, actor=cast.author, version_id=second.id)
        assert third.number == 3
        assert [v.status for v in versions_of(session, first)] == [
            VersionStatus.WITHDRAWN,
            VersionStatus.WITHDRAWN,
            VersionStatus.DRAFT,
        ]

    @pytest.mark.parametrize("status", ["draft", "submitted", "returned", "approved"])
    def test_only_a_withdrawn_version_is_restarted(
        self, session: Session, cast: Cast, status: str
    ) -> None:
        made = make_version(
            session, status, actor=cast.author, approver=cast.approver, school_id=cast.school.id
        )
        assert made.id is not None

        with pytest.raises(InvalidTransition):
            workflow.restart(session=session, actor=cast.author, version_id=made.id)
        assert [v.number for v in versions_of(session, made.id)] == [1]
        assert version(session, made.id).status.value == status

    @pytest.mark.parametrize(
        ("who", "error"),
        [("approver", NotAllowed), ("auditor", NotAllowed), ("other_author", NotFound)],
    )
    def test_only_the_schools_authors_restart(
        self, session: Session, cast: Cast, who: str, error: type[Exception]
    ) -> None:
        first = self.withdrawn(session, cast)

        with pytest.raises(error):
            workflow.restart(session=session, actor=getattr(cast, who), version_id=first)
        assert [v.number for v in versions_of(session, first)] == [1]


def versions_of(session: Session, version_id: int) -> list[Any]:
    return version_queries.versions_of_assessment(
        session, version(session, version_id).assessment_id
    )


class TestContentAtReturn:
    def returned(self, session: Session, cast: Cast) -> int:
        version_id = submitted(session, cast)
        workflow.return_version(
            session=session,
            actor=cast.approver,
            version_id=version_id,
            reason="Say which report stops",
            minute=MINUTE,
        )
        return version_id

    def test_the_content_as_returned_is_kept_in_the_trail_with_the_reason_and_minute(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)

        event = trail(session, version_id)[-1]
        said = details(event)
        assert event.action == "returned"
        assert (said["reason"], said["minute"]) == ("Say which report stops", MINUTE)
        assert said["content_at_return"] == review.comparable(view(session, version_id))
        assert (
            said["content_at_return"]["answers"][TEXT_QUESTION]
            == view(session, version_id).answers[TEXT_QUESTION].value
        )

    def test_after_reopening_and_resubmitting_only_the_changed_answer_is_listed(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)
        before = view(session, version_id).answers[TEXT_QUESTION].value
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        answer(session, version_id, TEXT_QUESTION, "The weekly planning return.", actor=cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None
        assert (changes.since, changes.before) == (
            f"it was returned by {cast.approver.name}",
            "When returned",
        )
        assert changes.answers == [
            Change(QUESTIONS[TEXT_QUESTION].text, before, "The weekly planning return.")
        ]
        assert (changes.results, changes.workload, changes.actions) == ([], [], [])

    def test_a_resubmission_with_nothing_changed_lists_nothing(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None and changes.none

    def test_a_second_return_is_what_the_next_review_compares_with(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        answer(session, version_id, TEXT_QUESTION, "First try.", actor=cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        workflow.return_version(
            session=session, actor=cast.author_approver, version_id=version_id, reason="Again"
        )
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        answer(session, version_id, TEXT_QUESTION, "Second try.", actor=cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None
        assert changes.since == f"it was returned by {cast.author_approver.name}"
        assert changes.answers == [
            Change(QUESTIONS[TEXT_QUESTION].text, "First try.", "Second try.")
        ]

    def test_a_version_never_returned_has_nothing_to_compare_with(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = submitted(session, cast)

        assert (
            review.changes_since_returned(session=session, view=view(session, version_id)) is None
        )
