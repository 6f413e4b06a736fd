"""Use-cases of the trust's schools: adding them, finding them, and where a new policy may go."""

from __future__ import annotations

from sqlmodel import Session

from assessments.drafting.editing import check_revision
from assessments.kernel import audit, db
from assessments.kernel.actors import Actor, Role, require_trust_admin, trust_of
from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.models import School
from assessments.policies import queries as policy_queries
from assessments.policies.catalogue import _require_some_author_role

MAX_SCHOOL_NAME = 200  # the column's length


def create_school(
    *, session: Session, actor: Actor, name: str, if_missing: bool = False
) -> School | None:
    """Add a school to the actor's trust (its admins only). With `if_missing`, a name already
    there is skipped (None)."""
    trust_id = require_trust_admin(actor)
    name = _checked_name(name)
    if (taken := _same_name(session, trust_id, name)) is not None:
        if if_missing:
            return None
        raise _taken(taken)
    name_taken = _taken(School(trust_id=trust_id, name=name))
    school = School(trust_id=trust_id, name=name)
    db.insert_unique(session, school, name_taken)
    audit.record(
        session,
        actor,
        entity="school",
        entity_id=school.id,
        action="created",
        details={"name": name},
        trust_id=trust_id,
    )
    return school


def school_key(name: str) -> str:
    """What two names of one school share however they were typed: North  school is North
    School."""
    return " ".join(name.split()).casefold()


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not 0 < len(name) <= MAX_SCHOOL_NAME:
        raise ValidationFailed(
            {"name": f"Enter the school's name, up to {MAX_SCHOOL_NAME} characters"}
        )
    return name


def _same_name(session: Session, trust_id: int, name: str, but: int | None = None) -> School | None:
    """Another school of the trust whose name differs from `name` only in case or spacing."""
    key = school_key(name)
    return next(
        (
            school
            for school in policy_queries.list_schools(session, trust_id)
            if school_key(school.name) == key and school.id != but
        ),
        None,
    )


def _taken(school: School) -> ValidationFailed:
    return ValidationFailed({"name": f"The trust already has a school called “{school.name}”"})


def rename_school(
    *, session: Session, actor: Actor, school_id: int, name: str, expected_revision: int | None
) -> School:
    """Correct a school's name (the trust's admins); everything shows the new name."""
    school = school_to_rename(session=session, actor=actor, school_id=school_id)
    trust_id = school.trust_id
    check_revision(school.revision, expected_revision)
    name = _checked_name(name)
    if (taken := _same_name(session, trust_id, name, but=school_id)) is not None:
        raise _taken(taken)
    if name == school.name:
        return school
    before, school.name, school.revision = school.name, name, school.revision + 1
    db.insert_unique(session, school, _taken(school))  # a concurrent rename to it: refused
    audit.record(
        session,
        actor,
        entity="school",
        entity_id=school_id,
        action="renamed",
        details={"name": [before, name]},
        trust_id=trust_id,
    )
    return school


def school_to_rename(*, session: Session, actor: Actor, school_id: int) -> School:
    """One of the trust's schools, for its admins to correct."""
    trust_id = require_trust_admin(actor)
    school = policy_queries.get_school(session, school_id)
    if school is None or school.trust_id != trust_id:
        raise NotFound(f"There is no school {school_id}")
    return school


def school_named(*, session: Session, actor: Actor, name: str) -> School:
    """The school of the actor's trust with this name."""
    school = policy_queries.school_by_name(session, trust_of(actor), name.strip())
    if school is None or not actor.sees(school.trust_id, school.id):
        raise NotFound(f"There is no school called {name.strip()!r}")
    return school


def list_schools(*, session: Session, actor: Actor) -> list[School]:
    """The schools of the actor's trust that the actor sees, by name."""
    return policy_queries.list_schools(session, trust_of(actor), only=actor.schools_seen())


def schools_for_new_policy(*, session: Session, actor: Actor) -> list[School]:
    """The schools where the actor may add a policy; refused to someone who may add none."""
    _require_some_author_role(actor)
    schools = list_schools(session=session, actor=actor)
    return [school for school in schools if actor.holds(Role.AUTHOR, school.id)]
