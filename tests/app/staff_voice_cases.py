"""What the tests of a member of staff's consultation pages share (issue 18): ANN (a teacher)
and BOB (support staff) consulted on a draft of the cast's school (its teachers' hours estimated),
the consultation open from today for two weeks, each one's invitation and signed link, the
answers stored, whether a page offers the form, and a good answer to send."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from app.mail.links import consultation_path
from app.settings import Settings
from assessments.consultations import opening, queries
from assessments.consultations.schemas import ConsultationOpen
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.models import ConsultationAnswer, ConsultationInvitation
from tests.app.pages import Element
from tests.factories.people import Cast, make_cast
from tests.factories.versions import draft_for

ANN, BOB = "ann@oak.example", "bob@oak.example"
STAFF = f"{ANN}, Teachers\n{BOB}, Support staff\n"
SUMMARY = "Marking moves from weekly to fortnightly, with a whole-class feedback sheet."


def days(n: int) -> date:
    return clock.today() + timedelta(days=n)


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def consult(session: Session, cast: Cast, opens_on: date | None = None) -> int:
    """A draft of the cast's school (its teachers' hours 13 a term: 1 a week) on which ANN
    (a teacher) and BOB (support staff) are consulted; the consultation's id."""
    version_id = draft_for(session, cast)
    estimate = WorkloadEstimateSave(hours_per_term=Decimal(13), staff_count=10)
    workload.save_workload_estimate(
        session=session,
        actor=cast.author,
        version_id=version_id,
        staff_group="teachers",
        data=estimate,
    )
    opens = opens_on or clock.today()
    data = ConsultationOpen(
        opens_on=opens, closes_on=opens + timedelta(days=14), summary=SUMMARY, invitees=STAFF
    )
    consultation = opening.open_consultation(
        session=session, actor=cast.author, version_id=version_id, data=data, today=clock.today()
    )
    session.commit()
    assert consultation.id is not None
    return consultation.id


@pytest.fixture
def consultation(session: Session, cast: Cast) -> int:
    """Open from today for two weeks."""
    return consult(session, cast)


def invitation(session: Session, consultation_id: int, email: str) -> ConsultationInvitation:
    session.expire_all()
    [found] = [i for i in queries.invitations_of(session, consultation_id) if i.email == email]
    return found


def link(session: Session, settings: Settings, consultation_id: int, email: str = ANN) -> str:
    found = invitation(session, consultation_id, email)
    assert found.id is not None
    return consultation_path(settings, found.id)


def answers(session: Session) -> list[ConsultationAnswer]:
    session.expire_all()
    return list(session.exec(select(ConsultationAnswer)))


def has_form(doc: Element) -> bool:
    return bool(doc.find_all("form", method="post"))


GOOD = {"direction": "more", "hours": "1.5", "agreement": "4", "concerns": "", "would_help": ""}
