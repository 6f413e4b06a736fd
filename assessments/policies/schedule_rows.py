"""One row of an uploaded policy schedule read into a policy's details, or the problem with each
cell, by its column: pure functions of the row and of what the trust already holds (its
schools and people, looked up once for the whole file)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from assessments.models import PolicyCategory, User
from assessments.policies.schedule_files import Row
from assessments.policies.schemas import PolicyCreate

# The template's columns, in its order; the first five must be there.
COLUMNS = (
    "reference",
    "title",
    "category",
    "review_cycle_months",
    "owner",
    "school",
    "next_review_date",
    "statutory",
    "approving_body",
)
REQUIRED = COLUMNS[:5]
TEMPLATE_EXAMPLE = {
    "reference": "TL-004",
    "title": "Marking and feedback policy",
    "category": "Assessment and marking",
    "review_cycle_months": "12",
    "owner": "Deputy Headteacher",
    "school": "",
    "next_review_date": "2027-07-01",
    "statutory": "no",
    "approving_body": "",
}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
# A category by its value or its label, in any case ("Assessment and marking").
CATEGORIES = {
    **{c.value: c for c in PolicyCategory},
    **{c.label.casefold(): c for c in PolicyCategory},
}
_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # 31/07/2027, as the UK writes it


@dataclass(frozen=True)
class Trust:
    """What a row is checked against: the trust's schools, people and approving bodies, once."""

    schools: dict[str, int]  # casefolded name → id
    bodies: dict[str, tuple[int, int | None]]  # casefolded name → (id, its school or None)
    people_by_email: dict[str, User]  # casefolded email → active account
    people_by_name: dict[str, list[User]]  # casefolded name → active accounts of that name


@dataclass(frozen=True)
class ReadRow:
    line: int
    reference: str
    details: PolicyCreate | None  # None when any cell is refused
    owner_name: str  # as the policy shows it: an account's name, or the name given
    next_review_date: date | None
    statutory: bool | None  # None: not said
    approving_body_id: int | None  # None: not said
    problems: dict[str, str]  # column → what is wrong with its cell


def read_row(row: Row, trust: Trust) -> ReadRow:
    """The row's policy, or each problem with it by column."""
    cells = row.cells
    problems: dict[str, str] = {}
    category = CATEGORIES.get(cells.get("category", "").casefold())
    if category is None:
        problems["category"] = "Use one of the categories: " + ", ".join(
            c.label for c in PolicyCategory
        )
    school_id = None
    if school := cells.get("school", ""):
        school_id = trust.schools.get(school.casefold())
        if school_id is None:
            problems["school"] = f"No school of the trust is called “{school}”"
    owner_name, owner_user_id = _owner(cells.get("owner", ""), trust, problems)
    next_review = _day(cells.get("next_review_date", ""), problems)
    statutory = _yes_or_no(cells.get("statutory", ""), problems)
    body_id = _body(cells.get("approving_body", ""), school_id, trust, problems)
    details = None
    reference = cells.get("reference", "")
    fields = {
        "reference": reference,
        "title": cells.get("title", ""),
        "category": category or PolicyCategory.OTHER,
        "school_id": school_id,
        "owner": "" if owner_user_id is not None else owner_name,
        "owner_user_id": owner_user_id,
        "review_cycle_months": cells.get("review_cycle_months", ""),
    }
    try:
        details = PolicyCreate.model_validate(fields)
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else "reference"
            column = "owner" if column == "owner_user_id" else column
            problems.setdefault(column, _message(column, error["msg"]))
    return ReadRow(
        line=row.line,
        reference=reference,
        details=None if problems else details,
        owner_name=owner_name,
        next_review_date=next_review,
        statutory=statutory,
        approving_body_id=body_id,
        problems=problems,
    )


def _body(cell: str, school_id: int | None, trust: Trust, problems: dict[str, str]) -> int | None:
    """The approving body a cell names, which decides trust-wide or for the row's school."""
    if not cell:
        return None
    found = trust.bodies.get(" ".join(cell.split()).casefold())
    if found is None:
        problems["approving_body"] = f"No approving body of the trust is called “{cell}”"
        return None
    body_id, body_school = found
    if body_school is not None and body_school != school_id:
        problems["approving_body"] = f"{cell} decides for one school only, not this policy's"
        return None
    return body_id


def _owner(cell: str, trust: Trust, problems: dict[str, str]) -> tuple[str, int | None]:
    """An email names an account (which must exist); a name, the account of that name when
    exactly one person has it, or else someone without an account."""
    if "@" in cell:
        user = trust.people_by_email.get(cell.casefold())
        if user is None:
            problems["owner"] = f"Nobody in the trust has the email address {cell}"
            return "", None
        return user.name, user.id
    named = trust.people_by_name.get(cell.casefold(), [])
    if len(named) == 1:
        return named[0].name, named[0].id
    return cell, None


def _yes_or_no(cell: str, problems: dict[str, str]) -> bool | None:
    answer = cell.casefold()
    if not answer:
        return None
    if answer not in YES | NO:
        problems["statutory"] = "Say yes or no (or leave it empty)"
        return None
    return answer in YES


def _day(cell: str, problems: dict[str, str]) -> date | None:
    if not cell:
        return None
    day = None
    if match := _DAY.match(cell):
        cell = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    try:
        day = date.fromisoformat(cell) if len(cell) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems["next_review_date"] = "Enter a real date, like 2027-07-31 or 31/07/2027"
    return day


_MESSAGES = {
    "reference": "Enter a reference of 2 to 40 letters, digits and . _ / - (starting with a "
    "letter or digit), like TL-004",
    "title": "Enter a title of 3 to 200 characters",
    "review_cycle_months": "Enter the review cycle as a whole number of months from 1 to 60",
    "owner": "Name the owner (2 to 120 characters) or give their email address",
}


def _message(column: str, fallback: str) -> str:
    return _MESSAGES.get(column, fallback)
