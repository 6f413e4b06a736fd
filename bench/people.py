"""The bench trust's schools and people: the bench leader (a trust-wide author and approver),
three approvers, an auditor, two authors a school, and the owners of policies and actions
(one in each of profiles.OWNERS' four roles at each school and at the trust, authors there
too), a quarter of whom chose daily digests of their reminders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from assessments.kernel.actors import Role
from assessments.models import (
    Delivery,
    NotificationChoice,
    NotificationKind,
    RoleGrant,
    School,
    Trust,
    User,
)
from bench.profiles import OWNERS

TRUST = "Bench Learning Trust"
BENCH_USER = "Bench Leader"
PLACES = (
    "Northfield",
    "Riverside",
    "Oakwood",
    "Hillcrest",
    "Meadowbank",
    "Ashford",
    "Brookside",
    "Castlegate",
    "Elmhurst",
    "Fairview",
    "Greenacre",
    "Harbour",
    "Kingsmead",
    "Lakeside",
    "Millbrook",
    "Newlands",
    "Orchard",
    "Parkside",
    "Queensway",
    "Redhill",
)
KINDS = ("Primary School", "Academy")
DIGEST_EVERY = 4  # one owner in four hears of their reminders in a daily digest
REMINDERS = (NotificationKind.REVIEW_DUE, NotificationKind.ACTION_DUE)

Person = tuple[int, str]  # (user id, name)


@dataclass
class People:
    """Who is who: authors by school ("trust" for trust-wide, and "approvers"), and owners by
    school ("trust") and then by their role (one of profiles.OWNERS)."""

    trust_id: int = 0
    school_ids: list[int] = field(default_factory=list)
    authors: dict[str, list[Person]] = field(default_factory=dict)
    owners: dict[str, dict[str, Person]] = field(default_factory=dict)


def owners_of(
    people: Mapping[str, Mapping[str, Person]], school_id: int | None
) -> Mapping[str, Person]:
    """The owners of a policy's school by role (the trust's own for a trust-wide policy)."""
    return people["trust" if school_id is None else str(school_id)]


def make_people(conn: sa.Connection, schools: int) -> People:
    """The trust, its schools and people, and the owners' choices of digest."""
    made = People()
    trust_id = conn.execute(
        sa.insert(Trust).values(name=TRUST, created_at=datetime.now(UTC)).returning(col(Trust.id))
    ).scalar_one()
    assert trust_id is not None
    made.trust_id = trust_id
    names = [f"{place} {kind}" for kind in KINDS for place in PLACES][:schools]
    made.school_ids = list(range(1, len(names) + 1))
    conn.execute(
        sa.insert(School),
        [
            {"id": i, "trust_id": trust_id, "name": n}
            for i, n in zip(made.school_ids, names, strict=True)
        ],
    )
    users: list[dict[str, Any]] = []
    grants: list[dict[str, Any]] = []

    def person(name: str, *roles: tuple[Role, int | None]) -> int:
        user_id = len(users) + 1
        email = name.lower().replace(" ", ".").replace("'", "") + "@bench-trust.example"
        users.append(
            {
                "id": user_id,
                "trust_id": trust_id,
                "email": email,
                "name": name,
                "password_hash": "!",
                "created_at": datetime.now(UTC),
            }
        )
        grants.extend({"user_id": user_id, "role": r, "school_id": s} for r, s in roles)
        return user_id

    leader = person(BENCH_USER, (Role.AUTHOR, None), (Role.APPROVER, None))
    made.authors["trust"] = [(leader, BENCH_USER)]
    for n in range(3):
        name = f"Approver {n + 1}"
        made.authors.setdefault("approvers", []).append((person(name, (Role.APPROVER, None)), name))
    person("Trust Auditor", (Role.AUDITOR, None))
    for school_id, school in zip(made.school_ids, names, strict=True):
        for n in range(2):
            name = f"Author {n + 1} of {school}"
            made.authors.setdefault(str(school_id), []).append(
                (person(name, (Role.AUTHOR, school_id)), name)
            )
    scopes: list[tuple[str, str, int | None]] = [("trust", TRUST, None)]
    scopes += [(str(i), n, i) for i, n in zip(made.school_ids, names, strict=True)]
    for key, place, scope in scopes:
        for role in OWNERS:  # owners write their policies' assessments too
            name = f"{role} at {place}"
            made.owners.setdefault(key, {})[role] = (person(name, (Role.AUTHOR, scope)), name)
    conn.execute(sa.insert(User), users)
    conn.execute(sa.insert(RoleGrant), grants)
    digests = [
        {"user_id": user_id, "kind": kind, "delivery": Delivery.DAILY}
        for user_id in _every_nth(made.owners, DIGEST_EVERY)
        for kind in REMINDERS
    ]
    conn.execute(sa.insert(NotificationChoice), digests)
    return made


def _every_nth(owners: Mapping[str, Mapping[str, Person]], nth: int) -> Sequence[int]:
    ids = sorted(user_id for roles in owners.values() for user_id, _ in roles.values())
    return ids[::nth]
