"""An approving body's members, kept by the trust's admins (approvers where the body decides),
and the policies that name a body: one of the trust's that may decide on them; a correction
that leaves the body out keeps it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.bodies import keeping
from assessments.kernel.actors import Grant, Role
from assessments.kernel.errors import ValidationFailed
from assessments.models import BodyKind, Trust
from assessments.people import accounts
from assessments.policies import corrections
from tests.assessments.body_cases import (
    GOVERNORS_ELSEWHERE,
    LGB,
    STANDARDS,
    add_body,
    add_members,
    body_trail,
    cast,
    correct_policy,
    correction,
    id_of,
    member_names,
    policies_naming,
    refusal,
    school_approver,
    user_of,
)
from tests.assessments.cast_and_trail import events
from tests.factories.people import Cast, make_approver, make_person, operator_of
from tests.factories.trusts import AUTHOR, make_policy, make_school

__all__ = ["cast"]  # the fixture


class TestMembers:
    def test_a_trust_wide_approver_joins_a_trust_wide_body_and_it_is_audited(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session)
        school_approver(session, cast.school.id)

        add_members(session, body, cast.approver)

        seen = keeping.view_body(session=session, actor=AUTHOR, body_id=id_of(body))
        assert [u.name for u in seen.members] == ["Pat Approver"]
        # Who else may join: trust-wide approvers only (not Hana, an approver at one school).
        assert [u.name for u in seen.candidates] == ["Bea Both"]
        assert body_trail(session, body)[-1] == (
            "member-added",
            {"user_id": cast.approver.user_id, "name": "Pat Approver"},
        )

    def test_a_schools_body_takes_approvers_there_or_trust_wide(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
        here = school_approver(session, cast.school.id)
        elsewhere = school_approver(session, make_school(session).id, "Eli Elsewhere")

        add_members(session, body, here, cast.approver)
        with pytest.raises(ValidationFailed) as refused:
            add_members(session, body, elsewhere)

        assert refusal(refused) == {
            "user_id": "Eli Elsewhere is not an approver for its school: give them that role first"
        }
        assert member_names(session, body) == ["Hana Here", "Pat Approver"]

    @pytest.mark.parametrize("who", ["school approver", "author", "auditor"])
    def test_someone_who_is_no_trust_wide_approver_does_not_join_a_trust_wide_body(
        self, session: Session, cast: Cast, who: str
    ) -> None:
        body = add_body(session)
        person = {
            "school approver": school_approver(session, cast.school.id),
            "author": cast.author,
            "auditor": cast.auditor,
        }[who]

        with pytest.raises(ValidationFailed) as refused:
            add_members(session, body, person)

        assert refusal(refused) == {
            "user_id": f"{person.name} is not an approver trust-wide: give them that role first"
        }
        assert member_names(session, body) == []

    def test_a_member_already_or_someone_of_another_trust_is_refused(
        self, session: Session, other_trust: Trust
    ) -> None:
        body = add_body(session)
        approver = make_approver(session)
        assert other_trust.id is not None
        outsider = make_person(session, "Otto Other", Grant(Role.APPROVER), trust_id=other_trust.id)
        add_members(session, body, approver)

        with pytest.raises(ValidationFailed) as twice:
            add_members(session, body, approver)
        assert refusal(twice) == {"user_id": "Ama Approver is a member already"}
        for user_id in (user_of(outsider), 999_999):
            with pytest.raises(ValidationFailed) as refused:
                keeping.add_member(
                    session=session, actor=AUTHOR, body_id=id_of(body), user_id=user_id
                )
            assert refusal(refused) == {"user_id": "Select one of the trust's people"}
        assert member_names(session, body) == ["Ama Approver"]

    def test_a_member_taken_off_is_audited_and_someone_not_a_member_cannot_be(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session)
        add_members(session, body, cast.approver, cast.author_approver)
        body_id = id_of(body)

        keeping.remove_member(
            session=session, actor=AUTHOR, body_id=body_id, user_id=user_of(cast.approver)
        )

        assert member_names(session, body) == ["Bea Both"]
        assert body_trail(session, body)[-1] == (
            "member-removed",
            {"user_id": cast.approver.user_id, "name": "Pat Approver"},
        )
        with pytest.raises(ValidationFailed) as refused:
            keeping.remove_member(
                session=session, actor=AUTHOR, body_id=body_id, user_id=user_of(cast.approver)
            )
        assert refusal(refused) == {"members": "They are not a member of it"}


def test_a_bodys_page_shows_its_school_members_and_the_policies_naming_it(
    session: Session, cast: Cast
) -> None:
    body = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
    add_members(session, body, cast.approver)
    for _ in range(2):
        make_policy(session, school_id=cast.school.id, approving_body_id=body.id)
    make_policy(session, school_id=cast.school.id)  # names no body

    seen = keeping.view_body(session=session, actor=AUTHOR, body_id=id_of(body))

    assert (seen.body.id, seen.school_name, seen.policies) == (body.id, cast.school.name, 2)
    assert [u.name for u in seen.members] == ["Pat Approver"]
    assert [u.name for u in seen.candidates] == ["Bea Both"]  # an approver here, not yet in


def test_the_trusts_bodies_are_listed_by_name(session: Session, other_trust: Trust) -> None:
    for name, kind in [("Trust board", BodyKind.BOARD), (STANDARDS, None), ("Finance", None)]:
        add_body(session, name, kind or BodyKind.COMMITTEE)
    add_body(session, "Riverside board", BodyKind.BOARD, actor=operator_of(other_trust))

    listed = keeping.list_bodies(session=session, actor=AUTHOR)

    assert [b.name for b in listed] == ["Finance", STANDARDS, "Trust board"]


class TestPoliciesNamingABody:
    def test_a_policy_names_a_trust_wide_body_or_one_of_its_own_schools(
        self, session: Session, cast: Cast
    ) -> None:
        board = add_body(session, "Trust board", BodyKind.BOARD)
        governors = add_body(session, "Oak governors", LGB, school_id=cast.school.id)

        trust_wide = make_policy(session, approving_body_id=board.id)
        schools = make_policy(session, school_id=cast.school.id, approving_body_id=governors.id)
        also = make_policy(session, school_id=cast.school.id, approving_body_id=board.id)

        assert (trust_wide.approving_body_id, schools.approving_body_id) == (board.id, governors.id)
        assert also.approving_body_id == board.id

    @pytest.mark.parametrize(
        ("whose", "problem"),
        [
            ("another trust's", "Select one of the trust's approving bodies"),
            ("no one's", "Select one of the trust's approving bodies"),
            ("a school's, for a trust-wide policy", GOVERNORS_ELSEWHERE),
            ("a school's, for another school's", GOVERNORS_ELSEWHERE),
        ],
    )
    def test_a_new_policy_names_no_body_that_may_not_decide_on_it(
        self, session: Session, cast: Cast, whose: str, problem: str
    ) -> None:
        governors = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
        school_id: int | None = None
        if whose == "another trust's":
            theirs = accounts.create_trust(session=session, name="Riverside Schools Trust")
            body_id = id_of(add_body(session, "Their board", "board", actor=operator_of(theirs)))
        elif whose == "no one's":
            body_id = 999_999
        else:
            body_id = id_of(governors)
            if whose.endswith("another school's"):
                school_id = make_school(session).id

        with pytest.raises(ValidationFailed) as refused:
            make_policy(session, school_id=school_id, approving_body_id=body_id)

        assert refusal(refused) == {"approving_body_id": problem}
        assert policies_naming(session, governors) == 0

    def test_a_correction_names_another_body_or_none_and_is_audited(
        self, session: Session, cast: Cast
    ) -> None:
        board = add_body(session, "Trust board", BodyKind.BOARD)
        governors = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
        policy = make_policy(session, school_id=cast.school.id, approving_body_id=board.id)
        assert policy.id is not None

        correct_policy(session, policy, approving_body_id=governors.id)
        assert policy.approving_body_id == governors.id
        correct_policy(session, policy, approving_body_id=None)  # any one approver, again

        assert policy.approving_body_id is None
        changes = [c for a, c in events(session, "policy", policy.id) if a == "corrected"]
        assert changes == [
            {"approving_body_id": [board.id, governors.id]},
            {"approving_body_id": [governors.id, None]},
        ]

    def test_a_correction_that_leaves_the_body_out_keeps_it(
        self, session: Session, cast: Cast
    ) -> None:
        body = add_body(session)
        policy = make_policy(session, school_id=cast.school.id, approving_body_id=body.id)
        unaware = correction(policy, title="Marking, feedback and homework policy")
        assert "approving_body_id" not in unaware.model_fields_set
        assert policy.id is not None

        corrections.update_policy(session=session, actor=AUTHOR, policy_id=policy.id, data=unaware)

        assert (policy.title, policy.approving_body_id) == (
            "Marking, feedback and homework policy",
            body.id,
        )
        _, (_, corrected) = events(session, "policy", policy.id)
        assert "approving_body_id" not in corrected

    def test_a_correction_names_no_other_schools_body(self, session: Session, cast: Cast) -> None:
        governors = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
        policy = make_policy(session, school_id=make_school(session).id)

        with pytest.raises(ValidationFailed) as refused:
            correct_policy(session, policy, approving_body_id=governors.id)

        assert refusal(refused) == {"approving_body_id": GOVERNORS_ELSEWHERE}
        assert (policy.approving_body_id, policy.revision) == (None, 1)

    def test_a_policy_moved_to_another_school_takes_no_body_of_its_old_school_along(
        self, session: Session, cast: Cast
    ) -> None:
        governors = add_body(session, "Oak governors", LGB, school_id=cast.school.id)
        policy = make_policy(session, school_id=cast.school.id, approving_body_id=governors.id)
        elsewhere = make_school(session)

        with pytest.raises(ValidationFailed) as refused:  # the body left out: it would stay
            correct_policy(session, policy, school_id=elsewhere.id)

        assert refusal(refused) == {"approving_body_id": GOVERNORS_ELSEWHERE}
        assert (policy.school_id, policy.approving_body_id) == (cast.school.id, governors.id)
        moved = correct_policy(session, policy, school_id=elsewhere.id, approving_body_id=None)
        assert (moved.school_id, moved.approving_body_id) == (elsewhere.id, None)
