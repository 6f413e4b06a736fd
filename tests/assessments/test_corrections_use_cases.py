"""Putting right what was entered wrongly, through the use-cases against the real database: a
school's name (one name per school however it is typed), a person's name and email, their roles
one at a time (with what an admin should know about them), and a policy's details (its versions
following it to another school until one is approved)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, col, select

from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from assessments.models import Assessment, AssessmentVersion, Policy, Trust, User
from assessments.people import authentication, corrections as people, queries as people_queries
from assessments.policies import corrections as policies, trust_schools
from assessments.policies.schemas import PolicyUpdate
from tests.factories.people import (
    Cast,
    add_user,
    make_cast,
    make_person,
    operator_of,
    start_session,
    user_id,
)
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_policy, make_school
from tests.factories.versions import make_draft, make_version

TAKEN = "The trust already has a school called 'North School'"


def events(session: Session, entity: str, entity_id: int | None) -> list[tuple[str, Any]]:
    """(action, changes) of each audit event of a record, oldest first."""
    assert entity_id is not None
    return [(e.action, json.loads(e.changes)) for e in audit.events_of(session, entity, entity_id)]


# --- Schools ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("North School", "north school"),
        ("  north   SCHOOL ", "north school"),
        ("North\tSchool", "north school"),
        ("STRASSE Academy", "strasse academy"),
        ("Straße Academy", "strasse academy"),  # casefold, not just lower()
    ],
)
def test_a_schools_key_ignores_case_and_spacing(typed: str, key: str) -> None:
    assert trust_schools.school_key(typed) == key


def test_a_school_added_under_a_near_duplicate_name_is_refused(session: Session) -> None:
    make_school(session, "North School")

    with pytest.raises(ValidationFailed) as refused:
        trust_schools.create_school(session=session, actor=AUTHOR, name=" north  SCHOOL")
    skipped = trust_schools.create_school(
        session=session, actor=AUTHOR, name="NORTH SCHOOL", if_missing=True
    )
    spaced = make_school(session, "  South    School ")

    assert refused.value.errors == {"name": TAKEN}
    assert skipped is None
    assert spaced.name == "South School"
    names = [s.name for s in trust_schools.list_schools(session=session, actor=AUTHOR)]
    assert names == ["North School", "South School"]


def test_another_trusts_school_of_the_same_name_is_no_clash(session: Session) -> None:
    make_school(session, "North School")
    other = Trust(name="Hillside trust")
    session.add(other)
    session.flush()

    theirs = trust_schools.create_school(
        session=session, actor=operator_of(other), name="north school"
    )

    assert theirs is not None and theirs.trust_id == other.id


def test_renaming_a_school_saves_the_name_tidied_and_audits_it(session: Session) -> None:
    north = make_school(session, "North School")
    assert north.id is not None

    renamed = trust_schools.rename_school(
        session=session,
        actor=AUTHOR,
        school_id=north.id,
        name=" North   Academy",
        expected_revision=1,
    )

    assert (renamed.name, renamed.revision) == ("North Academy", 2)
    assert events(session, "school", north.id)[-1] == (
        "renamed",
        {"name": ["North School", "North Academy"]},
    )


def test_a_school_may_be_renamed_to_its_own_name_in_other_capitals_but_not_anothers(
    session: Session,
) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    assert north.id is not None and south.id is not None

    with pytest.raises(ValidationFailed) as refused:
        trust_schools.rename_school(
            session=session,
            actor=AUTHOR,
            school_id=south.id,
            name="NORTH school",
            expected_revision=1,
        )
    recased = trust_schools.rename_school(
        session=session, actor=AUTHOR, school_id=north.id, name="NORTH school", expected_revision=1
    )

    assert refused.value.errors == {"name": TAKEN}
    assert (recased.name, recased.revision) == ("NORTH school", 2)
    session.refresh(south)
    assert (south.name, south.revision) == ("South School", 1)


def test_renaming_a_school_to_the_name_it_has_changes_nothing(session: Session) -> None:
    north = make_school(session, "North School")
    assert north.id is not None
    before = len(events(session, "school", north.id))

    same = trust_schools.rename_school(
        session=session,
        actor=AUTHOR,
        school_id=north.id,
        name="North  School ",
        expected_revision=1,
    )

    assert (same.name, same.revision) == ("North School", 1)
    assert len(events(session, "school", north.id)) == before


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"expected_revision": 0}, StaleVersion),
        ({"name": "   "}, ValidationFailed),
        ({"name": "N" * 201}, ValidationFailed),
        ({"actor": "school admin"}, NotAllowed),
        ({"actor": "other trust's admin"}, NotFound),
    ],
    ids=["stale", "blank", "too long", "a school's admin", "another trust's admin"],
)
def test_a_rename_is_refused_when_stale_unnamed_or_not_the_trust_admins(
    session: Session, change: dict[str, Any], refusal: type[Exception]
) -> None:
    north = make_school(session, "North School")
    assert north.id is not None
    other = Trust(name="Hillside trust")
    session.add(other)
    session.flush()
    actors = {
        "school admin": make_person(session, "Sid Admin", Grant(Role.ADMIN, north.id)),
        "other trust's admin": operator_of(other),
    }
    arguments: dict[str, Any] = {"name": "North Academy", "expected_revision": 1, **change}
    actor = actors.get(arguments.pop("actor", ""), AUTHOR)

    with pytest.raises(refusal):
        trust_schools.rename_school(session=session, actor=actor, school_id=north.id, **arguments)

    session.refresh(north)
    assert (north.name, north.revision) == ("North School", 1)


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


# --- A policy's details -------------------------------------------------------------------


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def details(policy: Policy, **changes: Any) -> PolicyUpdate:
    """The policy's details as they are, with `changes`, at the revision it has."""
    current = policy.model_dump(include=set(policies.CORRECTED))
    if current["owner_user_id"] is not None:
        current["owner"] = ""
    return PolicyUpdate.model_validate({**current, "expected_revision": policy.revision, **changes})


def correct(session: Session, actor: Actor, policy: Policy, **changes: Any) -> Policy:
    assert policy.id is not None
    return policies.update_policy(
        session=session, actor=actor, policy_id=policy.id, data=details(policy, **changes)
    )


def policy_of(session: Session, version: AssessmentVersion) -> Policy:
    assessment = session.get(Assessment, version.assessment_id)
    assert assessment is not None
    policy = session.get(Policy, assessment.policy_id)
    assert policy is not None
    return policy


def schools_of_versions(session: Session, policy: Policy) -> list[int | None]:
    """The school each of the policy's versions carries (the register filters by it)."""
    session.expire_all()
    query = (
        select(AssessmentVersion.school_id)
        .join(Assessment, col(Assessment.id) == col(AssessmentVersion.assessment_id))
        .where(col(Assessment.policy_id) == policy.id)
        .order_by(col(AssessmentVersion.number))
    )
    return list(session.exec(query))


def test_an_author_corrects_a_policys_details_and_the_change_is_audited(
    session: Session, cast: Cast
) -> None:
    policy = make_policy(
        session, title="Homework policy", owner="Deputy Head", school_id=cast.school.id
    )
    owner = make_person(session, "Olu Owner", Grant(Role.AUTHOR, cast.school.id))

    corrected = correct(
        session,
        cast.author,
        policy,
        title="Homework and home learning policy",
        category="teaching-and-learning",
        owner="",
        owner_user_id=owner.user_id,
        review_cycle_months=24,
    )

    assert (corrected.title, corrected.category, corrected.review_cycle_months) == (
        "Homework and home learning policy",
        "teaching-and-learning",
        24,
    )
    assert (corrected.owner, corrected.owner_user_id, corrected.revision) == (
        "Olu Owner",
        owner.user_id,
        2,
    )
    assert events(session, "policy", policy.id)[-1] == (
        "corrected",
        {
            "category": ["assessment-and-marking", "teaching-and-learning"],
            "owner": ["Deputy Head", "Olu Owner"],
            "owner_user_id": [None, owner.user_id],
            "review_cycle_months": [12, 24],
            "title": ["Homework policy", "Homework and home learning policy"],
        },
    )


def test_a_policy_unchanged_keeps_its_revision_and_a_stale_correction_is_refused(
    session: Session, cast: Cast
) -> None:
    policy = make_policy(session, school_id=cast.school.id)
    before = len(events(session, "policy", policy.id))
    assert correct(session, cast.author, policy).revision == 1
    assert len(events(session, "policy", policy.id)) == before

    correct(session, cast.second_author, policy, title="Their title")
    with pytest.raises(StaleVersion):
        correct(session, cast.author, policy, title="My title", expected_revision=1)

    session.refresh(policy)
    assert (policy.title, policy.revision) == ("Their title", 2)


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "withdrawn"])
def test_a_policy_moves_school_with_its_versions_while_none_is_approved(
    session: Session, status: str
) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    policy = policy_of(session, make_version(session, status, school_id=north.id))

    moved = correct(session, AUTHOR, policy, school_id=south.id)

    assert moved.school_id == south.id
    assert schools_of_versions(session, moved) == [south.id]
    assert events(session, "policy", policy.id)[-1] == (
        "corrected",
        {"school_id": [north.id, south.id]},
    )


@pytest.mark.usefixtures("rubric_published")
@pytest.mark.parametrize("status", ["approved", "superseded"])
def test_a_policy_keeps_its_school_once_its_assessment_has_been_approved(
    session: Session, status: str
) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    policy = policy_of(session, make_version(session, status, school_id=north.id))
    versions_before = schools_of_versions(session, policy)

    with pytest.raises(ValidationFailed) as refused:
        correct(session, AUTHOR, policy, school_id=south.id, title="Moved policy")
    kept_title = correct(session, AUTHOR, policy, title="Renamed in place")  # the rest may change

    assert set(refused.value.errors) == {"school_id"}
    assert refused.value.errors["school_id"].startswith(
        "Its assessment has been approved for this school"
    )
    assert (kept_title.school_id, kept_title.title) == (north.id, "Renamed in place")
    assert (
        schools_of_versions(session, policy) == versions_before == [north.id] * len(versions_before)
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("other school", "Select one of your own schools"),
        ("trust-wide", "Only trust-wide authors can make a policy trust-wide"),
        ("another trust's school", "Select one of the trust's schools"),
    ],
)
def test_a_policy_moves_only_to_a_school_of_the_trust_where_the_author_authors(
    session: Session, cast: Cast, where: str, message: str
) -> None:
    policy = make_policy(session, school_id=cast.school.id)
    other = Trust(name="Hillside trust")
    session.add(other)
    session.flush()
    hillside = trust_schools.create_school(
        session=session, actor=operator_of(other), name="Hillside Academy"
    )
    assert hillside is not None
    [other_grant] = cast.other_author.grants  # an author at another school of the trust
    target = {
        "other school": other_grant.school_id,
        "trust-wide": None,
        "another trust's school": hillside.id,
    }[where]

    with pytest.raises(ValidationFailed) as refused:
        correct(session, cast.author, policy, school_id=target)

    assert refused.value.errors == {"school_id": message}
    session.refresh(policy)
    assert (policy.school_id, policy.revision) == (cast.school.id, 1)


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("approver", NotAllowed), ("auditor", NotAllowed), ("other_author", NotFound)],
)
def test_only_the_policys_schools_authors_may_correct_it(
    session: Session, cast: Cast, who: str, refusal: type[Exception]
) -> None:
    policy = make_policy(session, title="Homework policy", school_id=cast.school.id)

    with pytest.raises(refusal):
        correct(session, getattr(cast, who), policy, title="Not theirs")

    session.refresh(policy)
    assert (policy.title, policy.revision) == ("Homework policy", 1)


def test_a_trust_wide_policy_is_corrected_by_trust_wide_authors_only(
    session: Session, cast: Cast
) -> None:
    policy = make_policy(session, title="Attendance policy")  # trust-wide

    with pytest.raises(NotAllowed):
        correct(session, cast.author, policy, title="Not theirs")
    corrected = correct(session, AUTHOR, policy, title="Attendance and punctuality policy")

    assert (corrected.title, corrected.trust_id) == (
        "Attendance and punctuality policy",
        LOCAL_TRUST_ID,
    )


def test_an_owner_must_be_one_of_the_trusts_active_people(session: Session, cast: Cast) -> None:
    policy = make_policy(session, school_id=cast.school.id)
    elsewhere = Trust(name="Hillside trust")
    session.add(elsewhere)
    session.flush()
    assert elsewhere.id is not None
    outsider = make_person(session, "Out Sider", trust_id=elsewhere.id)

    with pytest.raises(ValidationFailed) as refused:
        correct(session, cast.author, policy, owner="", owner_user_id=outsider.user_id)

    assert refused.value.errors == {"owner": "Choose one of the trust's people"}
    session.refresh(policy)
    assert (policy.owner, policy.owner_user_id) == ("Deputy Headteacher", None)


def test_a_draft_policy_moved_by_its_author_lets_the_new_schools_authors_take_it_on(
    session: Session, rubric_published: None
) -> None:
    """Moving a policy moves who may work on it: its new school's authors, not its old's."""
    north, south = make_school(session, "North School"), make_school(session, "South School")
    both = make_person(
        session, "Bo Both", Grant(Role.AUTHOR, north.id), Grant(Role.AUTHOR, south.id)
    )
    north_only = make_person(session, "Nia North", Grant(Role.AUTHOR, north.id))
    south_only = make_person(session, "Sol South", Grant(Role.AUTHOR, south.id))
    policy = policy_of(session, make_draft(session, actor=both, school_id=north.id))

    moved = correct(session, both, policy, school_id=south.id)

    assert correct(session, south_only, moved, title="South's title").title == "South's title"
    with pytest.raises(NotFound):
        correct(session, north_only, moved, title="North's title")
