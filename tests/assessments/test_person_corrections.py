"""Putting right what was entered wrongly about a person, through the use-cases against the real
database: their name and email (tidied, audited, one account per email in a trust), and their
roles one at a time (each change signs them out), with what an admin should know about the roles
they are left with."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from assessments.models import Trust, User
from assessments.people import authentication, corrections as people, queries as people_queries
from assessments.policies import trust_schools
from tests.assessments.cast_and_trail import events
from tests.factories.people import add_user, operator_of, start_session, user_id
from tests.factories.trusts import AUTHOR, make_school

# --- A person's name and email ------------------------------------------------------------


@pytest.fixture
def trust(session: Session) -> Trust:
    trust = Trust(name="Northfield Learning Trust")
    session.add(trust)
    session.flush()
    return trust


@pytest.fixture
def admin(trust: Trust) -> Actor:
    return operator_of(trust)


@pytest.fixture
def bea(session: Session, trust: Trust) -> User:
    return add_user(session, trust, email="bea@northfield.example", name="Bea Brown")


def update(session: Session, actor: Actor, user: User, **changes: Any) -> User:
    details: dict[str, Any] = {
        "name": user.name,
        "email": user.email,
        "expected_revision": user.revision,
        **changes,
    }
    return people.update_person(session=session, actor=actor, user_id=user_id(user), **details)


def test_a_persons_name_and_email_are_corrected_tidied_and_audited(
    session: Session, admin: Actor, bea: User
) -> None:
    changed = update(
        session, admin, bea, name=" Bea   Browne ", email=" Bea.Browne@Northfield.EXAMPLE"
    )

    assert (changed.name, changed.email, changed.revision) == (
        "Bea Browne",
        "bea.browne@northfield.example",
        2,
    )
    assert events(session, "user", bea.id)[-1] == (
        "details changed",
        {
            "email": ["bea@northfield.example", "bea.browne@northfield.example"],
            "name": ["Bea Brown", "Bea Browne"],
        },
    )


def test_an_email_taken_in_the_trust_is_refused_but_not_one_taken_in_another(
    session: Session, trust: Trust, admin: Actor, bea: User
) -> None:
    add_user(session, trust, email="cal@northfield.example", name="Cal Clark")
    elsewhere = Trust(name="Riverside Schools Trust")
    session.add(elsewhere)
    session.flush()
    add_user(session, elsewhere, email="dev@northfield.example", name="Dev Dunn")

    with pytest.raises(ValidationFailed) as refused:
        update(session, admin, bea, email="CAL@northfield.example")
    moved = update(session, admin, bea, email="dev@northfield.example")

    assert refused.value.errors == {
        "email": "cal@northfield.example already has an account in this trust"
    }
    assert moved.email == "dev@northfield.example"


def test_a_bad_email_and_a_blank_name_are_both_refused_and_nothing_is_saved(
    session: Session, admin: Actor, bea: User
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        update(session, admin, bea, name="  ", email="bea at northfield")

    assert set(refused.value.errors) == {"name", "email"}
    session.refresh(bea)
    assert (bea.name, bea.email, bea.revision) == ("Bea Brown", "bea@northfield.example", 1)


def test_a_person_unchanged_keeps_their_revision_and_a_stale_change_is_refused(
    session: Session, admin: Actor, bea: User
) -> None:
    before = len(events(session, "user", bea.id))
    same = update(session, admin, bea, email="BEA@northfield.example")
    assert (same.revision, len(events(session, "user", bea.id))) == (1, before)

    with pytest.raises(StaleVersion):
        update(session, admin, bea, name="Bea Browne", expected_revision=0)
    session.refresh(bea)
    assert bea.name == "Bea Brown"


def test_only_the_persons_trust_admins_may_correct_them(
    session: Session, trust: Trust, bea: User
) -> None:
    school = trust_schools.create_school(session=session, actor=operator_of(trust), name="Oak")
    assert school is not None
    school_admin = Actor("Sid", trust_id=trust.id, grants=frozenset({Grant(Role.ADMIN, school.id)}))

    with pytest.raises(NotAllowed):
        update(session, school_admin, bea, name="Bea Browne")
    with pytest.raises(NotFound):
        update(session, AUTHOR, bea, name="Bea Browne")  # an admin of another trust


# --- A person's roles ---------------------------------------------------------------------


def grants_of(session: Session, user: User) -> set[Grant]:
    return people.grants_of(session, user_id(user))


def signed_in(session: Session, token: str) -> bool:
    return people_queries.web_session(session, authentication.digest(token)) is not None


def test_adding_a_role_keeps_the_others_signs_them_out_and_is_audited(
    session: Session, trust: Trust, admin: Actor, bea: User
) -> None:
    school = trust_schools.create_school(session=session, actor=admin, name="Oak School")
    assert school is not None
    token = start_session(session, Actor("Bea Brown", user_id=bea.id, trust_id=trust.id))

    people.add_grant(
        session=session, actor=admin, user_id=user_id(bea), grant=Grant(Role.APPROVER, school.id)
    )

    assert grants_of(session, bea) == {Grant(Role.AUTHOR), Grant(Role.APPROVER, school.id)}
    assert not signed_in(session, token)
    assert events(session, "user", bea.id)[-1] == (
        "roles changed",
        {"grants": [["author@trust"], [f"approver@{school.id}", "author@trust"]]},
    )


def test_a_role_held_there_already_is_refused_and_one_not_held_cannot_be_removed(
    session: Session, trust: Trust, admin: Actor, bea: User
) -> None:
    token = start_session(session, Actor("Bea Brown", user_id=bea.id, trust_id=trust.id))

    with pytest.raises(ValidationFailed) as twice:
        people.add_grant(
            session=session, actor=admin, user_id=user_id(bea), grant=Grant(Role.AUTHOR)
        )
    with pytest.raises(ValidationFailed) as not_held:
        people.remove_grant(
            session=session, actor=admin, user_id=user_id(bea), grant=Grant(Role.AUDITOR)
        )

    assert twice.value.errors == {"role": "They already have that role there"}
    assert not_held.value.errors == {"role": "They do not have that role there"}
    assert grants_of(session, bea) == {Grant(Role.AUTHOR)}
    assert signed_in(session, token)  # nothing changed, so they stay signed in


def test_removing_a_role_leaves_the_others_and_signs_them_out(
    session: Session, trust: Trust, admin: Actor
) -> None:
    cal = add_user(
        session,
        trust,
        email="cal@northfield.example",
        grants=[Grant(Role.AUTHOR), Grant(Role.AUDITOR)],
    )
    token = start_session(session, Actor("Cal", user_id=cal.id, trust_id=trust.id))

    people.remove_grant(
        session=session, actor=admin, user_id=user_id(cal), grant=Grant(Role.AUTHOR)
    )

    assert grants_of(session, cal) == {Grant(Role.AUDITOR)}
    assert not signed_in(session, token)


def test_an_admin_cannot_remove_their_own_trust_wide_admin_role(session: Session) -> None:
    me = AUTHOR.user_id
    assert me is not None

    with pytest.raises(ValidationFailed) as refused:
        people.remove_grant(session=session, actor=AUTHOR, user_id=me, grant=Grant(Role.ADMIN))

    assert refused.value.errors == {"grants": "You cannot remove your own trust-wide admin role"}
    assert people.grants_of(session, me) == AUTHOR.grants


def test_a_role_at_another_trusts_school_or_for_another_trusts_person_is_refused(
    session: Session, trust: Trust, admin: Actor, bea: User
) -> None:
    theirs = make_school(session, "North School")  # the local trust's

    with pytest.raises(ValidationFailed) as refused:
        people.add_grant(
            session=session, actor=admin, user_id=user_id(bea), grant=Grant(Role.AUTHOR, theirs.id)
        )
    with pytest.raises(NotFound):
        people.add_grant(
            session=session, actor=AUTHOR, user_id=user_id(bea), grant=Grant(Role.AUDITOR)
        )
    with pytest.raises(NotFound):
        people.remove_grant(
            session=session, actor=AUTHOR, user_id=user_id(bea), grant=Grant(Role.AUTHOR)
        )

    assert refused.value.errors == {"grants": "Choose roles for the trust or for its own schools"}
    assert grants_of(session, bea) == {Grant(Role.AUTHOR)}


@pytest.mark.parametrize(
    ("grants", "notes"),
    [
        (set(), ["They have no role: they can sign in but see nothing until given one."]),
        ({Grant(Role.AUTHOR, 3)}, []),
        ({Grant(Role.APPROVER), Grant(Role.AUTHOR, 3)}, []),  # another role covers nothing
        (
            {
                Grant(Role.AUTHOR),
                Grant(Role.AUTHOR, 3),
                Grant(Role.AUDITOR),
                Grant(Role.AUDITOR, 4),
            },
            [
                "Auditor at a school is already covered by their trust-wide auditor role; "
                "it can be removed.",
                "Author at North School is already covered by their trust-wide author role; "
                "it can be removed.",
            ],
        ),
    ],
    ids=["no role", "a school role", "a school role, another trust-wide", "covered twice"],
)
def test_role_notes_say_when_someone_has_no_role_or_one_their_trust_wide_role_covers(
    grants: set[Grant], notes: list[str]
) -> None:
    assert people.role_notes(grants, {3: "North School"}) == notes
