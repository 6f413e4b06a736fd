"""The trust's Email and reminders page, for its admins: when owners are reminded (each trust
its own choice, saved with the field's own message when refused), and mail the server would
not take, with its reason, sent again once the problem is put right."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from assessments.kernel import clock
from assessments.models import MessageStatus, OutboxMessage, Trust
from assessments.notifications import delivery
from tests.app.pages import banner, error_for, field_value, page, post_form
from tests.factories.audit import events_since, last_seq
from tests.factories.people import make_cast
from tests.factories.trusts import LOCAL_TRUST_ID
from tests.factories.versions import submitted

PAGE = "/admin/email"


def trust(session: Session) -> Trust:
    session.expire_all()
    found = session.get(Trust, LOCAL_TRUST_ID)
    assert found is not None
    return found


def test_an_admin_chooses_when_owners_are_reminded(client: TestClient, session: Session) -> None:
    before = last_seq(session)
    doc = page(client.get(PAGE))
    assert (field_value(doc, "review_days"), field_value(doc, "action_days")) == ("60, 30, 7", "7")
    saved = post_form(
        client, "/admin/email/reminders", {"review_days": "14; 90, 3", "action_days": "2"}
    )
    assert saved.headers["location"] == PAGE
    doc = page(client.get(PAGE))
    assert banner(doc) == "The reminders are saved. The next daily sweep uses them."
    assert field_value(doc, "review_days") == "90, 14, 3"
    assert (trust(session).review_reminder_days, trust(session).action_reminder_days) == (
        [90, 14, 3],
        2,
    )
    (event,) = events_since(session, before, "trust")
    assert event.action == "reminders-changed"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"review_days": "", "action_days": "7"}, "review_days", "Enter up to 6 numbers of days"),
        ({"review_days": "30, soon", "action_days": "7"}, "review_days", "Enter up to 6 numbers"),
        ({"review_days": "0", "action_days": "7"}, "review_days", "Enter up to 6 numbers"),
        ({"review_days": "1,2,3,4,5,6,7", "action_days": "7"}, "review_days", "Enter up to 6"),
        (
            {"review_days": "30", "action_days": "400"},
            "action_days",
            "Enter a number of days from 0 to 366",
        ),
        ({"review_days": "30", "action_days": "3, 4"}, "action_days", "Enter a number of days"),
    ],
)
def test_reminders_refused_are_shown_by_their_field_and_nothing_changes(
    client: TestClient, session: Session, values: dict[str, str], field: str, message: str
) -> None:
    refused = post_form(client, "/admin/email/reminders", values)
    assert refused.status_code == 422
    doc = page(refused)
    assert error_for(doc, field).startswith(message)
    assert field_value(doc, field) == values[field]  # as typed
    assert trust(session).review_reminder_days == [60, 30, 7]


@pytest.mark.usefixtures("rubric_published")
def test_mail_given_up_is_shown_with_its_reason_and_sent_again(
    client: TestClient, session: Session
) -> None:
    submitted(session, make_cast(session))
    first, *_ = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert first.id is not None
    delivery.mark_not_sent(
        session,
        first.id,
        now=clock.now(),
        error="smtp.example:587 refused the address: 550 5.1.1 No such mailbox",
        max_attempts=8,
        permanent=True,
    )
    doc = page(client.get(PAGE))
    assert "550 5.1.1 No such mailbox" in doc.text
    assert "Awaiting your decision" in doc.text
    again = post_form(client, f"/admin/email/messages/{first.id}/again", {})
    assert again.headers["location"] == PAGE
    assert (
        banner(page(client.get(PAGE)))
        == "It is back in the outbox: the worker sends it on its next round."
    )
    session.refresh(first)
    assert (first.status, first.attempts) == (MessageStatus.PENDING, 0)
    assert post_form(client, f"/admin/email/messages/{first.id}/again", {}).status_code == 404


def test_reminders_changed_meanwhile_are_not_overwritten(
    client: TestClient, session: Session
) -> None:
    stale = {"review_days": "21", "action_days": "1", "revision": "0"}
    refused = post_form(client, "/admin/email/reminders", stale)
    assert refused.status_code == 409
    assert "Someone changed the reminders meanwhile" in error_for(page(refused), "review_days")
    assert field_value(page(refused), "review_days") == "60, 30, 7"  # as they are now
    assert trust(session).review_reminder_days == [60, 30, 7]
