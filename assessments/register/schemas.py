"""The register's shapes: the filter a reader chooses, and a row as the page and the exports
hold it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from assessments.models import ActionStatus, AssessmentKind, VersionStatus


@dataclass(frozen=True)
class RegisterFilter:
    school_id: int | None = None
    status: VersionStatus | None = None
    rating: str | None = None  # a rating band's id, before mitigation
    kind: AssessmentKind | None = None  # full, or screened out
    overdue: bool = False  # approved, and its review date has passed
    decided_from: date | None = None
    decided_to: date | None = None
    text: str = ""  # in the policy's reference or title, or the author's name
    sort: str = "reference"
    descending: bool = False

    def problems(self) -> dict[str, str]:
        """What makes the filter one no version could match, by field: a reversed range says
        so rather than finding nothing."""
        if self.decided_from and self.decided_to and self.decided_from > self.decided_to:
            return {"to": "The end of the decision dates must be on or after their start"}
        return {}


class RegisterRow(NamedTuple):
    """One version in the register. The field names and order are the export's columns (a
    named tuple: an export of 100,000 rows makes 100,000 of them, and a tuple is the cheapest
    to make and to write out)."""

    version_id: int
    policy_reference: str
    policy_title: str
    school: str  # empty for a trust-wide policy
    version: int
    status: str
    rubric: str  # id@version
    overall_score: Decimal | None
    rating: str | None
    rating_after_mitigation: str | None
    net_hours_per_year: Decimal
    open_actions: int
    author: str
    approver: str
    decided_at: datetime | None
    decision_reason: str
    review_due: date | None
    overdue: bool
    prepared_by: str  # every contributor, "; " between names (added last: nothing moves)
    rating_after_actions_done: str | None  # counting the actions done so far (added last)
    assessment_kind: str  # "full" or "screened-out" (added last)
    consulted: bool  # staff consulted through the register, or formally (added last)
    responses: int  # answers from the staff consulted through the register (added last)
    response_rate: int | None  # their percentage of those asked; None: none asked (added last)


# The file's columns: the row's, with the audit chain's head where it always was, before the
# columns added since (so that no column a reader relies on moves).
_HEAD_AT = RegisterRow._fields.index("overdue") + 1


COLUMNS = (*RegisterRow._fields[:_HEAD_AT], "audit_chain_head", *RegisterRow._fields[_HEAD_AT:])


@dataclass(frozen=True)
class MyVersion:
    version_id: int
    number: int
    status: VersionStatus
    policy_reference: str
    policy_title: str
    decision_reason: str  # why an approver returned it


@dataclass(frozen=True)
class OverdueAction:
    action_id: int
    version_id: int
    policy_reference: str
    policy_title: str
    description: str
    owner: str
    due_date: date
    status: ActionStatus


@dataclass(frozen=True)
class Count:
    """One bar of a chart: what is counted, and how many (or how much)."""

    label: str
    value: Decimal
