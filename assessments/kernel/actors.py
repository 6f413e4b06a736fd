"""Who is acting, and what their roles let them see and do. Every use-case takes an actor and
checks it here, so a page, the API and an htmx fragment all get the same answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assessments.kernel.errors import NotAllowed, NotFound


class Role(StrEnum):
    AUTHOR = "author"  # drafts assessments and mitigating actions
    APPROVER = "approver"  # decides on submitted assessments (governance)
    AUDITOR = "auditor"  # reads everything in scope, changes nothing
    ADMIN = "admin"  # manages schools, users and roles


@dataclass(frozen=True)
class Grant:
    """A role held trust-wide (school_id None) or for one school."""

    role: Role
    school_id: int | None = None


@dataclass(frozen=True)
class Actor:
    name: str
    user_id: int | None = None
    trust_id: int | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)

    def holds(self, role: Role, school_id: int | None) -> bool:
        """Whether the actor has `role` for a school's records (or, with None, the trust's own
        trust-wide records, which only a trust-wide grant covers)."""
        return any(
            grant.role is role and grant.school_id in (None, school_id) for grant in self.grants
        )

    def has_role(self, role: Role) -> bool:
        """Whether the actor holds `role` anywhere: trust-wide or for some school."""
        return any(grant.role is role for grant in self.grants)

    def sees(self, trust_id: int, school_id: int | None) -> bool:
        """Records of another trust never; a school's records with any role there or trust-wide;
        trust-wide records with any role in the trust, since they apply to every school."""
        if trust_id != self.trust_id or not self.grants:
            return False
        return school_id is None or any(g.school_id in (None, school_id) for g in self.grants)

    def schools_seen(self) -> frozenset[int] | None:
        """The schools whose records the actor sees, or None for every school of the trust."""
        if any(grant.school_id is None for grant in self.grants):
            return None
        return frozenset(g.school_id for g in self.grants if g.school_id is not None)


def require_sight(actor: Actor, *, trust_id: int, school_id: int | None, what: str) -> None:
    """Refuse, as not found, a record the actor may not see."""
    if not actor.sees(trust_id, school_id):
        raise NotFound(f"There is no {what}")


def trust_of(actor: Actor) -> int:
    """The actor's trust; someone of no trust may do nothing."""
    if actor.trust_id is None:
        raise NotAllowed("Sign in to do this")
    return actor.trust_id


def require(actor: Actor, role: Role, *, trust_id: int, school_id: int | None, what: str) -> None:
    """Refuse unless the actor holds `role` for the record. A record the actor cannot even see
    is reported as not found, so guessing ids reveals nothing (no IDOR)."""
    require_sight(actor, trust_id=trust_id, school_id=school_id, what=what)
    if not actor.holds(role, school_id):
        raise NotAllowed(f"You need the {role.value} role to do this")


def require_trust_admin(actor: Actor) -> int:
    """The actor's trust, for managing it; refused to anyone but its trust-wide admins."""
    trust_id = trust_of(actor)
    require(actor, Role.ADMIN, trust_id=trust_id, school_id=None, what="trust")
    return trust_id
