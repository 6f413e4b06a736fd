"""One seeded policy's history: ten versions a few months to a year apart, the latest approved
(or, for a share of policies, a newer draft, submission or returned version after it)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from bench.people import Person, owners_of
from bench.profiles import OWNERS, Profile

TITLES = (
    ("assessment-and-marking", "MK", "Marking and feedback policy"),
    ("assessment-and-marking", "AS", "Assessment and data drops policy"),
    ("assessment-and-marking", "HW", "Homework policy"),
    ("teaching-and-learning", "TL", "Teaching and learning policy"),
    ("teaching-and-learning", "CU", "Curriculum planning policy"),
    ("teaching-and-learning", "SE", "Special educational needs policy"),
    ("behaviour", "BE", "Behaviour and relationships policy"),
    ("behaviour", "AT", "Attendance policy"),
    ("people-and-hr", "FW", "Flexible working policy"),
    ("people-and-hr", "AP", "Appraisal and pay policy"),
    ("people-and-hr", "CP", "Continuing professional development policy"),
    ("people-and-hr", "WB", "Staff wellbeing policy"),
    ("safeguarding", "SG", "Safeguarding and child protection policy"),
    ("communications", "EM", "Email and communications protocol"),
    ("communications", "PC", "Parents' evenings and reports policy"),
    ("data-and-administration", "DP", "Data protection policy"),
    ("data-and-administration", "RC", "Records and data collection policy"),
    ("health-and-safety", "HS", "Health and safety policy"),
    ("health-and-safety", "TR", "Trips and visits policy"),
    ("other", "MT", "Staff meetings policy"),
)
REASONS = (
    "The offset in 'what is stopped' names no task: say which meeting goes.",
    "Add the staff survey dates to the evaluation plan before this comes back.",
)
OPEN_STATUSES = ("draft", "draft", "draft", "submitted", "returned")
REVISIONS = {"draft": 1, "submitted": 2, "returned": 3, "approved": 3, "superseded": 4}


def content_hash(version_id: int) -> str:
    return hashlib.sha256(f"bench-version-{version_id}".encode()).hexdigest()


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, min(start.day, 28))


@dataclass(frozen=True)
class VersionPlan:
    id: int
    number: int
    status: str  # where it ends up; every version is inserted as a draft
    profile: int
    rubric_version_id: int
    author: tuple[int, str]
    approver: tuple[int, str]
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    updated_at: datetime
    review_due: date | None

    def row(self, assessment_id: int, profile: Profile) -> tuple[Any, ...]:
        """The version's row in seed.VERSION_COLUMNS order (less its policy's trust and school,
        at the end), as a draft."""
        decided = self.status in ("approved", "superseded", "returned")
        return (
            self.id,
            assessment_id,
            self.number,
            self.rubric_version_id,
            "draft",
            self.author[1],
            self.author[0],
            None if self.status == "draft" else content_hash(self.id),
            REVISIONS[self.status],
            self.submitted_at,
            self.decided_at,
            self.approver[1] if decided else "",
            self.approver[0] if decided else None,
            REASONS[self.id % len(REASONS)] if self.status == "returned" else "",
            self.review_due,
            profile.overall_score,
            profile.rating,
            profile.rating_after,
            profile.rating_done,
            profile.net_hours_per_year,
            profile.open_actions,
            self.created_at,
            self.updated_at,
        )


@dataclass(frozen=True)
class PolicyPlan:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "trust_id",
        "reference",
        "title",
        "category",
        "owner",
        "owner_user_id",
        "school_id",
        "review_cycle_months",
        "next_review_date",
        "status",
        "created_at",
    )

    id: int
    policy_row: tuple[Any, ...]
    versions: tuple[VersionPlan, ...]
    owners: Mapping[str, Person]  # the owners of policies and actions at its school, by role

    @property
    def trust_and_school(self) -> tuple[int, int | None]:
        """The policy's trust and school, which each of its versions carries too."""
        return self.policy_row[1], self.policy_row[7]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60)), tzinfo=UTC)


def plan_policy(
    policy_id: int,
    count: int,
    rng: random.Random,
    *,
    today: date,
    trust_id: int,
    school_ids: Sequence[int],
    authors: Mapping[str, Sequence[tuple[int, str]]],
    owners: Mapping[str, Mapping[str, Person]],
    profiles: int,
    rubric_version_id: int,
    open_share: float,
) -> PolicyPlan:
    """A policy and its `count` versions: all approved in turn, each superseding the one before;
    with probability `open_share` the latest is still open (draft, submitted or returned)."""
    # One in ten is trust-wide; the others go to the schools in turn (225 each of 10,000).
    school_policies = policy_id - policy_id // 10 - 1
    school_id = None if policy_id % 10 == 0 else school_ids[school_policies % len(school_ids)]
    writers = authors["trust" if school_id is None else str(school_id)]
    cycle = rng.choice((12, 24, 24, 36))
    open_status = rng.choice(OPEN_STATUSES) if rng.random() < open_share else None
    approved = count - 1 if open_status else count  # how many versions were ever approved
    now = datetime.combine(today, time(9), tzinfo=UTC)
    # The latest approval: within its review cycle mostly, overdue for about one in six.
    last = today - timedelta(days=rng.uniform(0.05, 1.2) * cycle * 30.4)
    decided_days = [last]
    while len(decided_days) < approved:
        decided_days.insert(0, decided_days[0] - timedelta(days=rng.uniform(150, 420)))
    decided = [_at(day, rng) for day in decided_days]
    versions: list[VersionPlan] = []
    first_id = (policy_id - 1) * count + 1
    for n, decided_at in enumerate(decided, start=1):
        newer = decided[n] if n < len(decided) else (now - timedelta(days=30))
        status = "approved" if n == approved else "superseded"
        versions.append(
            VersionPlan(
                id=first_id + n - 1,
                number=n,
                status=status,
                profile=rng.randrange(profiles),
                rubric_version_id=rubric_version_id,
                author=rng.choice(writers),
                approver=rng.choice(authors["approvers"]),
                created_at=decided_at - timedelta(days=rng.uniform(20, 60)),
                submitted_at=decided_at - timedelta(days=rng.uniform(1, 14)),
                decided_at=decided_at,
                updated_at=newer if status == "superseded" else decided_at,
                review_due=add_months(decided_at.date(), cycle),
            )
        )
    if open_status:
        submitted = now - timedelta(days=rng.uniform(2, 9)) if open_status != "draft" else None
        decided_at = now - timedelta(days=rng.uniform(0.1, 1.5))
        versions.append(
            VersionPlan(
                id=first_id + count - 1,
                number=count,
                status=open_status,
                profile=rng.randrange(profiles),
                rubric_version_id=rubric_version_id,
                author=rng.choice(writers),
                approver=rng.choice(authors["approvers"]),
                created_at=now - timedelta(days=rng.uniform(10, 60)),
                submitted_at=submitted,
                decided_at=decided_at if open_status == "returned" else None,
                updated_at=submitted or now - timedelta(days=rng.uniform(0, 5)),
                review_due=None,
            )
        )
    category, code, title = TITLES[policy_id % len(TITLES)]
    latest_approved = versions[approved - 1]
    at_school = owners_of(owners, school_id)
    owner_id, owner = at_school[rng.choice(OWNERS)]
    policy_row = (
        policy_id,
        trust_id,
        f"{code}-{policy_id:05d}",
        title,
        category,
        owner,
        owner_id,
        school_id,
        cycle,
        latest_approved.review_due,
        "under-review" if open_status else "in-force",
        versions[0].created_at,
    )
    return PolicyPlan(policy_id, policy_row, tuple(versions), at_school)
