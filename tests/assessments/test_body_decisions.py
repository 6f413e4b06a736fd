"""Deciding as a body, through the workflow's use-cases: where a policy names an approving body,
each member's approval is recorded (with their reason, minute and meeting), and the version is
approved once the body's rule is met, its record naming as many of the approving members as it
holds; one member's return sends it back at once, and a version submitted again is decided
afresh. Who decides, and who is asked to: test_body_who_decides.py."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from assessments.bodies.quorum import Standing
from assessments.kernel.errors import InvalidTransition, ValidationFailed
from assessments.models import (
    ApprovingBody,
    AuditEvent,
    DecisionRule,
    MemberDecision,
    MemberVote,
    VersionStatus,
)
from assessments.workflow import review, transitions as workflow
from tests.assessments.body_cases import STANDARDS, submitted_to
from tests.assessments.body_decision_cases import (
    Committee,
    approve,
    committee,
    decisions,
    queue_of,
    send_back,
    votes,
    where_it_stands,
)
from tests.assessments.cast_and_trail import MINUTE, REASON
from tests.factories.audit import events_since, last_seq
from tests.factories.versions import RETURN_REASON, submitted, version

__all__ = ["committee"]

pytestmark = pytest.mark.usefixtures("rubric_published")

LAST_WEEK = date.today() - timedelta(days=7)
YESTERDAY = date.today() - timedelta(days=1)
TO_COME = date.today() + timedelta(days=2)  # after today wherever the clock is
BY_BOTH = f"{STANDARDS}: Pat Approver, Gil Governor"


def approvers_so_far(session: Session, version_id: int) -> list[str]:
    return [d.name for d in where_it_stands(session, version_id).approvals]


def said_in(event: AuditEvent) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(event.changes)
    return details


class TestByAQuorumOfTwo:
    def test_one_members_approval_is_recorded_and_the_version_awaits_a_second(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        seq = last_seq(session)

        status = approve(session, committee.pat, version_id)

        assert status is VersionStatus.SUBMITTED
        kept = version(session, version_id)
        assert (kept.decided_by, kept.decided_by_user_id, kept.decided_at) == ("", None, None)
        assert kept.review_due is None
        (event,) = events_since(session, seq)
        assert (event.action, event.entity_id, said_in(event)) == (
            "member-approved",
            version_id,
            {"body": STANDARDS, "approvals": [1, 2]},
        )
        (decision,) = decisions(session, version_id)
        assert (decision.user_id, decision.name, decision.vote, decision.body_id) == (
            committee.pat.user_id,
            "Pat Approver",
            MemberVote.APPROVE,
            committee.body.id,
        )
        assert decision.submitted_at == kept.submitted_at
        stands = where_it_stands(session, version_id)
        assert (stands.needed, stands.still_needed, stands.met) == (2, 1, False)

    def test_the_second_members_approval_approves_it_naming_both(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        approve(session, committee.pat, version_id)
        seq = last_seq(session)

        status = approve(session, committee.governor, version_id)

        assert status is VersionStatus.APPROVED
        done = version(session, version_id)
        assert (done.decided_by, done.decided_by_user_id) == (BY_BOTH, committee.governor.user_id)
        assert done.review_due is not None
        (event,) = [e for e in events_since(session, seq) if e.action == "approved"]
        assert said_in(event)["body"] == STANDARDS
        assert said_in(event)["approved_by"] == ["Pat Approver", "Gil Governor"]

    def test_a_member_who_has_approved_may_not_approve_the_same_submission_again(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        approve(session, committee.pat, version_id)

        with pytest.raises(InvalidTransition) as refused:
            approve(session, committee.pat, version_id)

        assert "approved version 1 already" in refused.value.message
        assert version(session, version_id).status is VersionStatus.SUBMITTED
        assert votes(session, version_id) == [("Pat Approver", MemberVote.APPROVE)]

    def test_one_members_return_sends_it_back_at_once(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        approve(session, committee.pat, version_id)

        status = send_back(session, committee.governor, version_id)

        assert status is VersionStatus.RETURNED
        back = version(session, version_id)
        assert (back.decided_by, back.decision_reason) == ("Gil Governor", RETURN_REASON)
        assert votes(session, version_id) == [
            ("Pat Approver", MemberVote.APPROVE),
            ("Gil Governor", MemberVote.RETURN),
        ]
        assert decisions(session, version_id)[1].reason == RETURN_REASON

    def test_submitted_again_it_is_decided_afresh(
        self, session: Session, committee: Committee
    ) -> None:
        cast = committee.cast
        version_id = submitted_to(session, cast, committee.body)
        approve(session, committee.pat, version_id)
        send_back(session, committee.bea, version_id)
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert approvers_so_far(session, version_id) == []
        assert version_id in queue_of(session, committee.pat)  # to decide on again

        # Pat's approval of the first submission does not count towards the second.
        assert approve(session, committee.governor, version_id) is VersionStatus.SUBMITTED
        assert approvers_so_far(session, version_id) == ["Gil Governor"]
        assert approve(session, committee.pat, version_id) is VersionStatus.APPROVED

        assert version(session, version_id).decided_by == (
            f"{STANDARDS}: Gil Governor, Pat Approver"
        )
        assert len(decisions(session, version_id)) == 4  # the first submission's kept too

    def test_a_member_sees_in_their_queue_only_what_they_have_not_yet_approved(
        self, session: Session, committee: Committee
    ) -> None:
        cast = committee.cast
        version_id = submitted_to(session, cast, committee.body)
        anyones = submitted(session, cast)  # its policy names no body
        approve(session, committee.pat, version_id)

        assert queue_of(session, committee.pat) == [anyones]
        assert queue_of(session, committee.governor) == [version_id, anyones]
        assert queue_of(session, committee.bea) == [version_id, anyones]
        assert queue_of(session, committee.outsider) == [anyones]  # any one approver's, as ever
        awaiting = review.approval_queue(session=session, actor=committee.governor)[0]
        assert awaiting.standing is not None
        assert [d.name for d in awaiting.standing.approvals] == ["Pat Approver"]
        assert awaiting.standing.still_needed == 1
        assert review.approval_queue(session=session, actor=committee.outsider)[0].standing is None


class TestMeetings:
    @pytest.mark.parametrize("decision", ["approve", "return"])
    def test_a_meeting_still_to_come_decides_nothing(
        self, session: Session, committee: Committee, decision: str
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        seq = last_seq(session)
        decide = approve if decision == "approve" else send_back

        with pytest.raises(ValidationFailed) as refused:
            decide(session, committee.pat, version_id, meeting_date=TO_COME)

        assert set(refused.value.errors) == {"meeting_date"}
        assert version(session, version_id).status is VersionStatus.SUBMITTED
        assert decisions(session, version_id) == []
        assert events_since(session, seq) == []

    def test_each_members_meeting_minute_and_reason_are_recorded_with_their_decision(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        seq = last_seq(session)

        approve(
            session, committee.pat, version_id, reason=REASON, minute=MINUTE, meeting_date=LAST_WEEK
        )
        approve(session, committee.governor, version_id, minute="SC 2027/3", meeting_date=YESTERDAY)

        first, second = decisions(session, version_id)
        assert (first.reason, first.minute, first.meeting_date) == (REASON, MINUTE, LAST_WEEK)
        assert (second.reason, second.minute, second.meeting_date) == ("", "SC 2027/3", YESTERDAY)
        trail = {e.action: said_in(e) for e in events_since(session, seq)}
        assert trail["member-approved"] == {
            "body": STANDARDS,
            "approvals": [1, 2],
            "reason": REASON,
            "minute": MINUTE,
            "meeting_date": LAST_WEEK.isoformat(),
        }
        assert trail["approved"]["meeting_date"] == YESTERDAY.isoformat()
        assert trail["approved"]["minute"] == "SC 2027/3"
        assert version(session, version_id).decided_by == BY_BOTH

    def test_a_return_records_its_meeting(self, session: Session, committee: Committee) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        seq = last_seq(session)

        send_back(session, committee.governor, version_id, minute=MINUTE, meeting_date=LAST_WEEK)

        (decision,) = decisions(session, version_id)
        assert (decision.vote, decision.minute, decision.meeting_date) == (
            MemberVote.RETURN,
            MINUTE,
            LAST_WEEK,
        )
        (returned,) = [e for e in events_since(session, seq) if e.action == "returned"]
        assert said_in(returned)["meeting_date"] == LAST_WEEK.isoformat()


def test_the_record_names_as_many_of_the_approving_members_as_it_holds() -> None:
    """The version's decided_by holds 120 characters: the body and its members where they fit,
    the members alone where the body's name is long, else the body and how many."""
    decisions = tuple(
        MemberDecision.model_construct(name=name) for name in ("Ama Adeyemi", "Ben Brook")
    )
    board = ApprovingBody.model_construct(name="Board", rule=DecisionRule.ALL, quorum=1)
    long = ApprovingBody.model_construct(
        name="Finance, audit and risk committee " * 3, rule=DecisionRule.ALL
    )
    crowd = tuple(MemberDecision.model_construct(name=f"Governor number {n:02d}") for n in range(8))

    assert Standing(board, 2, (), decisions).approved_by() == "Board: Ama Adeyemi, Ben Brook"
    assert Standing(long, 2, (), decisions).approved_by() == "Ama Adeyemi, Ben Brook"
    assert Standing(long, 8, (), crowd).approved_by() == f"{long.name}: 8 members"
