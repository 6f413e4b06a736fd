"""What the consultation page tests share: the cast, a draft with its teachers' hours estimated,
its author signed in, consultations opened through the use-case, and how the pages read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.settings import Settings
from assessments.consultations import opening, queries
from assessments.consultations.schemas import ConsultationOpen
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.kernel.actors import Actor
from assessments.models import Consultation, Notification, NotificationKind
from tests.app.pages import (
    Element,
)
from tests.factories.people import Cast, make_cast
from tests.factories.sign_in import sign_in_as
from tests.factories.versions import draft_for

SUMMARY = "Marking moves from weekly to fortnightly, with a whole-class feedback sheet."
STAFF = "ann@oak.example, Teachers\nbob@oak.example, Teachers\ncat@oak.example, Support staff\n"
CONSULT_LINK = "Consult staff on this draft"
SCRIPT = "<script>alert('staff')</script> marking at weekends"


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@pytest.fixture
def draft(session: Session, cast: Cast) -> int:
    """A draft of the cast's school, its teachers' hours estimated (13 a term: 1 a week)."""
    version_id = draft_for(session, cast)
    workload.save_workload_estimate(
        session=session,
        actor=cast.author,
        version_id=version_id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal(13), staff_count=10),
    )
    session.commit()
    return version_id


@pytest.fixture
def author(client: TestClient, session: Session, settings: Settings, cast: Cast) -> TestClient:
    """The browser signed in as the cast's author, of the draft's school."""
    sign_in_as(client, session, settings, cast.author)
    return client


def today() -> date:
    return clock.today()  # what the pages take as today


def days(n: int) -> date:
    return today() + timedelta(days=n)


def typed(name: str, day: date) -> dict[str, str]:
    return {f"{name}-{part}": str(getattr(day, part)) for part in ("day", "month", "year")}


def said(day: date) -> str:
    return day.strftime("%-d %B %Y")


def open_url(version_id: int, path: str = "consultations") -> str:
    return f"/assessments/{version_id}/{path}"


def form_url(version_id: int) -> str:
    return open_url(version_id, "consultations/new")


def summary_url(version_id: int) -> str:
    return open_url(version_id, "summary")


def consultations(session: Session, version_id: int) -> list[Consultation]:
    session.expire_all()
    return queries.consultations_of_version(session, version_id)


def letters(session: Session) -> list[Notification]:
    query = select(Notification).where(Notification.kind == NotificationKind.CONSULTATION)
    return list(session.exec(query.order_by(col(Notification.id))))


def consult_link(doc: Element) -> list[str]:
    return [a.attrs["href"] for a in doc.find_all("a") if a.text == CONSULT_LINK]


def facts(doc: Element) -> dict[str, str]:
    """The consultation page's list of its dates, standing and counts."""
    listed = doc.by_id("consultation")
    keys = listed.find_all(cls="govuk-summary-list__key")
    values = listed.find_all(cls="govuk-summary-list__value")
    return {key.text: value.text for key, value in zip(keys, values, strict=True)}


def consult(session: Session, actor: Actor, version_id: int, invitees: str = STAFF) -> int:
    """A consultation opened today through the use-case, asking `invitees`; its id."""
    data = ConsultationOpen(
        opens_on=today(), closes_on=days(14), summary=SUMMARY, invitees=invitees
    )
    consultation = opening.open_consultation(
        session=session, actor=actor, version_id=version_id, data=data, today=today()
    )
    session.commit()
    assert consultation.id is not None
    return consultation.id
