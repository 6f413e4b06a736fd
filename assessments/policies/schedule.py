"""The trust's policy schedule: every policy with its owner, who approves it, its last decision
and when its review is due (overdue, or coming up soon), filterable, and exported as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from assessments.kernel.actors import Actor, trust_of
from assessments.kernel.errors import ValidationFailed
from assessments.models import Policy, PolicyStatus, VersionStatus
from assessments.policies import schedule_queries

COMING_UP = timedelta(days=90)  # a review due within this is "coming up"
MAX_SEARCH = 200


class Due(StrEnum):
    OVERDUE = "overdue"
    COMING_UP = "coming-up"


@dataclass(frozen=True)
class ScheduleFilter:
    school_id: int | None = None
    due: Due | None = None  # only the reviews overdue, or overdue and coming up
    text: str = ""


@dataclass(frozen=True)
class Entry:
    policy: Policy
    school: str  # empty for a trust-wide policy
    decided_at: datetime | None  # its last approval
    decided_by: str
    assessment: VersionStatus | None  # where its latest version stands (None: not started)
    due: Due | None  # its review, by today
    approving_body: str = ""  # the body that decides on it; empty for any one approver


def policy_schedule(
    *, session: Session, actor: Actor, chosen: ScheduleFilter, today: date
) -> list[Entry]:
    """The policies the actor sees, by when their review falls due (soonest first)."""
    if len(chosen.text) > MAX_SEARCH:
        raise ValidationFailed({"q": f"Search for up to {MAX_SEARCH} characters"})
    trust_id = trust_of(actor)
    if not actor.sees(trust_id, None):
        return []
    due_before = {
        Due.OVERDUE: today,
        Due.COMING_UP: today + COMING_UP,
        None: None,
    }[chosen.due]
    rows = schedule_queries.schedule_rows(
        session,
        trust_id,
        actor.schools_seen(),
        school_id=chosen.school_id,
        due_before=due_before,
        text=chosen.text.strip(),
    )
    return [
        Entry(
            policy=policy,
            school=school or "",
            decided_at=decided_at,
            decided_by=decided_by or "",
            assessment=status,
            due=_due(policy, today),
            approving_body=body or "",
        )
        for policy, school, decided_at, decided_by, status, body in rows
    ]


def _due(policy: Policy, today: date) -> Due | None:
    """A review overdue or coming up; none for a retired policy (the reminders leave it out)."""
    if policy.next_review_date is None or policy.status is PolicyStatus.RETIRED:
        return None
    if policy.next_review_date < today:
        return Due.OVERDUE
    return Due.COMING_UP if policy.next_review_date < today + COMING_UP else None


SCHEDULE_COLUMNS = (
    "reference",
    "title",
    "category",
    "school",
    "owner",
    "approving_body",
    "review_cycle_months",
    "next_review_date",
    "statutory",
    "review",
    "last_approved_at",
    "last_approved_by",
    "assessment",
)


def schedule_cells(entry: Entry) -> list[object]:
    """An entry as the export's row (SCHEDULE_COLUMNS), raw: the caller makes text safe."""
    policy = entry.policy
    return [
        policy.reference,
        policy.title,
        policy.category.value,
        entry.school,
        policy.owner,
        entry.approving_body,
        policy.review_cycle_months,
        policy.next_review_date,
        policy.statutory,
        entry.due.value if entry.due else "",
        entry.decided_at.isoformat() if entry.decided_at else "",
        entry.decided_by,
        entry.assessment.value if entry.assessment else "",
    ]
