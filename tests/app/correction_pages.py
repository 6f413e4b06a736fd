"""What the correction tests share: two schools of the trust, and reading what a page shows,
what was saved and what the audit trail recorded."""

from __future__ import annotations

from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel import audit
from assessments.models import Assessment, AssessmentVersion, Policy, School, User
from tests.app.pages import Element
from tests.factories.decisions import open_page, table_rows
from tests.factories.trusts import make_school

STALE = "Someone else changed this after you opened it"
Row = TypeVar("Row", Policy, School, User, AssessmentVersion)


@pytest.fixture
def north(session: Session) -> School:
    return make_school(session, "North School")


@pytest.fixture
def south(session: Session) -> School:
    return make_school(session, "South School")


def summary(doc: Element) -> dict[str, str]:
    """The first summary list, key → value as shown."""
    rows = doc.find_all(cls="govuk-summary-list")[0].find_all(cls="govuk-summary-list__row")
    return {
        row.find(cls="govuk-summary-list__key").text: row.find(cls="govuk-summary-list__value").text
        for row in rows
    }


def stored(session: Session, model: type[Row], row_id: int | None) -> Row:
    """The row as saved now."""
    session.expire_all()
    found = session.get(model, row_id)
    assert found is not None
    return found


def policy_of(session: Session, version: AssessmentVersion) -> Policy:
    assessment = session.get(Assessment, version.assessment_id)
    assert assessment is not None
    return stored(session, Policy, assessment.policy_id)


def last_event(session: Session, entity: str, entity_id: int | None) -> tuple[str, str, str]:
    """(action, who, changes) of the record's latest audit event."""
    assert entity_id is not None
    event = audit.events_of(session, entity, entity_id)[-1]
    return event.action, event.actor_name, event.changes


def register_rows(client: TestClient, school: School) -> list[tuple[str, str]]:
    """(policy, school) of each row the register shows for a school."""
    doc = open_page(client, f"/register?school={school.id}")
    rows = table_rows(doc.by_id("results").find("table"))
    return [] if rows == [["No version matches."]] else [(row[0], row[1]) for row in rows]
