"""What the answering and results tests share: a consultation of six staff in three groups,
answers given through the use-case, and its results."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session

from assessments.consultations.answering import give_answer
from assessments.consultations.results import Results, consultation_results
from assessments.consultations.schemas import AnswerGive
from assessments.kernel.actors import Actor
from assessments.models import Consultation, ConsultationInvitation
from tests.assessments.consultation_cases import (
    TODAY,
    cast,
    close,
    consult,
    id_of,
    invited,
)
from tests.factories.people import Cast
from tests.factories.versions import draft_for

__all__ = ["cast", "consultation"]  # the fixtures

DAY = TODAY.resolution
STAFF = (
    "t1@oak.example, Teachers\nt2@oak.example, Teachers\nt3@oak.example, Teachers\n"
    "a1@oak.example, Teaching assistants\na2@oak.example, Teaching assistants\n"
    "s1@oak.example, Support staff\n"
)
# What the first five of STAFF say: hours a week, agreement, concerns, would help.
SAID = [
    ("1.5", 4, "Fortnightly marking still lands in the same week.", ""),
    ("2", 2, "", ""),
    ("2.25", 1, "", "Release time to write the feedback sheets."),
    ("-1", 5, "", ""),
    ("0.5", 5, "", ""),
]
FORBIDDEN_COLUMN = re.compile(r"invit|user|email|(^|_)ip(_|$)|agent|created|updated|time|_at$")


@pytest.fixture
def consultation(session: Session, cast: Cast) -> Consultation:
    """Open today on a draft of the cast's school: 3 teachers, 2 TAs and one of support staff."""
    return consult(session, cast.author, draft_for(session, cast), STAFF)


def give(
    session: Session,
    invitation: ConsultationInvitation,
    hours: str = "2",
    agreement: int = 3,
    concerns: str = "",
    would_help: str = "",
    today: date = TODAY,
) -> None:
    assert invitation.id is not None
    data = AnswerGive.model_validate(
        {
            "hours_per_week": hours,
            "agreement": agreement,
            "concerns": concerns,
            "would_help": would_help,
        }
    )
    give_answer(session=session, invitation_id=invitation.id, data=data, today=today)


def five_answer(session: Session, consultation: Consultation) -> None:
    for invitation, said in zip(invited(session, consultation), SAID, strict=False):
        give(session, invitation, *said)


def closed_results(session: Session, cast: Cast, consultation: Consultation) -> Results:
    """Its results once it has closed, when what staff said is shown."""
    close(session, cast.author, consultation)
    return results(session, cast.author, consultation)


def results(session: Session, actor: Actor, consultation: Consultation) -> Results:
    return consultation_results(
        session=session, actor=actor, consultation_id=id_of(consultation), today=TODAY
    )
