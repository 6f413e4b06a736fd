"""Keeping the trust's approving bodies through the use-cases: its trust-wide admins add and
correct them (a name the trust has not used, in any case or spacing; a school for a local
governing body or a headteacher, none for the board); a body moves to another school only when
its members and policies may follow; every change is audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.bodies import keeping
from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from assessments.models import BodyKind, DecisionRule, Trust
from assessments.policies import trust_schools
from tests.assessments.body_cases import (
    LGB,
    STANDARDS,
    add_body,
    add_members,
    body_trail,
    cast,
    correct_body,
    details,
    id_of,
    member_names,
    refusal,
    school_approver,
    user_of,
)
from tests.factories.people import Cast, make_approver, make_person, operator_of
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_policy, make_school

__all__ = ["cast"]  # the fixture


class TestAddingABody:
    def test_an_admin_adds_a_committee_named_tidily_and_the_addition_is_audited(
        self, session: Session
    ) -> None:
        body = add_body(session, "  Standards   committee ", quorum=3)

        assert (body.trust_id, body.name, body.kind, body.school_id) == (
            LOCAL_TRUST_ID,
            "Standards committee",
            BodyKind.COMMITTEE,
            None,
        )
        assert (body.rule, body.quorum, body.revision) == (DecisionRule.NUMBER, 3, 1)
        assert body_trail(session, body) == [
            (
                "created",
                {
                    "name": "Standards committee",
                    "kind": "committee",
                    "school_id": None,
                    "rule": "number",
                    "quorum": 3,
                },
            )
        ]
        assert audit.verify(session, chain=LOCAL_TRUST_ID).intact

    @pytest.mark.parametrize("rule", [DecisionRule.ONE, DecisionRule.ALL])
    def test_a_body_deciding_by_one_or_by_all_keeps_no_quorum_of_its_own(
        self, session: Session, rule: DecisionRule
    ) -> None:
        body = add_body(session, rule=rule, quorum=5)

        assert (body.rule, body.quorum) == (rule, 1)

    @pytest.mark.parametrize("kind", [LGB, BodyKind.HEADTEACHER, BodyKind.COMMITTEE])
    def test_a_school_has_bodies_of_its_own(
        self, session: Session, cast: Cast, kind: BodyKind
    ) -> None:
        body = add_body(session, "Oak governors", kind, school_id=cast.school.id)

        assert (body.kind, body.school_id) == (kind, cast.school.id)

    def test_a_name_the_trust_has_already_in_any_case_or_spacing_is_refused(
        self, session: Session
    ) -> None:
        add_body(session, STANDARDS)

        with pytest.raises(ValidationFailed) as refused:
            add_body(session, " standards   COMMITTEE", BodyKind.BOARD)

        assert refusal(refused) == {
            "name": "The trust already has an approving body called “standards COMMITTEE”"
        }
        bodies = keeping.list_bodies(session=session, actor=AUTHOR)
        assert [b.name for b in bodies] == [STANDARDS]

    def test_another_trust_may_use_the_same_name(
        self, session: Session, other_trust: Trust
    ) -> None:
        ours = add_body(session, STANDARDS)

        theirs = add_body(session, STANDARDS, actor=operator_of(other_trust))

        assert (theirs.trust_id, theirs.name) == (other_trust.id, STANDARDS)
        assert theirs.id != ours.id

    @pytest.mark.parametrize(
        ("kind", "at_a_school", "problem"),
        [
            (LGB, False, "Select the school whose local governing body it is"),
            (BodyKind.HEADTEACHER, False, "Select the school whose headteacher it is"),
            (BodyKind.BOARD, True, "The trust board decides trust-wide: select trust-wide"),
        ],
    )
    def test_each_kind_decides_where_it_should(
        self, session: Session, kind: BodyKind, at_a_school: bool, problem: str
    ) -> None:
        school_id = make_school(session).id if at_a_school else None

        with pytest.raises(ValidationFailed) as refused:
            add_body(session, "Governors", kind, school_id=school_id)

        assert refusal(refused) == {"school_id": problem}
        assert keeping.list_bodies(session=session, actor=AUTHOR) == []

    def test_a_school_of_another_trust_or_none_at_all_is_refused(
        self, session: Session, other_trust: Trust
    ) -> None:
        theirs = trust_schools.create_school(
            session=session, actor=operator_of(other_trust), name="Elm School"
        )
        assert theirs is not None

        for school_id in (theirs.id, 999_999):
            with pytest.raises(ValidationFailed) as refused:
                add_body(session, "Elm governors", LGB, school_id=school_id)
            assert refusal(refused) == {
                "school_id": "Select one of the trust's schools, or trust-wide"
            }

    def test_every_problem_is_named_at_once(self, session: Session) -> None:
        add_body(session, STANDARDS)

        with pytest.raises(ValidationFailed) as refused:
            add_body(session, STANDARDS, BodyKind.HEADTEACHER)

        assert set(refusal(refused)) == {"name", "school_id"}


class TestWhoKeepsThem:
    @pytest.mark.parametrize("who", ["approver", "auditor", "author", "school admin"])
    def test_only_the_trusts_trust_wide_admins_keep_its_bodies(
        self, session: Session, cast: Cast, who: str
    ) -> None:
        body = add_body(session)
        add_members(session, body, cast.approver)
        actor = (
            make_person(session, "Sid Admin", Grant(Role.ADMIN, cast.school.id))
            if who == "school admin"
            else getattr(cast, who)
        )
        body_id, user_id = id_of(body), user_of(cast.author_approver)

        with pytest.raises(NotAllowed):
            keeping.create_body(session=session, actor=actor, data=details("Finance committee"))
        with pytest.raises(NotAllowed):
            keeping.update_body(
                session=session,
                actor=actor,
                body_id=body_id,
                data=details("Renamed"),
                expected_revision=None,
            )
        with pytest.raises(NotAllowed):
            keeping.add_member(session=session, actor=actor, body_id=body_id, user_id=user_id)
        with pytest.raises(NotAllowed):
            keeping.remove_member(
                session=session, actor=actor, body_id=body_id, user_id=user_of(cast.approver)
            )
        with pytest.raises(NotAllowed):
            keeping.view_body(session=session, actor=actor, body_id=body_id)

        # Anyone in the trust sees who decides, and nothing was changed.
        assert keeping.list_bodies(session=session, actor=actor) == [body]
        assert member_names(session, body) == ["Pat Approver"]
        assert [action for action, _ in body_trail(session, body)] == ["created", "member-added"]

    def test_another_trusts_admin_finds_no_body_of_this_trust(
        self, session: Session, other_trust: Trust
    ) -> None:
        body = add_body(session)
        approver = make_approver(session)
        add_members(session, body, approver)
        theirs, body_id = operator_of(other_trust), id_of(body)

        with pytest.raises(NotFound):
            keeping.view_body(session=session, actor=theirs, body_id=body_id)
        with pytest.raises(NotFound):
            keeping.update_body(
                session=session,
                actor=theirs,
                body_id=body_id,
                data=details("Taken over"),
                expected_revision=None,
            )
        with pytest.raises(NotFound):
            keeping.add_member(
                session=session, actor=theirs, body_id=body_id, user_id=user_of(approver)
            )
        with pytest.raises(NotFound):
            keeping.remove_member(
                session=session, actor=theirs, body_id=body_id, user_id=user_of(approver)
            )
        assert keeping.list_bodies(session=session, actor=theirs) == []
        with pytest.raises(NotFound):
            keeping.view_body(session=session, actor=AUTHOR, body_id=999_999)
        assert (body.name, member_names(session, body)) == (STANDARDS, ["Ama Approver"])


class TestCorrectingABody:
    def test_a_correction_is_audited_with_what_changed(self, session: Session) -> None:
        body = add_body(session)

        corrected = correct_body(
            session, body, name="Curriculum and standards committee", rule=DecisionRule.ALL
        )

        assert (corrected.name, corrected.rule, corrected.quorum, corrected.revision) == (
            "Curriculum and standards committee",
            DecisionRule.ALL,
            1,
            2,
        )
        assert body_trail(session, body)[1:] == [
            (
                "corrected",
                {
                    "name": [STANDARDS, "Curriculum and standards committee"],
                    "quorum": [2, 1],
                    "rule": ["number", "all"],
                },
            )
        ]

    def test_a_correction_that_changes_nothing_records_nothing(self, session: Session) -> None:
        body = add_body(session)

        same = correct_body(session, body, name=f"  {STANDARDS} ")

        assert same.revision == 1
        assert [action for action, _ in body_trail(session, body)] == ["created"]

    def test_a_correction_of_a_revision_since_replaced_is_refused(self, session: Session) -> None:
        body = add_body(session)
        correct_body(session, body, quorum=3)

        with pytest.raises(StaleVersion):
            keeping.update_body(
                session=session,
                actor=AUTHOR,
                body_id=id_of(body),
                data=details(quorum=4),
                expected_revision=1,
            )
        assert body.quorum == 3

    def test_a_body_keeps_its_own_name_in_another_case_but_takes_no_other_bodys(
        self, session: Session
    ) -> None:
        standards, finance = add_body(session), add_body(session, "Finance committee")

        assert correct_body(session, standards, name="STANDARDS committee").name == (
            "STANDARDS committee"
        )
        with pytest.raises(ValidationFailed) as refused:
            correct_body(session, finance, name="standards  Committee")
        assert set(refusal(refused)) == {"name"}
        assert finance.name == "Finance committee"

    def test_a_correction_keeps_to_where_each_kind_decides(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session)

        with pytest.raises(ValidationFailed) as trust_wide_lgb:
            correct_body(session, body, kind=LGB)
        with pytest.raises(ValidationFailed) as schools_board:
            correct_body(session, body, kind=BodyKind.BOARD, school_id=cast.school.id)

        assert refusal(trust_wide_lgb) == {
            "school_id": "Select the school whose local governing body it is"
        }
        assert refusal(schools_board) == {
            "school_id": "The trust board decides trust-wide: select trust-wide"
        }
        assert (body.kind, body.school_id, body.revision) == (BodyKind.COMMITTEE, None, 1)


class TestMovingABody:
    def test_a_body_moves_to_a_school_where_its_members_are_approvers(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session, school_id=cast.school.id)
        add_members(session, body, cast.approver)  # a trust-wide approver: one everywhere
        other = make_school(session)

        moved = correct_body(session, body, school_id=other.id)

        assert moved.school_id == other.id
        assert body_trail(session, body)[-1] == (
            "corrected",
            {"school_id": [cast.school.id, other.id]},
        )

    def test_a_move_waits_until_a_member_who_is_no_approver_there_is_taken_off(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
        here = school_approver(session, cast.school.id)
        add_members(session, body, here, cast.approver)
        other = make_school(session)

        with pytest.raises(ValidationFailed) as to_another_school:
            correct_body(session, body, school_id=other.id)
        with pytest.raises(ValidationFailed) as to_trust_wide:
            correct_body(session, body, kind=BodyKind.COMMITTEE, school_id=None)

        problem = {"school_id": "Not an approver there: Hana Here. Remove them first"}
        assert refusal(to_another_school) == refusal(to_trust_wide) == problem
        assert (body.school_id, body.revision) == (cast.school.id, 1)
        keeping.remove_member(
            session=session, actor=AUTHOR, body_id=id_of(body), user_id=user_of(here)
        )
        assert correct_body(session, body, school_id=other.id).school_id == other.id

    def test_a_move_to_a_school_is_refused_while_policies_of_elsewhere_name_it(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session)
        make_policy(session, reference="TW-001", approving_body_id=body.id)  # trust-wide
        make_policy(
            session, reference="SC-001", school_id=cast.school.id, approving_body_id=body.id
        )

        with pytest.raises(ValidationFailed) as refused:
            correct_body(session, body, school_id=cast.school.id)

        assert refusal(refused) == {
            "school_id": "It decides on policies of other schools or trust-wide: TW-001"
        }
        assert body.school_id is None

    def test_a_schools_body_made_trust_wide_still_decides_its_schools_policies(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session, school_id=cast.school.id)
        add_members(session, body, cast.approver)
        make_policy(session, school_id=cast.school.id, approving_body_id=body.id)

        assert correct_body(session, body, school_id=None).school_id is None
