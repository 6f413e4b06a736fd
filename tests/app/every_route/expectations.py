"""The expectations the authorization matrix is written in: the status each kind of person
(ROLES) should get, as the common shapes below name them, and one request per route (Call),
its URL's {placeholders} filled from the world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.app.every_route.world import ROLES, World

SIGN_IN = "sign in"
DRAFT = "/assessments/{draft}"  # the world's draft, at its north school
Expected = dict[str, int | str]


def everyone(status: int) -> Expected:
    return {role: status for role in ROLES}


def signed_in(status: int) -> Expected:
    return {**everyone(status), "anonymous": SIGN_IN}


def seen_in_scope(status: int = 200) -> Expected:
    """Reading a North record: anyone with a role at North or trust-wide."""
    return {**signed_in(status), "author at another school": 404, "another trust": 404}


def drafted_by_north_authors(status: int) -> Expected:
    """Changing a North draft: its school's authors only."""
    return {**seen_in_scope(403), "author": status}


def decided_by_approvers(status: int) -> Expected:
    """Deciding on a North version: approvers there (the state may still refuse)."""
    return {**seen_in_scope(403), "approver": status}


def progressed_by_north_authors(status: int) -> Expected:
    """Recording an approved North action's progress: its owner (none of these: a name without
    an account) and North's authors."""
    return {**seen_in_scope(403), "author": status}


def schedule_keepers(status: int, other_trust: int) -> Expected:
    """Importing the policy schedule: trust-wide authors and admins (here, the admin)."""
    return {**signed_in(403), "admin": status, "another trust": other_trust}


def admins(status: int, *, other_trusts_admin: int) -> Expected:
    return {**signed_in(403), "admin": status, "another trust": other_trusts_admin}


def new_policy(status: int) -> Expected:
    """Adding a North policy: North's authors; other authors are told to choose their own."""
    return {
        **signed_in(403),
        "author": status,
        "author at another school": 422,
        "another trust": 422,
    }


AUDIT_READERS: Expected = {**signed_in(403), "auditor": 200, "admin": 200, "another trust": 200}


@dataclass(frozen=True)
class Call:
    url: str  # with {placeholders} filled from the world
    expected: Expected
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None


def fill(text: str, world: World) -> str:
    return text.format(
        north=world.north.id,
        policy=world.policy.id,
        fresh_policy=world.fresh_policy.id,
        draft=world.draft.id,
        token=world.authors_token_id,
        author_user=world.author_user_id,
        action=world.action_id,
        approved_action=world.approved_action_id,
        upload=world.upload_id,
        approver_user=world.approver_user_id,
        body=world.body_id,
        body_version=world.body_version_id,
        other_body=world.other_body_id,
        other_body_version=world.other_body_version_id,
        consultation=world.consultation_id,
        consult_link=world.consult_link,
        theme=world.theme_id,
        formal=world.formal_id,
    )
