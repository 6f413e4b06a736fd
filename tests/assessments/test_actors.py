"""What each kind of actor sees and may do: the rules every use-case checks."""

from __future__ import annotations

import pytest

from assessments.kernel.actors import Actor, Grant, Role, require
from assessments.kernel.errors import NotAllowed, NotFound

TRUST, OTHER_TRUST = 1, 2
SCHOOL, OTHER_SCHOOL = 10, 11
WIDE = None  # a trust-wide record

AUTHOR_HERE = Actor("Author", 1, TRUST, frozenset({Grant(Role.AUTHOR, SCHOOL)}))
TRUST_AUTHOR = Actor("Trust author", 2, TRUST, frozenset({Grant(Role.AUTHOR)}))
APPROVER_HERE = Actor("Approver", 3, TRUST, frozenset({Grant(Role.APPROVER, SCHOOL)}))
AUDITOR = Actor("Auditor", 4, TRUST, frozenset({Grant(Role.AUDITOR)}))
OUTSIDER = Actor("Other trust's admin", 5, OTHER_TRUST, frozenset({Grant(Role.ADMIN)}))
NOBODY = Actor("No roles", 6, TRUST)


@pytest.mark.parametrize(
    ("actor", "school", "seen"),
    [
        (AUTHOR_HERE, SCHOOL, True),
        (AUTHOR_HERE, OTHER_SCHOOL, False),
        (AUTHOR_HERE, WIDE, True),  # trust-wide policies apply to their school too
        (TRUST_AUTHOR, OTHER_SCHOOL, True),
        (AUDITOR, OTHER_SCHOOL, True),
        (OUTSIDER, SCHOOL, False),
        (OUTSIDER, WIDE, False),
        (NOBODY, WIDE, False),
    ],
)
def test_who_sees_what(actor: Actor, school: int | None, seen: bool) -> None:
    assert actor.sees(TRUST, school) is seen


@pytest.mark.parametrize(
    ("actor", "role", "school", "outcome"),
    [
        (AUTHOR_HERE, Role.AUTHOR, SCHOOL, None),
        (AUTHOR_HERE, Role.AUTHOR, WIDE, NotAllowed),  # sees it, may not edit it
        (AUTHOR_HERE, Role.AUTHOR, OTHER_SCHOOL, NotFound),  # may not even know it exists
        (AUTHOR_HERE, Role.APPROVER, SCHOOL, NotAllowed),
        (TRUST_AUTHOR, Role.AUTHOR, WIDE, None),
        (TRUST_AUTHOR, Role.AUTHOR, OTHER_SCHOOL, None),
        (APPROVER_HERE, Role.APPROVER, SCHOOL, None),
        (APPROVER_HERE, Role.AUTHOR, SCHOOL, NotAllowed),
        (AUDITOR, Role.AUTHOR, SCHOOL, NotAllowed),
        (OUTSIDER, Role.ADMIN, SCHOOL, NotFound),
    ],
)
def test_require_refuses_with_not_found_or_not_allowed(
    actor: Actor, role: Role, school: int | None, outcome: type[Exception] | None
) -> None:
    if outcome is None:
        require(actor, role, trust_id=TRUST, school_id=school, what="policy 7")
        return
    with pytest.raises(outcome) as refused:
        require(actor, role, trust_id=TRUST, school_id=school, what="policy 7")
    expected = "There is no policy 7" if outcome is NotFound else f"You need the {role} role"
    assert str(refused.value).startswith(expected)


def test_the_schools_an_actor_sees() -> None:
    assert AUTHOR_HERE.schools_seen() == frozenset({SCHOOL})
    assert TRUST_AUTHOR.schools_seen() is None
    two = Actor(
        "Two schools",
        7,
        TRUST,
        frozenset({Grant(Role.AUTHOR, SCHOOL), Grant(Role.APPROVER, OTHER_SCHOOL)}),
    )
    assert two.schools_seen() == frozenset({SCHOOL, OTHER_SCHOOL})
    assert NOBODY.schools_seen() == frozenset()
