"""A member of staff's consultation pages, reached from their email with no account (issue 18):
the email (to them, with no footer of choices, as they have no account) carries their signed
link, which shows the change, the author's hours for the groups asked (theirs marked) and the
form. An answer is taken once, with its hours signed by the direction chosen; bad input is
shown by its field with what was typed kept and nothing stored. What a link leads to when it
is not one, or takes no answer, and what nobody learns from it: test_staff_voice_links.py."""

from __future__ import annotations

import re
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.mail.compose import compose
from app.settings import Settings
from assessments.models import Notification, OutboxMessage
from assessments.notifications.delivery import Outgoing
from tests.app.pages import Element, error_for, field_value, page, post_form, submit
from tests.app.staff_voice_cases import (
    ANN,
    BOB,
    GOOD,
    SUMMARY,
    answers,
    cast,
    consultation,
    days,
    has_form,
    invitation,
    link,
)
from tests.factories.decisions import open_page, table_rows
from tests.factories.people import Cast

__all__ = ["cast", "consultation"]

pytestmark = pytest.mark.usefixtures("rubric_published")

IN = "Your answer is in"


def emailed(session: Session, settings: Settings, email: str) -> EmailMessage:
    """The queued message to `email`, composed as the worker composes it."""
    [message] = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email)).all()
    carried = select(Notification).where(Notification.message_id == message.id)
    notifications = list(session.exec(carried.order_by(col(Notification.id))))
    composed = compose(settings, Outgoing(message, notifications, None))
    parsed = message_from_bytes(composed.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def text_of(email: EmailMessage) -> str:
    body = email.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


# --- the email and its link ---------------------------------------------------------------------


def test_the_emailed_link_shows_the_change_the_authors_hours_and_the_form(
    anonymous_client: TestClient, session: Session, settings: Settings, consultation: int
) -> None:
    email = emailed(session, settings, ANN)
    text = text_of(email)

    assert email["To"] == ANN
    assert email["Subject"] == "Your views on a draft: Marking and feedback policy"
    assert "List-Unsubscribe" not in email
    assert "Choose which emails" not in text
    assert "Sent by the Workload Impact Register" in text
    assert SUMMARY in text
    [address] = re.findall(r"https?://\S+/consult/\S+", text)
    path = urlsplit(address).path
    assert path == link(session, settings, consultation)

    response = anonymous_client.get(path)

    assert response.status_code == 200, response.text[:500]
    doc = page(response)
    assert doc.find("h1").text == "Your views on a draft: Marking and feedback policy"
    assert doc.by_id("summary").text == SUMMARY
    assert doc.by_id("standing").text == f"Open until the end of {days(14):%-d %B %Y}."
    assert table_rows(doc.by_id("predictions")) == [
        ["Teachers Yours", "1.0"],
        ["Support staff", "Not estimated"],
    ]
    assert doc.find("form", action=path).find("button").text == "Send my answer"

    bobs = open_page(anonymous_client, link(session, settings, consultation, BOB))
    assert table_rows(bobs.by_id("predictions")) == [
        ["Teachers", "1.0"],
        ["Support staff Yours", "Not estimated"],
    ]


# --- answering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "hours", "stored"),
    [("more", "1.5", Decimal("1.5")), ("less", "2", Decimal(-2)), ("none", "", Decimal(0))],
)
def test_an_answer_is_taken_once_with_its_hours_signed_by_the_direction(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    cast: Cast,
    consultation: int,
    direction: str,
    hours: str,
    stored: Decimal,
) -> None:
    path = link(session, settings, consultation)
    form = open_page(anonymous_client, path)
    sent = {**GOOD, "direction": direction, "hours": hours, "concerns": "Weekends"}

    given = submit(anonymous_client, form, path, sent)

    assert given.status_code == 303, given.text[:500]
    assert given.headers["location"] == path
    after = open_page(anonymous_client, path)
    assert after.find(cls="govuk-panel__title").text == IN
    assert not has_form(after)
    [answer] = answers(session)
    assert (answer.hours_per_week, answer.agreement, answer.concerns) == (stored, 4, "Weekends")
    assert (answer.staff_group, answer.school_id) == ("teachers", cast.school.id)
    assert invitation(session, consultation, ANN).answered
    assert not invitation(session, consultation, BOB).answered

    again = post_form(anonymous_client, path, {**GOOD, "agreement": "1"})

    assert again.status_code == 409
    doc = page(again)
    assert doc.find(cls="govuk-panel__title").text == IN
    assert not has_form(doc)
    assert len(answers(session)) == 1
    assert answers(session)[0].agreement == 4


HOURS = "Enter the hours a week, a number from 0 to 40, like 1.5"
LENGTH = "Write up to 4,000 characters"


AGREE = "Select how far you agree with the change"
# id: (what is typed instead of GOOD's; the field refused; its message's start)
BAD: dict[str, tuple[dict[str, str], str, str]] = {
    "no-direction": ({"direction": ""}, "direction", "Select whether it would add to your work"),
    "no-hours-for-more": ({"hours": ""}, "hours", HOURS),
    "no-hours-for-less": ({"direction": "less", "hours": " "}, "hours", HOURS),
    "negative-typed": ({"hours": "-2"}, "hours", HOURS),
    "minus-sign-typed": ({"direction": "less", "hours": "\u22122"}, "hours", HOURS),
    "over-40": ({"hours": "41"}, "hours", HOURS),
    "over-40-saved": ({"direction": "less", "hours": "40.5"}, "hours", HOURS),
    "not-a-number": ({"hours": "a lot"}, "hours", HOURS),
    "no-agreement": ({"agreement": ""}, "agreement", AGREE),
    "agreement-9": ({"agreement": "9"}, "agreement", AGREE),
    "concerns-too-long": ({"concerns": "x" * 4001}, "concerns", LENGTH),
    "would-help-too-long": ({"would_help": "x" * 4001}, "would_help", LENGTH),
}


def summary_links(doc: Element) -> list[str]:
    return [a.attrs["href"] for a in doc.find(cls="govuk-error-summary").find_all("a")]


@pytest.mark.parametrize("case", BAD)
def test_each_bad_answer_is_shown_by_its_field_with_what_was_typed_kept(
    anonymous_client: TestClient, session: Session, settings: Settings, consultation: int, case: str
) -> None:
    changes, field, message = BAD[case]
    path = link(session, settings, consultation)
    sent = {**GOOD, **changes}

    refused = submit(anonymous_client, open_page(anonymous_client, path), path, sent)

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert error_for(doc, field).startswith(message)
    assert summary_links(doc) == [f"#{field}"]
    for name, value in sent.items():  # a radio is checked if it is one of the radios
        kept = None if name in {"direction", "agreement"} and value in {"", "9"} else value
        assert field_value(doc, name) == kept, name
    assert answers(session) == []
    assert not invitation(session, consultation, ANN).answered

    fixed = submit(anonymous_client, doc, path, GOOD)
    assert fixed.status_code == 303, fixed.text[:500]
    assert len(answers(session)) == 1


def test_every_problem_is_shown_at_once_in_the_forms_order(
    anonymous_client: TestClient, session: Session, settings: Settings, consultation: int
) -> None:
    path = link(session, settings, consultation)
    sent = {**GOOD, "direction": "", "agreement": "", "would_help": "x" * 4001}

    refused = submit(anonymous_client, open_page(anonymous_client, path), path, sent)

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert summary_links(doc) == ["#direction", "#agreement", "#would_help"]
    assert field_value(doc, "hours") == "1.5"
    assert answers(session) == []


NUL_SAID = "Remove the NUL character"
NUL = {**GOOD, "concerns": "Late\x00nights"}


def test_a_nul_character_is_shown_by_its_field_with_the_answer_kept(
    anonymous_client: TestClient, session: Session, settings: Settings, consultation: int
) -> None:
    path = link(session, settings, consultation)
    refused = submit(anonymous_client, open_page(anonymous_client, path), path, NUL)
    assert refused.status_code == 422
    doc = page(refused)
    assert error_for(doc, "concerns").startswith(NUL_SAID)
    assert field_value(doc, "hours") == "1.5"
    assert answers(session) == []
    assert not invitation(session, consultation, ANN).answered
