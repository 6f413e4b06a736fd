"""The home page's picture for one person: their own open work, what awaits their decision,
what is overdue, and three totals across the approved assessments they may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor, Role, trust_of
from assessments.kernel.bounded_cache import BoundedCache
from assessments.progress import queries as progress_queries
from assessments.progress.queries import OwnedAction
from assessments.register import dashboard_queries
from assessments.register.dashboard_queries import SHOWN
from assessments.register.listing import rating_bands, register_page
from assessments.register.schemas import (
    Count,
    MyVersion,
    OverdueAction,
    RegisterFilter,
    RegisterRow,
)
from assessments.workflow import review


@dataclass(frozen=True)
class Dashboard:
    my_versions: list[MyVersion]  # empty unless the person authors somewhere
    my_actions: list[OwnedAction]  # open actions they own, of approved versions
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


def _ratings(session: Session, rating_counts: dict[str | None, int]) -> list[Count]:
    """A bar for each rating band of the published rubrics, in their order."""
    counts = dict(rating_counts)
    bands = rating_bands(session)  # as the register's filter names them
    shown = [Count(label, Decimal(counts.pop(band, 0))) for band, label in bands]
    if unrated := sum(counts.values()):  # a band no published rubric has any more
        shown.append(Count("Other", Decimal(unrated)))
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


# A scope and a state of the data each; an old state is never asked for again, so the least
# recently used goes first.
TOTALS = BoundedCache[tuple[object, ...], _Totals](
    128, "the home page's totals, by trust, schools seen, day and head of the trust's audit chain"
)


def _totals(session: Session, actor: Actor, today: date) -> _Totals:
    """The overdue lists and the charts' figures: aggregates over every approved version in
    sight, tens of milliseconds each at 100,000 versions (`make bench`). Every change to the
    records writes its trust's audit chain in its own transaction, so that chain's head names
    the state of the trust's data: totals are kept for a scope, a day and a state, and worked
    out afresh once anything in the trust has changed (another trust's changes do not)."""
    head = audit.head_of(session, chain=audit.chain_of(actor.trust_id))
    key = (actor.trust_id, actor.schools_seen(), today, head)
    if (kept := TOTALS.get(key)) is not None:
        return kept
    overdue = register_page(
        session=session,
        actor=actor,
        chosen=RegisterFilter(overdue=True, sort="review-due"),
        page=1,
        today=today,
    )
    actions, action_total = dashboard_queries.overdue_actions(session, actor, today)
    totals = _Totals(
        overdue_reviews=overdue.rows[:SHOWN],
        overdue_review_total=overdue.total,
        overdue_actions=actions,
        overdue_action_total=action_total,
        rating_counts=dashboard_queries.rating_counts(session, actor),
        hours_by_staff_group=dashboard_queries.hours_by_staff_group(session, actor),
        actions_by_status=dashboard_queries.actions_by_status(session, actor),
    )
    return TOTALS.put(key, totals)


def dashboard(*, session: Session, actor: Actor, today: date) -> Dashboard:
    """What the actor should look at first; everything in it is limited to what they see."""
    trust_of(actor)
    totals = _totals(session, actor, today)
    return Dashboard(
        my_versions=dashboard_queries.my_versions(session, actor),
        my_actions=(
            progress_queries.open_actions_owned_by(session, actor.user_id, SHOWN)
            if actor.user_id is not None
            else []
        ),
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
