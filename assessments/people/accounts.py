"""Use-cases of people: trusts, users and their roles, signing in and out, API tokens.

Secrets (session cookies, API tokens) are random and stored only as SHA-256 digests. Checking
a password and throttling failed sign-ins live in `assessments.authentication`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from assessments.calendars import subscriptions
from assessments.kernel import audit, clock, db
from assessments.kernel.actors import Actor, Grant, Role, require, require_trust_admin
from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.models import RoleGrant, Trust, User
from assessments.people import account_links, authentication, queries as people_queries
from assessments.people.passwords import hash_password, password_problem
from assessments.policies import queries as policy_queries

MAX_NAME, MAX_PERSON_NAME = 200, 120  # the columns' lengths


def actor_of(session: Session, user: User) -> Actor:
    """The actor a signed-in user acts as: their trust and their roles."""
    assert user.id is not None
    grants = ((row.role, row.school_id) for row in people_queries.grants_of_user(session, user.id))
    return _actor(user, grants)


def _actor(user: User, grants: Iterable[tuple[Role, int | None]]) -> Actor:
    held = frozenset(Grant(role, school_id) for role, school_id in grants)
    return Actor(name=user.name, user_id=user.id, trust_id=user.trust_id, grants=held)


def trust_named(*, session: Session, name: str) -> Trust | None:
    """The trust with this name, if there is one (for the operator's commands)."""
    return people_queries.trust_by_name(session, name.strip())


def create_trust(*, session: Session, name: str) -> Trust:
    """Add a trust (an operator's command: there is no one to authorise yet)."""
    name = name.strip()
    if not 0 < len(name) <= MAX_NAME:
        raise ValidationFailed({"name": f"Enter the trust's name, up to {MAX_NAME} characters"})
    trust = Trust(name=name)
    db.insert_unique(
        session, trust, ValidationFailed({"name": f"A trust called {name!r} already exists"})
    )
    return trust


def operator_of_trust(*, session: Session, trust_name: str) -> Actor:
    """The command line acting as a trust's admin (the operator who set the service up)."""
    trust = people_queries.trust_by_name(session, trust_name.strip())
    if trust is None or trust.id is None:
        raise NotFound(f"There is no trust called {trust_name!r}: add it with `wia trust create`")
    return Actor(name="command line", trust_id=trust.id, grants=frozenset({Grant(Role.ADMIN)}))


def only_trust(*, session: Session) -> Trust:
    """The one trust of a single-trust installation (so its operator need not name it)."""
    trusts = people_queries.list_trusts(session)
    if len(trusts) != 1:
        found = (
            ", ".join(repr(t.name) for t in trusts) or "none yet (add it with `wia trust create`)"
        )
        raise NotFound(f"Name the trust with --trust: there are {len(trusts)} ({found})")
    return trusts[0]


def normalised_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(
            {"email": "Enter an email address in the correct format, like name@school.org.uk"}
        ) from None


def create_user(
    *,
    session: Session,
    actor: Actor,
    trust_id: int,
    email: str,
    name: str,
    password: str | None,
    grants: Iterable[Grant],
    now: datetime | None = None,
) -> User:
    """Add a person who can sign in, with their roles (trust admins only). An account is one
    person in one trust: an email may have an account in other trusts too, and nothing here
    (answer, status or time taken) depends on whether it has, so an admin learns nothing about
    other trusts' people. Within the admin's own trust an email is refused a second time."""
    require(actor, Role.ADMIN, trust_id=trust_id, school_id=None, what="trust")
    errors: dict[str, str] = {}
    try:
        email = normalised_email(email)
    except ValidationFailed as exc:
        errors |= exc.errors
    if not 0 < len(name.strip()) <= MAX_PERSON_NAME:
        errors["name"] = f"Enter the person's name, up to {MAX_PERSON_NAME} characters"
    if password is not None and (problem := password_problem(password, email=email, name=name)):
        errors["password"] = problem
    grants = set(grants)
    if problem := _grants_problem(session, trust_id, grants):
        errors["grants"] = problem
    if errors:
        raise ValidationFailed(errors)
    hashed = account_links.NO_PASSWORD if password is None else hash_password(password)
    user = User(trust_id=trust_id, email=email, name=name.strip(), password_hash=hashed)
    taken = ValidationFailed({"email": f"{email} already has an account in this trust"})
    if people_queries.user_by_email(session, email, trust_id=trust_id) is not None:
        raise taken
    db.insert_unique(session, user, taken)
    _replace_grants(session, user, grants)
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user.id,
        action="created",
        details={"email": email, "name": user.name, "grants": grant_names(grants)},
        trust_id=trust_id,
    )
    if password is None:  # they choose their own, from the invitation emailed to them
        account_links.invite(session=session, actor=actor, user=user, now=now or clock.now())
    return user


def grant_names(grants: Iterable[Grant]) -> list[str]:
    return sorted(f"{g.role.value}@{g.school_id or 'trust'}" for g in grants)


def _grants_problem(session: Session, trust_id: int, grants: set[Grant]) -> str | None:
    schools = {school.id for school in policy_queries.list_schools(session, trust_id)}
    if any(grant.school_id is not None and grant.school_id not in schools for grant in grants):
        return "Choose roles for the trust or for its own schools"
    return None


def _replace_grants(session: Session, user: User, grants: set[Grant]) -> None:
    assert user.id is not None
    if problem := _grants_problem(session, user.trust_id, grants):
        raise ValidationFailed({"grants": problem})
    for row in people_queries.grants_of_user(session, user.id):
        session.delete(row)
    session.flush()
    for grant in grants:
        session.add(RoleGrant(user_id=user.id, role=grant.role, school_id=grant.school_id))
    session.flush()


@dataclass(frozen=True)
class UserView:
    user: User
    grants: frozenset[Grant]
    failed_sign_ins: int = 0  # recent failures for their email, which make sign-ins wait

    @property
    def invited(self) -> bool:
        """Added, and emailed an invitation, but without a password of their own yet."""
        return self.user.password_hash == account_links.NO_PASSWORD


def list_users(*, session: Session, actor: Actor) -> list[UserView]:
    """The people of the admin's trust, by name, with their roles."""
    trust_id = require_trust_admin(actor)
    return [_view(session, user) for user in people_queries.users_of_trust(session, trust_id)]


def view_user(*, session: Session, actor: Actor, user_id: int, now: datetime) -> UserView:
    """One person of the admin's trust, with their roles and recent failed sign-ins."""
    view = _view(session, managed_user(session, actor, user_id))
    failures = authentication.recent_failures(session=session, email=view.user.email, now=now)
    return UserView(view.user, view.grants, failures)


def _view(session: Session, user: User) -> UserView:
    assert user.id is not None
    rows = people_queries.grants_of_user(session, user.id)
    return UserView(user, frozenset(Grant(row.role, row.school_id) for row in rows))


def managed_user(session: Session, actor: Actor, user_id: int) -> User:
    user = people_queries.get_user(session, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}")
    require(actor, Role.ADMIN, trust_id=user.trust_id, school_id=None, what=f"user {user_id}")
    return user


def set_grants(*, session: Session, actor: Actor, user_id: int, grants: Iterable[Grant]) -> User:
    """Replace a user's roles; their sessions end, so the new roles apply at once."""
    user = managed_user(session, actor, user_id)
    grants = set(grants)
    if user_id == actor.user_id and Grant(Role.ADMIN) not in grants:
        raise ValidationFailed({"grants": "You cannot remove your own trust-wide admin role"})
    before = grant_names(
        Grant(r.role, r.school_id) for r in people_queries.grants_of_user(session, user_id)
    )
    _replace_grants(session, user, grants)
    people_queries.end_web_sessions(session, user_id)
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user_id,
        action="roles changed",
        details={"grants": [before, grant_names(grants)]},
        trust_id=user.trust_id,
    )
    return user


def set_disabled(
    *, session: Session, actor: Actor, user_id: int, disabled: bool, now: datetime
) -> User:
    """Disable a user: their sessions end, and their API tokens and calendar link are revoked
    for good (enabling them again brings none back). Or let them sign in again, at once:
    their email's failed sign-ins are forgotten."""
    user = managed_user(session, actor, user_id)
    if disabled and user_id == actor.user_id:
        raise ValidationFailed({"disabled": "You cannot disable your own account"})
    user.disabled = disabled
    session.add(user)
    details: dict[str, object] = {}
    if disabled:
        people_queries.end_web_sessions(session, user_id)
        details["api_tokens_revoked"] = people_queries.revoke_api_tokens_of_user(
            session, user_id, now
        )
        details["calendar_generation"] = subscriptions.stop_link(session, user)
    else:
        authentication.forget_failures(session=session, email=user.email)
    session.flush()
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user_id,
        action="disabled" if disabled else "enabled",
        details=details,
        trust_id=user.trust_id,
    )
    return user
