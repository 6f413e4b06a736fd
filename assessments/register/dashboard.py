"""The home page's picture for one person: their own open work, what awaits their decision,
what is overdue, and three totals across the approved assessments they may see."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, trust_of
from assessments.models import (
    ActionStatus,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    RubricVersion,
    VersionStatus,
    WorkloadEstimate,
)
from assessments.register.listing import (
    RegisterFilter,
    RegisterRow,
    in_sight,
    rating_bands,
    register_page,
    with_policies,
)
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.scoring import round_one_place
from assessments.workflow import review

SHOWN = 10  # rows of each list; the rest are a link away


OPEN_ACTION = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


MY_OPEN = (VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.SUBMITTED)


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


@dataclass(frozen=True)
class Dashboard:
    my_versions: list[MyVersion]  # empty unless the person authors somewhere
    awaiting: list[review.Awaiting]  # empty unless the person approves somewhere
    overdue_reviews: list[RegisterRow]
    overdue_review_total: int
    overdue_actions: list[OverdueAction]
    overdue_action_total: int
    ratings: list[Count]  # approved assessments in each rating band, in the rubric's order
    hours_by_staff_group: list[Count]  # net hours a year the approved policies add (or save)
    actions_by_status: list[Count]  # the mitigating actions of the approved assessments
    authors: bool
    approves: bool


def _approved_versions(actor: Actor) -> Any:
    """The ids of the approved (in force) versions the actor may see."""
    query = sa.select(col(AssessmentVersion.id)).where(
        col(AssessmentVersion.status) == VersionStatus.APPROVED
    )
    return in_sight(query, actor)


def _my_versions(session: Session, actor: Actor) -> list[MyVersion]:
    """The actor's own drafts, returned and submitted versions, the longest untouched first."""
    if actor.user_id is None or not actor.has_role(Role.AUTHOR):
        return []
    query = (
        with_policies(
            sa.select(
                col(AssessmentVersion.id),
                col(AssessmentVersion.number),
                col(AssessmentVersion.status),
                col(Policy.reference),
                col(Policy.title),
                col(AssessmentVersion.decision_reason),
            ).select_from(AssessmentVersion)
        )
        .where(col(AssessmentVersion.author_user_id) == actor.user_id)
        .where(col(AssessmentVersion.status).in_(MY_OPEN))
        .order_by(col(AssessmentVersion.updated_at))
    )
    return [MyVersion(*row) for row in session.execute(in_sight(query, actor).limit(SHOWN))]


def _overdue_actions(
    session: Session, actor: Actor, today: date
) -> tuple[list[OverdueAction], int]:
    where = (
        col(MitigatingAction.version_id).in_(_approved_versions(actor)),
        col(MitigatingAction.status).in_(OPEN_ACTION),
        col(MitigatingAction.due_date) < today,
    )
    total = session.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
    query = with_policies(
        sa.select(
            col(MitigatingAction.version_id),
            col(Policy.reference),
            col(Policy.title),
            col(MitigatingAction.description),
            col(MitigatingAction.owner),
            col(MitigatingAction.due_date),
            col(MitigatingAction.status),
        )
        .select_from(MitigatingAction)
        .join(AssessmentVersion, col(AssessmentVersion.id) == MitigatingAction.version_id)
    )
    query = query.where(*where).order_by(col(MitigatingAction.due_date)).limit(SHOWN)
    return [OverdueAction(*row) for row in session.execute(query)], total


def _rating_counts(session: Session, actor: Actor) -> dict[str | None, int]:
    query = (
        sa.select(col(AssessmentVersion.rating), sa.func.count())
        .where(col(AssessmentVersion.id).in_(_approved_versions(actor)))
        .group_by(col(AssessmentVersion.rating))
    )
    return {rating: n for rating, n in session.execute(query)}


def _ratings(session: Session, rating_counts: dict[str | None, int]) -> list[Count]:
    """A bar for each rating band of the published rubrics, in their order."""
    counts = dict(rating_counts)
    bands = rating_bands(session)  # as the register's filter names them
    shown = [Count(label, Decimal(counts.pop(band, 0))) for band, label in bands]
    if unrated := sum(counts.values()):  # a band no published rubric has any more
        shown.append(Count("Other", Decimal(unrated)))
    return shown if any(c.value for c in shown) else []


def _hours_by_staff_group(session: Session, actor: Actor) -> list[Count]:
    """Net hours a year per staff group, each rubric's estimates counted with its own terms
    a year, in a rubric's order of staff groups and named as one of those rubrics names it."""
    query = (
        sa.select(
            col(AssessmentVersion.rubric_version_id),
            col(WorkloadEstimate.staff_group),
            sa.func.sum(col(WorkloadEstimate.hours_per_term) * col(WorkloadEstimate.staff_count)),
        )
        .join(AssessmentVersion, col(AssessmentVersion.id) == WorkloadEstimate.version_id)
        .where(col(WorkloadEstimate.version_id).in_(_approved_versions(actor)))
        .group_by(col(AssessmentVersion.rubric_version_id), col(WorkloadEstimate.staff_group))
    )
    hours: dict[str, Decimal] = {}
    labels: dict[str, tuple[int, str]] = {}  # the group's place in its rubric, and its name
    for rubric_version_id, group_id, per_term in session.execute(query):
        row = session.get(RubricVersion, rubric_version_id)
        assert row is not None  # guaranteed by the foreign key
        rubric = rubric_queries.frozen_rubric(row)
        places = [g.id for g in rubric.staff_groups]
        group = rubric.staff_group(group_id)
        place = places.index(group_id) if group else len(places)
        labels[group_id] = (place, group.label if group else group_id)
        terms = rubric.workload.terms_per_year
        hours[group_id] = hours.get(group_id, Decimal(0)) + Decimal(per_term) * terms
    in_order = sorted(hours, key=lambda g: labels[g])
    return [Count(labels[g][1], round_one_place(hours[g])) for g in in_order]


def _actions_by_status(session: Session, actor: Actor) -> list[Count]:
    query = (
        sa.select(col(MitigatingAction.status), sa.func.count())
        .where(col(MitigatingAction.version_id).in_(_approved_versions(actor)))
        .group_by(col(MitigatingAction.status))
    )
    counts = dict(session.execute(query).all())
    shown = [Count(status.label, Decimal(counts.get(status, 0))) for status in ActionStatus]
    return shown if any(c.value for c in shown) else []


@dataclass(frozen=True)
class _Totals:
    """The parts of the home page that are the same for everyone who sees the same schools."""

    overdue_reviews: list[RegisterRow]
    overdue_review_total: int
    overdue_actions: list[OverdueAction]
    overdue_action_total: int
    rating_counts: dict[str | None, int]
    hours_by_staff_group: list[Count]
    actions_by_status: list[Count]


KEPT = 128  # sets of totals kept: a scope and a state of the data each


_kept: OrderedDict[tuple[object, ...], _Totals] = OrderedDict()


_kept_lock = threading.Lock()


def _totals(session: Session, actor: Actor, today: date) -> _Totals:
    """The overdue lists and the charts' figures: aggregates over every approved version in
    sight, tens of milliseconds each at 100,000 versions (`make bench`). Every change to the
    records writes its trust's audit chain in its own transaction, so that chain's head names
    the state of the trust's data: totals are kept for a scope, a day and a state, and worked
    out afresh once anything in the trust has changed (another trust's changes do not)."""
    head = audit.head_of(session, chain=audit.chain_of(actor.trust_id))
    key = (actor.trust_id, actor.schools_seen(), today, head)
    with _kept_lock:
        if (kept := _kept.get(key)) is not None:
            _kept.move_to_end(key)
            return kept
    overdue = register_page(
        session=session,
        actor=actor,
        chosen=RegisterFilter(overdue=True, sort="review-due"),
        page=1,
        today=today,
    )
    actions, action_total = _overdue_actions(session, actor, today)
    totals = _Totals(
        overdue_reviews=overdue.rows[:SHOWN],
        overdue_review_total=overdue.total,
        overdue_actions=actions,
        overdue_action_total=action_total,
        rating_counts=_rating_counts(session, actor),
        hours_by_staff_group=_hours_by_staff_group(session, actor),
        actions_by_status=_actions_by_status(session, actor),
    )
    with _kept_lock:
        _kept[key] = totals
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return totals


def dashboard(*, session: Session, actor: Actor, today: date) -> Dashboard:
    """What the actor should look at first; everything in it is limited to what they see."""
    trust_of(actor)
    totals = _totals(session, actor, today)
    return Dashboard(
        my_versions=_my_versions(session, actor),
        awaiting=review.approval_queue(session=session, actor=actor),
        overdue_reviews=totals.overdue_reviews,
        overdue_review_total=totals.overdue_review_total,
        overdue_actions=totals.overdue_actions,
        overdue_action_total=totals.overdue_action_total,
        # Labelled here: the band names come from the published rubrics, not the trail.
        ratings=_ratings(session, totals.rating_counts),
        hours_by_staff_group=totals.hours_by_staff_group,
        actions_by_status=totals.actions_by_status,
        authors=actor.has_role(Role.AUTHOR),
        approves=actor.has_role(Role.APPROVER),
    )
