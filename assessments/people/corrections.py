"""Use-cases that keep a person's record right: their name and email corrected, and their
roles added or removed one at a time (a trust of thirty schools has too many places for one
form of every role at every school). Each change is audited; a change of roles signs them out
so that it applies at once."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from assessments.drafting.editing import check_revision
from assessments.kernel import audit, clock, db
from assessments.kernel.actors import Actor, Grant
from assessments.kernel.errors import ValidationFailed
from assessments.models import User
from assessments.people import account_links, queries as people_queries
from assessments.people.accounts import (
    MAX_PERSON_NAME,
    managed_user,
    normalised_email,
    set_grants,
)


def update_person(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    name: str,
    email: str,
    expected_revision: int | None,
) -> User:
    """Correct a person's name and email (the trust's admins). Records already made keep the
    name they were made under."""
    user = managed_user(session, actor, user_id)
    check_revision(user.revision, expected_revision)
    errors: dict[str, str] = {}
    try:
        email = normalised_email(email)
    except ValidationFailed as exc:
        errors |= exc.errors
    name = " ".join(name.split())
    if not 0 < len(name) <= MAX_PERSON_NAME:
        errors["name"] = f"Enter the person's name, up to {MAX_PERSON_NAME} characters"
    if errors:
        raise ValidationFailed(errors)
    taken = ValidationFailed({"email": f"{email} already has an account in this trust"})
    other = people_queries.user_by_email(session, email, trust_id=user.trust_id)
    if other is not None and other.id != user_id:
        raise taken
    diff = audit.changes({"name": user.name, "email": user.email}, {"name": name, "email": email})
    if not diff:
        return user
    user.name, user.email, user.revision = name, email, user.revision + 1
    db.insert_unique(session, user, taken)  # a concurrent change to the same email: refused
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user_id,
        action="details changed",
        details=diff,
        trust_id=user.trust_id,
    )
    if "email" in diff:  # a link sent to the old address must not open the account
        account_links.address_changed(session=session, actor=actor, user=user, now=clock.now())
    return user


def grants_of(session: Session, user_id: int) -> set[Grant]:
    return {Grant(r.role, r.school_id) for r in people_queries.grants_of_user(session, user_id)}


def add_grant(*, session: Session, actor: Actor, user_id: int, grant: Grant) -> User:
    """Give a person one more role, trust-wide or at one school."""
    managed_user(session, actor, user_id)
    grants = grants_of(session, user_id)
    if grant in grants:
        raise ValidationFailed({"role": "They already have that role there"})
    return set_grants(session=session, actor=actor, user_id=user_id, grants={*grants, grant})


def remove_grant(*, session: Session, actor: Actor, user_id: int, grant: Grant) -> User:
    """Take one role away from a person."""
    managed_user(session, actor, user_id)
    grants = grants_of(session, user_id)
    if grant not in grants:
        raise ValidationFailed({"role": "They do not have that role there"})
    return set_grants(session=session, actor=actor, user_id=user_id, grants=grants - {grant})


def role_notes(grants: Iterable[Grant], school_names: dict[int, str]) -> list[str]:
    """What an admin should know about a set of roles: none at all, or a school role that the
    same role trust-wide already covers."""
    grants = set(grants)
    if not grants:
        return ["They have no role: they can sign in but see nothing until given one."]
    return [
        f"{grant.role.value.capitalize()} at {school_names.get(grant.school_id, 'a school')} is "
        f"already covered by their trust-wide {grant.role.value} role; it can be removed."
        for grant in sorted(grants, key=lambda g: (g.role.value, g.school_id or 0))
        if grant.school_id is not None and Grant(grant.role) in grants
    ]
