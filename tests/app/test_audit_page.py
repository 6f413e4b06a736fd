"""The Audit page and the exports speak of the signed-in person's trust only: its chain, its
signed head, its problems; and a row that cannot be read is shown as broken, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from tests.factories.audit import sql
from tests.factories.decisions import open_page, other_trusts_draft
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import LOCAL_TRUST_ID
from tests.factories.versions import make_draft


@pytest.fixture
def auditor(
    client: TestClient, session: Session, settings: Settings, rubric_published: None
) -> None:
    make_draft(session, reference="AP-001")
    make_draft(session, reference="AP-002")
    sign_in_as(client, session, settings, make_person(session, "Aud Auditor", Grant(Role.AUDITOR)))


def test_an_unreadable_event_shows_the_page_broken_at_it_not_a_500(
    client: TestClient, session: Session, auditor: None
) -> None:
    sql(session, "UPDATE audit_event SET changes = 'null}' WHERE chain = 1 AND seq = 2")

    doc = open_page(client, "/audit")

    verdict = doc.by_id("verdict")
    assert verdict.find("h2").text == "The audit trail has been tampered with"
    assert "Event 2: unreadable: its changes are not valid JSON" in verdict.text


def test_another_trusts_activity_and_tampering_leave_this_trusts_page_and_exports(
    client: TestClient, session: Session, auditor: None
) -> None:
    before = client.get("/register.csv").headers["x-audit-chain-head"]
    events = audit.verify(session, chain=LOCAL_TRUST_ID).events

    theirs = other_trusts_draft(session, "OT-001")
    sql(session, "UPDATE audit_event SET actor_name = 'Forger' WHERE chain = :c", c=theirs.trust_id)

    doc = open_page(client, "/audit")
    assert doc.by_id("verdict").find("h2").text == "Intact"
    assert f"All {events} events check out" in doc.by_id("verdict").text
    assert doc.by_id("head-hash").text == before
    assert client.get("/register.csv").headers["x-audit-chain-head"] == before
    assert before.startswith(f"wia-audit-v1:trust-{LOCAL_TRUST_ID}:{events}:")
