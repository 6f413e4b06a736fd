"""Who is asked: the staff a consultation invites, as the author lists them (a line each:
`email, staff group[, school]`), checked against the policy's rubric and where it applies."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass

from assessments.consultations.schemas import MAX_INVITED, Invitee
from assessments.kernel.errors import ValidationFailed
from assessments.kernel.text import brief
from assessments.models import School
from assessments.people.accounts import normalised_email
from assessments.rubrics.schema import Rubric

FIELD = "invitees"
SHAPE = (
    "a line for each person: their email address, staff group and (for a trust-wide policy) school"
)


@dataclass(frozen=True)
class Scope:
    """Where a policy's staff work: its school's, or (trust-wide) any of the trust's schools,
    or the trust's central staff (no school)."""

    rubric: Rubric
    schools: Sequence[School]
    policy_school_id: int | None


def _refused(line: int, why: str) -> ValidationFailed:
    return ValidationFailed({FIELD: f"Line {line}: {why}"})


def _group(scope: Scope, line: int, typed: str) -> str:
    key = typed.strip().casefold()
    for group in scope.rubric.staff_groups:
        if key in (group.id.casefold(), group.label.casefold()):
            return group.id
    known = ", ".join(group.label for group in scope.rubric.staff_groups)
    raise _refused(line, f"{brief(typed, 60)!r} is not a staff group. Use one of: {known}")


def _school(scope: Scope, line: int, typed: str) -> int | None:
    if scope.policy_school_id is not None:  # a school's policy asks its own staff
        return scope.policy_school_id
    if not typed.strip():
        return None  # the trust's central staff
    key = " ".join(typed.split()).casefold()
    for school in scope.schools:
        if " ".join(school.name.split()).casefold() == key:
            return school.id
    raise _refused(line, f"{brief(typed, 60)!r} is not one of the trust's schools")


def read_invitees(text: str, scope: Scope) -> list[Invitee]:
    """The people listed, one line each (blank lines skipped; an address listed twice is
    asked once); refused, naming the line, where a line cannot be read."""
    rows = enumerate(csv.reader(text.splitlines()), 1)
    lines = [(number, row) for number, row in rows if any(cell.strip() for cell in row)]
    if not lines:
        raise ValidationFailed({FIELD: f"List the staff to ask: {SHAPE}"})
    if len(lines) > MAX_INVITED:
        raise ValidationFailed({FIELD: f"Ask at most {MAX_INVITED:,} people in one consultation"})
    return checked_invitees(
        [_invitee(number, row) for number, row in lines],
        scope,
    )


def _invitee(number: int, row: list[str]) -> tuple[int, str, str, str]:
    if not 2 <= len(row) <= 3:
        raise _refused(number, f"write {SHAPE}, separated by commas")
    email, group, school = (*row, "")[:3]
    return number, email, group, school


def checked_invitees(rows: Sequence[tuple[int, str, str, str]], scope: Scope) -> list[Invitee]:
    """(line, email, group, school name) checked: the invitees, each address once."""
    seen: dict[str, Invitee] = {}
    for number, email, group, school in rows:
        try:
            address = normalised_email(email)
        except ValidationFailed:
            raise _refused(number, f"{brief(email, 60)!r} is not an email address") from None
        invitee = Invitee(
            email=address,
            school_id=_school(scope, number, school),
            staff_group=_group(scope, number, group),
        )
        earlier = seen.setdefault(address, invitee)
        if earlier != invitee:  # the same person twice, as two people: which is right?
            raise _refused(number, f"{address} is listed already, with another group or school")
    return list(seen.values())
