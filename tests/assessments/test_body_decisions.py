"""Deciding as a body, through the workflow's use-cases: where a policy names an approving body,
only its members decide on its assessments, each member's approval is recorded (with their
reason, minute and meeting), and the version is approved once the body's rule is met; one
member's return sends it back at once, and a version submitted again is decided afresh. Nobody
who had a part in a version decides on it or counts towards the rule, and only the members are
asked to decide."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from assessments.bodies import keeping
from assessments.bodies.quorum import Standing, standing
from assessments.drafting import queries as version_queries, version_view
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import InvalidTransition, NotAllowed, ValidationFailed
from assessments.models import (
    ApprovingBody,
    AuditEvent,
    BodyKind,
    DecisionRule,
    MemberDecision,
    MemberVote,
    Notification,
    NotificationKind,
    VersionStatus,
)
from assessments.workflow import review, transitions as workflow
from assessments.workflow.moves import Move
from tests.assessments.body_cases import (
    STANDARDS,
    add_body,
    add_members,
    correct_body,
    id_of,
    submitted_to,
    user_of,
)
from tests.assessments.cast_and_trail import MINUTE, REASON
from tests.factories.answers import FLAGGED, add
from tests.factories.audit import events_since, last_seq
from tests.factories.people import Cast, make_approver, make_cast, make_person
from tests.factories.trusts import AUTHOR
from tests.factories.versions import (
    RETURN_REASON,
    complete_draft,
    draft_for,
    submitted,
    version,
)

pytestmark = pytest.mark.usefixtures("rubric_published")

LAST_WEEK = date.today() - timedelta(days=7)
YESTERDAY = date.today() - timedelta(days=1)
TO_COME = date.today() + timedelta(days=2)  # after today wherever the clock is
BY_BOTH = f"{STANDARDS}: Pat Approver, Gil Governor"


@dataclass(frozen=True)
class Committee:
    """The cast of a school, and the trust's standards committee, which approves by two of
    its members: Pat Approver, Gil Governor and Bea Both (an author at the school, too)."""

    cast: Cast
    body: ApprovingBody
    governor: Actor  # Gil Governor, a trust-wide approver and a member
    outsider: Actor  # Nia Nonmember, a trust-wide approver but no member

    @property
    def pat(self) -> Actor:
        return self.cast.approver

    @property
    def bea(self) -> Actor:
        return self.cast.author_approver


@pytest.fixture
def committee(session: Session) -> Committee:
    cast = make_cast(session)
    governor = make_approver(session, "Gil Governor")
    body = add_body(session, STANDARDS, rule=DecisionRule.NUMBER, quorum=2)
    add_members(session, body, cast.approver, governor, cast.author_approver)
    return Committee(cast, body, governor, make_approver(session, "Nia Nonmember"))


def approve(session: Session, actor: Actor, version_id: int, **said: Any) -> VersionStatus:
    return workflow.approve(session=session, actor=actor, version_id=version_id, **said).status


def send_back(session: Session, actor: Actor, version_id: int, **said: Any) -> VersionStatus:
    said = {"reason": RETURN_REASON, **said}
    return workflow.return_version(
        session=session, actor=actor, version_id=version_id, **said
    ).status


def where_it_stands(session: Session, version_id: int) -> Standing:
    row = version(session, version_id)
    found = standing(session, row, version_queries.policy_of_version(session, row))
    assert found is not None
    return found


def approvers_so_far(session: Session, version_id: int) -> list[str]:
    return [d.name for d in where_it_stands(session, version_id).approvals]


def decisions(session: Session, version_id: int) -> list[MemberDecision]:
    """Every member's decision on the version, on any submission, in the order made."""
    query = select(MemberDecision).where(MemberDecision.version_id == version_id)
    return list(session.exec(query.order_by(col(MemberDecision.id))))


def votes(session: Session, version_id: int) -> list[tuple[str, MemberVote]]:
    return [(d.name, d.vote) for d in decisions(session, version_id)]


def said_in(event: AuditEvent) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(event.changes)
    return details


def queue_of(session: Session, actor: Actor) -> list[int | None]:
    return [a.version.id for a in review.approval_queue(session=session, actor=actor)]


def asked(session: Session, actor: Actor) -> list[Notification]:
    query = select(Notification).where(
        Notification.user_id == actor.user_id,
        Notification.kind == NotificationKind.AWAITING_DECISION,
    )
    return list(session.exec(query))


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


class TestWhoDecides:
    def test_someone_who_is_no_member_decides_nothing(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)

        with pytest.raises(NotAllowed) as refused:
            approve(session, committee.outsider, version_id)
        with pytest.raises(NotAllowed):
            send_back(session, committee.outsider, version_id)
        with pytest.raises(NotAllowed):  # an admin and author, but no approver
            approve(session, AUTHOR, version_id)

        assert refused.value.message == (
            f"Only the members of {STANDARDS} decide on this policy's assessments"
        )
        assert version(session, version_id).status is VersionStatus.SUBMITTED
        assert decisions(session, version_id) == []

    def test_by_every_member_a_member_who_contributed_neither_decides_nor_is_waited_for(
        self, session: Session, committee: Committee
    ) -> None:
        cast = committee.cast
        board = add_body(session, "Trust board", BodyKind.BOARD, rule=DecisionRule.ALL)
        add_members(session, board, committee.pat, committee.governor, committee.bea)
        version_id = draft_for(session, cast, approving_body_id=board.id)
        untouched = submitted_to(session, cast, board)  # another, which Bea had no part in
        assert where_it_stands(session, untouched).needed == 3
        complete_draft(session, cast.author, version_id)
        add(session, committee.bea, version_id, FLAGGED[:1])  # Bea adds an action
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        stands = where_it_stands(session, version_id)
        assert (stands.needed, stands.may_decide) == (2, ("Gil Governor", "Pat Approver"))
        with pytest.raises(NotAllowed):
            approve(session, committee.bea, version_id)
        assert approve(session, committee.pat, version_id) is VersionStatus.SUBMITTED
        assert approve(session, committee.governor, version_id) is VersionStatus.APPROVED
        assert version(session, version_id).decided_by == (
            "Trust board: Pat Approver, Gil Governor"
        )

    def test_by_the_rule_of_one_the_first_members_approval_approves(
        self, session: Session, committee: Committee
    ) -> None:
        cast = committee.cast
        head = add_body(
            session, "Oak headteacher", BodyKind.HEADTEACHER, school_id=cast.school.id, rule="one"
        )
        hedda = make_person(session, "Hedda Head", Grant(Role.APPROVER, cast.school.id))
        add_members(session, head, hedda)
        version_id = submitted_to(session, cast, head)
        seq = last_seq(session)

        assert approve(session, hedda, version_id) is VersionStatus.APPROVED

        assert version(session, version_id).decided_by == "Oak headteacher: Hedda Head"
        assert "member-approved" not in [e.action for e in events_since(session, seq)]

    def test_a_member_taken_off_decides_no_more_and_their_approval_no_longer_counts(
        self, session: Session, committee: Committee
    ) -> None:
        version_id = submitted_to(session, committee.cast, committee.body)
        approve(session, committee.pat, version_id)

        keeping.remove_member(
            session=session,
            actor=AUTHOR,
            body_id=id_of(committee.body),
            user_id=user_of(committee.pat),
        )

        with pytest.raises(NotAllowed):
            send_back(session, committee.pat, version_id)
        assert approve(session, committee.governor, version_id) is VersionStatus.SUBMITTED
        assert approve(session, committee.bea, version_id) is VersionStatus.APPROVED
        assert version(session, version_id).decided_by == f"{STANDARDS}: Gil Governor, Bea Both"
        assert votes(session, version_id)[0] == ("Pat Approver", MemberVote.APPROVE)  # kept


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


def test_a_version_awaiting_a_body_asks_only_its_members_who_had_no_part_in_it(
    session: Session, committee: Committee
) -> None:
    cast = committee.cast
    here = make_person(session, "Hana Here", Grant(Role.APPROVER, cast.school.id))
    version_id = draft_for(session, cast, approving_body_id=committee.body.id)
    complete_draft(session, cast.author, version_id)
    add(session, committee.bea, version_id, FLAGGED[:1])  # a member, but she had a part in it
    workflow.submit(session=session, actor=cast.author, version_id=version_id)

    everyone = (committee.pat, committee.governor, committee.bea, committee.outsider, here)
    assert [a.name for a in everyone if asked(session, a)] == ["Pat Approver", "Gil Governor"]
    submitted(session, cast)  # a policy naming no body asks every approver in scope
    assert [a.name for a in everyone if asked(session, a)] == [
        "Pat Approver",
        "Gil Governor",
        "Bea Both",
        "Nia Nonmember",
        "Hana Here",
    ]


def test_a_member_who_has_approved_and_is_offered_the_return_may_return_it(
    session: Session, committee: Committee
) -> None:
    """Only approving again is blocked for a member who has approved, so their page still
    offers the return, on second thoughts: it sends the version back, and both their decisions
    stay recorded."""
    version_id = submitted_to(session, committee.cast, committee.body)
    approve(session, committee.pat, version_id)
    seen = version_view.view_assessment(session=session, actor=committee.pat, version_id=version_id)
    assert Move.RETURN in seen.allowed_moves and Move.APPROVE not in seen.allowed_moves

    status = send_back(session, committee.pat, version_id)

    assert status is VersionStatus.RETURNED
    assert [(d.name, d.vote) for d in decisions(session, version_id)] == [
        (committee.pat.name, MemberVote.APPROVE),
        (committee.pat.name, MemberVote.RETURN),
    ]


def test_a_rule_loosened_after_an_approval_lets_that_member_approve_it_at_once(
    session: Session, committee: Committee
) -> None:
    """Else nobody could: the one member who approved may not approve again, and the others'
    approval is no longer waited for."""
    version_id = submitted_to(session, committee.cast, committee.body)
    approve(session, committee.pat, version_id)
    correct_body(session, committee.body, rule=DecisionRule.ONE)
    seen = version_view.view_assessment(session=session, actor=committee.pat, version_id=version_id)
    assert Move.APPROVE in seen.allowed_moves

    assert approve(session, committee.pat, version_id) is VersionStatus.APPROVED

    assert version(session, version_id).decided_by == f"{STANDARDS}: Pat Approver"
    assert votes(session, version_id) == [(committee.pat.name, MemberVote.APPROVE)]


def test_by_every_member_one_taken_off_leaves_it_to_finish_by_who_approved(
    session: Session, committee: Committee
) -> None:
    """Pat's approval meets the rule once the only other members are taken off: the version
    stays in Pat's queue to approve, not lost to everyone's."""
    all_of_them = correct_body(session, committee.body, rule=DecisionRule.ALL)
    version_id = submitted_to(session, committee.cast, all_of_them)
    approve(session, committee.pat, version_id)
    assert version_id not in queue_of(session, committee.pat)

    for member in (committee.governor, committee.bea):
        keeping.remove_member(
            session=session, actor=AUTHOR, body_id=id_of(all_of_them), user_id=user_of(member)
        )

    assert version_id in queue_of(session, committee.pat)
    assert approve(session, committee.pat, version_id) is VersionStatus.APPROVED


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
