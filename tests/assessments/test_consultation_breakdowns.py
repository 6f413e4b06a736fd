"""A trust-wide consultation's breakdowns by school and by staff group (issue 18): each table
hides what is too small on its own, and the schools' table is left out where one table less
the other would tell a few apart, though every row of each is big enough."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session

from assessments.consultations.answering import give_answer
from assessments.consultations.results import Results, consultation_results
from assessments.consultations.schemas import AnswerGive
from tests.assessments.consultation_cases import TODAY, close, consult, id_of, invited
from tests.factories.trusts import AUTHOR, make_school
from tests.factories.versions import make_draft

pytestmark = pytest.mark.usefixtures("rubric_published")


def _answered(session: Session, listed: list[tuple[str, str, str]]) -> Results:
    """A trust-wide draft's consultation of `listed` (email, group, school), every one
    answering 2 hours but Alder's support assistant (7), closed: its results."""
    draft = make_draft(session)  # trust-wide, by the trust-wide AUTHOR
    lines = "\n".join(", ".join(person) for person in listed)
    consultation = consult(session, AUTHOR, draft.id or 0, lines)
    for invitation in invited(session, consultation):
        lone = invitation.email == "alder-s1@trust.example"
        data = AnswerGive.model_validate({"hours_per_week": "7" if lone else "2", "agreement": 3})
        give_answer(session=session, invitation_id=invitation.id or 0, data=data, today=TODAY)
    close(session, AUTHOR, consultation)
    return consultation_results(
        session=session, actor=AUTHOR, consultation_id=id_of(consultation), today=TODAY
    )


def _staff(school: str, group: str, count: int, prefix: str) -> list[tuple[str, str, str]]:
    return [(f"{prefix}{n}@trust.example", group, school) for n in range(1, count + 1)]


def test_a_school_less_its_teachers_does_not_give_away_its_one_assistant(
    session: Session,
) -> None:
    make_school(session, "Alder")
    make_school(session, "Beech")
    listed = [
        *_staff("Alder", "Teachers", 5, "alder-t"),
        *_staff("Alder", "Support staff", 1, "alder-s"),
        *_staff("Beech", "Support staff", 5, "beech-s"),
    ]

    said = _answered(session, listed)

    assert said.shown and said.answered == 11
    shown = {share.label: share.answered for share in said.by_group}
    assert shown == {"Support staff": 6, "Teachers": 5}  # each big enough on its own
    assert all(share.answered is None for share in said.by_school)  # but not both together


def test_schools_whose_every_group_is_big_enough_are_shown_too(session: Session) -> None:
    make_school(session, "Alder")
    make_school(session, "Beech")
    listed = [
        *_staff("Alder", "Teachers", 5, "alder-t"),
        *_staff("Beech", "Support staff", 5, "beech-s"),
    ]

    said = _answered(session, listed)

    shown = {share.label: share.answered for share in said.by_school}
    assert (shown["Alder"], shown["Beech"]) == (5, 5)
    assert said.hours_per_week == Decimal("2.0")
