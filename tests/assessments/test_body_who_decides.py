"""Who decides as a body, through the workflow's use-cases: where a policy names an approving
body, only its members decide on its assessments, and only they are asked to. Nobody who had a
part in a version decides on it or counts towards the rule; a member taken off decides no more,
and a member who has approved may still return it, or approve it once the rule is loosened."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from assessments.bodies import keeping
from assessments.drafting import version_view
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed
from assessments.models import (
    BodyKind,
    DecisionRule,
    MemberVote,
    Notification,
    NotificationKind,
    VersionStatus,
)
from assessments.workflow import transitions as workflow
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
from tests.factories.answers import FLAGGED, add
from tests.factories.audit import events_since, last_seq
from tests.factories.people import make_person
from tests.factories.trusts import AUTHOR
from tests.factories.versions import complete_draft, draft_for, submitted, version

__all__ = ["committee"]

pytestmark = pytest.mark.usefixtures("rubric_published")


def asked(session: Session, actor: Actor) -> list[Notification]:
    query = select(Notification).where(
        Notification.user_id == actor.user_id,
        Notification.kind == NotificationKind.AWAITING_DECISION,
    )
    return list(session.exec(query))


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
