"""The trust's Staff consultations page, for its admins: the fewest answers a consultation's
results are broken down by, each trust its own choice, refused with the field's own message
outside what keeps answers anonymous, and never overwriting a change made meanwhile."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import Trust
from tests.app.pages import banner, error_for, field_value, page, post_form
from tests.factories.audit import events_since, last_seq
from tests.factories.trusts import LOCAL_TRUST_ID

PAGE = "/admin/consultations"


def least(session: Session) -> int:
    session.expire_all()
    trust = session.get(Trust, LOCAL_TRUST_ID)
    assert trust is not None
    return trust.consultation_min_group


def test_an_admin_chooses_the_fewest_answers_a_breakdown_shows(
    client: TestClient, session: Session
) -> None:
    assert 'href="/admin/consultations"' in client.get("/admin/users").text
    before = last_seq(session)
    assert field_value(page(client.get(PAGE)), "min_group") == "5"

    saved = post_form(client, PAGE, {"min_group": " 8 "})

    assert saved.headers["location"] == PAGE
    doc = page(client.get(PAGE))
    assert banner(doc) == "Saved. Consultations' results are shown by it from now on."
    assert field_value(doc, "min_group") == "8"
    assert least(session) == 8
    (event,) = events_since(session, before, "trust")
    assert event.action == "consultation-settings-changed"
    assert json.loads(event.changes) == {"consultation_min_group": [5, 8]}


@pytest.mark.parametrize(
    "typed", ["", "2", "0", "-5", "101", "5.5", "five", "\u0665", "1e1", "9" * 40]
)
def test_a_number_outside_what_keeps_answers_anonymous_is_refused(
    client: TestClient, session: Session, typed: str
) -> None:
    refused = post_form(client, PAGE, {"min_group": typed})

    assert refused.status_code == 422
    doc = page(refused)
    assert error_for(doc, "min_group") == "Enter a whole number from 3 to 100, like 5"
    assert field_value(doc, "min_group") == typed  # as typed
    assert least(session) == 5


def test_a_change_made_meanwhile_is_not_overwritten(client: TestClient, session: Session) -> None:
    revision = str(field_value(page(client.get(PAGE)), "revision"))
    assert post_form(client, PAGE, {"min_group": "7", "revision": revision}).status_code == 303

    refused = post_form(client, PAGE, {"min_group": "3", "revision": revision})

    assert refused.status_code == 409
    assert "Someone changed the trust's settings meanwhile" in error_for(page(refused), "min_group")
    assert field_value(page(refused), "min_group") == "7"  # as it is now
    assert least(session) == 7
