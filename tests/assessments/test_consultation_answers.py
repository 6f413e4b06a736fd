"""Answering a staff consultation through one's link (issue 18): an answer is given once, while
the consultation is open, and stored with where its giver works and nothing that leads back to
them (no invitation, person, time or device; a random key; no audit event). What the answers
add up to: test_consultation_results.py. The consultations are opened with the helpers of
consultation_cases.py (opening itself is tested in test_consultations.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pydantic
import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from assessments.consultations import answering, queries
from assessments.consultations.answering import Prediction, give_answer, link_view, per_week
from assessments.consultations.opening import Standing
from assessments.consultations.schemas import AnswerGive
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.errors import InvalidTransition, NotFound
from assessments.models import Consultation
from tests.assessments.consultation_answers import (
    DAY,
    FORBIDDEN_COLUMN,
    consultation,
    five_answer,
    give,
    results,
)
from tests.assessments.consultation_cases import (
    CLOSES,
    TODAY,
    cast,
    close,
    consult,
    id_of,
    invited,
)
from tests.factories.audit import last_seq, sql
from tests.factories.people import Cast
from tests.factories.versions import draft_for

__all__ = ["cast", "consultation"]  # the fixtures

pytestmark = pytest.mark.usefixtures("rubric_published")

# --- answering


def test_an_answer_keeps_where_its_giver_works_and_uses_up_the_link(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    assistant = invited(session, consultation)[3]
    give(session, assistant, "-1.5", 4, "Less marking at home")

    [answer] = queries.answers_of(session, id_of(consultation))
    assert (answer.school_id, answer.staff_group) == (cast.school.id, "teaching-assistants")
    assert (answer.hours_per_week, answer.agreement, answer.concerns) == (
        Decimal("-1.5"),
        4,
        "Less marking at home",
    )
    assert assistant.answered
    assert queries.invitation_counts(session, id_of(consultation)) == (6, 1)


def test_a_link_takes_one_answer(session: Session, consultation: Consultation) -> None:
    invitation = invited(session, consultation)[0]
    give(session, invitation)
    with pytest.raises(InvalidTransition, match=answering.ANSWERED):
        give(session, invitation, "5", 1)
    assert len(queries.answers_of(session, id_of(consultation))) == 1


def test_answers_wait_for_the_first_day(session: Session, cast: Cast) -> None:
    later = consult(session, cast.author, draft_for(session, cast), opens_on=TODAY + 7 * DAY)
    invitation = invited(session, later)[0]
    with pytest.raises(InvalidTransition, match=answering.NOT_OPEN):
        give(session, invitation)
    give(session, invitation, today=TODAY + 7 * DAY)
    assert invitation.answered


def test_answers_are_taken_to_the_end_of_the_last_day(
    session: Session, consultation: Consultation
) -> None:
    first, second = invited(session, consultation)[:2]
    give(session, first, today=CLOSES)
    with pytest.raises(InvalidTransition, match=answering.CLOSED):
        give(session, second, today=CLOSES + DAY)
    assert not second.answered


def test_a_consultation_closed_early_takes_no_more_answers(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    close(session, cast.author, consultation)
    with pytest.raises(InvalidTransition, match=answering.CLOSED):
        give(session, invited(session, consultation)[0])


def test_a_link_to_no_invitation_leads_nowhere(session: Session) -> None:
    with pytest.raises(NotFound, match=answering.GONE):
        link_view(session=session, invitation_id=2**31 - 1, today=TODAY)
    data = AnswerGive.model_validate({"hours_per_week": "1", "agreement": 3})
    with pytest.raises(NotFound, match=answering.GONE):
        give_answer(session=session, invitation_id=2**31 - 1, data=data, today=TODAY)


@pytest.mark.parametrize(
    "wrong",
    [
        {"hours_per_week": "40.01"},
        {"hours_per_week": "-41"},
        {"agreement": 0},
        {"agreement": 6},
        {"concerns": "x" * 4001},
        {"would_help": "x" * 4001},
    ],
)
def test_an_answer_out_of_bounds_is_refused(wrong: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        AnswerGive.model_validate({"hours_per_week": "1", "agreement": 3, **wrong})


def test_an_answer_at_the_bounds_is_taken_to_the_hundredth() -> None:
    assert AnswerGive.model_validate({"hours_per_week": "40", "agreement": 5}).hours_per_week == 40
    assert AnswerGive.model_validate(
        {"hours_per_week": "-1.5", "agreement": 1}
    ).hours_per_week == Decimal("-1.50")


def test_the_link_shows_what_is_asked_and_whether_it_is_answered(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    assistant = invited(session, consultation)[3]
    assert assistant.id is not None
    view = link_view(session=session, invitation_id=assistant.id, today=TODAY)
    assert (view.standing, view.answered, view.school_name) == (
        Standing.OPEN,
        False,
        cast.school.name,
    )
    assert view.predictions == [  # no estimates yet: the author expects nothing they say
        Prediction("Teachers", None, False),
        Prediction("Teaching assistants", None, True),
        Prediction("Support staff", None, False),
    ]

    give(session, assistant)
    view = link_view(session=session, invitation_id=assistant.id, today=CLOSES + DAY)
    assert (view.standing, view.answered) == (Standing.CLOSED, True)


@pytest.mark.parametrize(
    ("per_term", "per_week_"),
    [("4.55", "0.4"), ("6.5", "0.5"), ("-13", "-1.0"), ("0", "0.0")],
)
def test_an_estimate_a_term_is_shown_a_week(per_term: str, per_week_: str) -> None:
    assert per_week(Decimal(per_term), 3) == Decimal(per_week_)


def estimate(session: Session, cast: Cast, consultation: Consultation, per_term: str) -> None:
    workload.save_workload_estimate(
        session=session,
        actor=cast.author,
        version_id=consultation.version_id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal(per_term), staff_count=10),
    )


def test_the_link_shows_the_authors_estimate_a_week_for_each_group(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    estimate(session, cast, consultation, "4.55")
    teacher = invited(session, consultation)[0]
    assert teacher.id is not None
    view = link_view(session=session, invitation_id=teacher.id, today=TODAY)
    assert view.predictions[0] == Prediction("Teachers", Decimal("0.4"), True)


def test_the_results_show_the_authors_estimate_beside_the_answers(
    session: Session, cast: Cast, consultation: Consultation
) -> None:
    estimate(session, cast, consultation, "6.5")
    assert results(session, cast.author, consultation).predictions[0] == Prediction(
        "Teachers", Decimal("0.5"), False
    )


# --- anonymity


def test_an_answers_table_has_no_way_back_to_whoever_gave_it(session: Session) -> None:
    table = SQLModel.metadata.tables["consultation_answer"]
    live = sa.inspect(session.get_bind())
    referred = {fk.column.table.name for fk in table.foreign_keys} | {
        fk["referred_table"] for fk in live.get_foreign_keys("consultation_answer")
    }
    columns = set(table.columns.keys()) | {
        c["name"] for c in live.get_columns("consultation_answer")
    }

    assert referred == {"consultation", "school"}
    assert [name for name in columns if FORBIDDEN_COLUMN.search(name)] == []


def test_nothing_stored_with_an_answer_leads_to_its_invitation(
    session: Session, consultation: Consultation
) -> None:
    invitations = invited(session, consultation)
    for invitation in invitations[:3]:
        give(session, invitation, "1", 2, "Too much", "Fewer deadlines")
    rows = [
        dict(row._mapping)
        for row in sql(
            session,
            "SELECT * FROM consultation_answer WHERE consultation_id = :c",
            c=id_of(consultation),
        )
    ]
    theirs = {str(i.id) for i in invitations} | {i.email for i in invitations}

    assert len(rows) == 3
    for row in rows:
        stored = {row[c] for c in ("id", "staff_group", "concerns", "would_help")}
        assert not stored & theirs
        assert not any("@" in str(value) for value in row.values())
    keys = [row["id"] for row in rows]
    assert len(set(keys)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)


def test_giving_an_answer_writes_no_audit_event(
    session: Session, consultation: Consultation
) -> None:
    before = last_seq(session)
    five_answer(session, consultation)
    assert last_seq(session) == before
