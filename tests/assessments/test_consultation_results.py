"""What a staff consultation's answers add up to (issue 18): the results count who was asked
and answered, average what they said once it has closed, and break it down by school and staff
group only where enough answered that nobody can be told apart, for anyone who may see the
policy and nobody else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session

from assessments.consultations.results import Share, hidden_shares
from assessments.consultations.schemas import AGREEMENT
from assessments.kernel.actors import Grant, Role
from assessments.kernel.errors import NotFound
from assessments.models import Consultation
from assessments.people import accounts
from tests.assessments.consultation_answers import (
    SAID,
    closed_results,
    consultation,
    five_answer,
    results,
)
from tests.assessments.consultation_cases import (
    cast,
    least_group,
)
from tests.factories.people import Cast, make_person

__all__ = ["cast", "consultation"]  # the fixtures

pytestmark = pytest.mark.usefixtures("rubric_published")

# --- results


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 6, "b": 4}, {"a", "b"}),  # the 4 could be worked out from the total
        ({"a": 6, "b": 1}, {"a", "b"}),
        ({"a": 6, "b": 7, "c": 1}, {"a", "c"}),  # the next smallest hides the 1 enough
        ({"a": 5, "b": 5}, set()),
        ({"a": 9}, set()),
        ({}, set()),
    ],
)
def test_a_share_too_small_is_hidden_with_enough_beside_it(
    counts: dict[str, int], hidden: set[str]
) -> None:
    assert hidden_shares(counts, 5) == hidden


def test_the_results_count_and_average_what_staff_said(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    five_answer(session, consultation)
    seen = closed_results(session, cast, consultation)

    assert (seen.invited, seen.answered, seen.rate, seen.min_group) == (6, 5, 83, 5)
    assert (seen.hours_per_week, seen.agreement) == (Decimal("1.1"), Decimal("3.4"))
    assert seen.agreement_counts == list(zip(AGREEMENT.values(), [2, 1, 0, 1, 1], strict=True))
    assert sorted(seen.comments) == sorted((c, h) for _, _, c, h in SAID if c or h)


def test_what_staff_said_waits_for_the_close_and_for_enough_answers(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    five_answer(session, consultation)
    while_open = results(session, cast.author, consultation)
    assert (while_open.shown, while_open.answered) == (False, 5)  # the count, and nothing else
    assert (while_open.hours_per_week, while_open.agreement_counts, while_open.comments) == (
        None,
        [],
        [],
    )
    assert all(share.answered is None for share in while_open.by_group + while_open.by_school)

    least_group(session, 6)
    too_few = closed_results(session, cast, consultation)
    assert (too_few.shown, too_few.hours_per_week, too_few.comments) == (False, None, [])


@pytest.mark.parametrize(
    ("least", "by_group"),
    [
        (5, [None, None, 0]),  # 3 teachers and 2 TAs answered: both too few
        (3, [None, None, 0]),  # the 2 TAs, and so the teachers (the total less them)
        (2, [3, 2, 0]),
    ],
)
def test_a_breakdown_is_shown_only_for_groups_big_enough(
    session: Session, cast: Cast, consultation: Consultation, least: int, by_group: list[int]
) -> None:
    least_group(session, least)
    five_answer(session, consultation)
    seen = closed_results(session, cast, consultation)

    assert [share.answered for share in seen.by_group] == by_group
    assert seen.by_school == [Share(cast.school.name, 5, Decimal("1.1"), Decimal("3.4"))]


def test_a_group_big_enough_shows_its_means(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    least_group(session, 2)
    five_answer(session, consultation)
    assert closed_results(session, cast, consultation).by_group == [
        Share("Teachers", 3, Decimal("1.9"), Decimal("2.3")),
        Share("Teaching assistants", 2, Decimal("-0.3"), Decimal("5.0")),
        Share("Support staff", 0, None, None),
    ]


@pytest.mark.parametrize("who", ["author", "second_author", "approver", "auditor"])
def test_the_results_are_seen_by_whoever_sees_the_policy(
    session: Session, cast: Cast, consultation: Consultation, who: str
) -> None:
    assert results(session, getattr(cast, who), consultation).invited == 6


def test_the_results_are_hidden_from_other_schools_and_trusts(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    outsider = make_person(session, "Rhi Riverside", Grant(Role.AUDITOR), trust_id=other.id or 0)
    for actor in (cast.other_author, outsider):
        with pytest.raises(NotFound):
            results(session, actor, consultation)
