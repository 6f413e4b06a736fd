"""Putting right a school's name, through the use-cases against the real database: one name per
school in a trust however it is typed (capitals and spacing aside, though another trust may have
the same), saved tidied and audited, and changed only by the trust's admins."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from assessments.kernel.actors import Grant, Role
from assessments.kernel.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from assessments.models import Trust
from assessments.policies import trust_schools
from tests.assessments.cast_and_trail import events
from tests.factories.people import make_person, operator_of
from tests.factories.trusts import AUTHOR, make_school

TAKEN = "The trust already has a school called “North School”"


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
