"""Use-cases of the trust's schools: adding them, finding them, and where a new policy may go."""

from __future__ import annotations

from sqlmodel import Session

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
    name = name.strip()
    if not 0 < len(name) <= MAX_SCHOOL_NAME:
        raise ValidationFailed(
            {"name": f"Enter the school's name, up to {MAX_SCHOOL_NAME} characters"}
        )
    name_taken = ValidationFailed({"name": f"A school called {name!r} already exists"})
    if policy_queries.school_by_name(session, trust_id, name) is not None:
        if if_missing:
            return None
        raise name_taken
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
