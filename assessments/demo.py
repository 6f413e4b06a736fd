"""A demo trust to try the service with: two schools and one person per role.

For development only (the command line refuses elsewhere): everyone shares one published
password, so that `make run` can print how to sign in every time it starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments import people, policies, repository
from assessments.actors import Grant, Role

TRUST = "Demo Learning Trust"
SCHOOLS = ("Northfield Primary School", "Riverside Academy")
PASSWORD = "demo-wellbeing-charter-2026"  # noqa: S105 - the demo's published password


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    school: str | None  # None: trust-wide


PEOPLE = (
    DemoPerson("admin@demo-trust.example", "Ada Admin", Role.ADMIN, None),
    DemoPerson("author@demo-trust.example", "Alex Author", Role.AUTHOR, SCHOOLS[0]),
    DemoPerson("author.riverside@demo-trust.example", "Rita Rivers", Role.AUTHOR, SCHOOLS[1]),
    DemoPerson("approver@demo-trust.example", "Priya Approver", Role.APPROVER, None),
    DemoPerson("auditor@demo-trust.example", "Omar Auditor", Role.AUDITOR, None),
)


def seed_demo(*, session: Session) -> tuple[DemoPerson, ...]:
    """Make whatever part of the demo trust is missing; returns the people who can sign in."""
    if people.trust_named(session=session, name=TRUST) is None:
        people.create_trust(session=session, name=TRUST)
    operator = people.operator_of_trust(session=session, trust_name=TRUST)
    assert operator.trust_id is not None
    for name in SCHOOLS:
        policies.create_school(session=session, actor=operator, name=name, if_missing=True)
    for person in PEOPLE:
        if repository.user_by_email(session, person.email) is not None:
            continue
        school_id = None
        if person.school is not None:
            school_id = policies.school_named(
                session=session, actor=operator, name=person.school
            ).id
        people.create_user(
            session=session,
            actor=operator,
            trust_id=operator.trust_id,
            email=person.email,
            name=person.name,
            password=PASSWORD,
            grants=[Grant(person.role, school_id)],
        )
    return PEOPLE
