"""A member of staff's consultation pages, reached from their email with no account (issue 18):
the email (to them, with no footer of choices, as they have no account) carries their signed
link, which shows the change, the author's hours for the groups asked (theirs marked) and the
form. An answer is taken once, with its hours signed by the direction chosen; bad input is
shown by its field with what was typed kept and nothing stored. A link altered, of another
purpose, or of no invitation leads nowhere; one of a consultation to come or closed takes no
answer. The token never reaches the request log, and nothing stored with an answer leads back
to whoever gave it."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.auth import session_cookie_name
from app.logs import logged_path
from app.mail.compose import compose
from app.mail.links import consultation_path
from app.pages import staff_voice
from app.settings import Settings
from app.signing import signed
from assessments.consultations import opening, queries
from assessments.consultations.schemas import ConsultationOpen
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.models import (
    ConsultationAnswer,
    ConsultationInvitation,
    Notification,
    OutboxMessage,
)
from assessments.notifications.delivery import Outgoing
from tests.app.pages import Element, error_for, field_value, page, post_form, submit
from tests.factories.decisions import open_page, table_rows
from tests.factories.people import Cast, make_cast
from tests.factories.versions import draft_for

pytestmark = pytest.mark.usefixtures("rubric_published")

ANN, BOB = "ann@oak.example", "bob@oak.example"
STAFF = f"{ANN}, Teachers\n{BOB}, Support staff\n"
SUMMARY = "Marking moves from weekly to fortnightly, with a whole-class feedback sheet."
GONE = "This link does not work"
IN = "Your answer is in"


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


def answers(session: Session) -> list[ConsultationAnswer]:
    session.expire_all()
    return list(session.exec(select(ConsultationAnswer)))


def has_form(doc: Element) -> bool:
    return bool(doc.find_all("form", method="post"))


GOOD = {"direction": "more", "hours": "1.5", "agreement": "4", "concerns": "", "would_help": ""}


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


# --- links that lead nowhere, and consultations not open ------------------------------------------


def altered(token: str) -> str:
    """The token with the last character of its MAC changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    "kind", ["altered-mac", "another-invitations-id", "unsubscribe", "account", "no-such", "junk"]
)
def test_a_link_that_is_not_a_consultations_leads_nowhere(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    consultation: int,
    kind: str,
) -> None:
    anns = invitation(session, consultation, ANN).id
    bobs = invitation(session, consultation, BOB).id
    token = link(session, settings, consultation).removeprefix("/consult/")
    tokens = {
        "altered-mac": altered(token),
        "another-invitations-id": f"{bobs}.{token.partition('.')[2]}",  # Ann's MAC on Bob's id
        "unsubscribe": signed(settings, "unsubscribe", str(anns)),
        "account": signed(settings, "account", str(anns)),
        "no-such": consultation_path(settings, 999_999).removeprefix("/consult/"),
        "junk": "not-a-link",
    }
    path = f"/consult/{tokens[kind]}"

    response = anonymous_client.get(path)

    assert response.status_code == 404
    doc = page(response)
    assert doc.find("h1").text == GONE
    assert SUMMARY not in response.text and "Marking and feedback" not in response.text
    assert not has_form(doc)
    posted = post_form(anonymous_client, path, GOOD)
    assert posted.status_code == 404
    assert page(posted).find("h1").text == GONE
    assert answers(session) == []


@pytest.mark.parametrize("how", ["to-come", "closed-early", "past-its-last-day"])
def test_a_consultation_not_open_says_so_and_takes_no_answer(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    consultation = consult(session, cast, days(1) if how == "to-come" else None)
    path = link(session, settings, consultation)
    said = {
        "to-come": f"This consultation opens on {days(1):%-d %B %Y}. Come back to this link then",
        "closed-early": "This consultation closed early: it takes no more answers.",
        "past-its-last-day": "This consultation closed: it takes no more answers.",
    }[how]
    if how == "closed-early":
        opening.close_consultation(
            session=session, actor=cast.author, consultation_id=consultation, today=clock.today()
        )
        session.commit()
    elif how == "past-its-last-day":
        monkeypatch.setattr(staff_voice, "today", lambda: days(15))

    doc = open_page(anonymous_client, path)

    assert doc.by_id("standing").text.startswith(said)
    assert not has_form(doc)
    refused = post_form(anonymous_client, path, GOOD)
    assert refused.status_code == 409
    assert page(refused).by_id("standing").text.startswith(said)
    assert answers(session) == []
    assert not invitation(session, consultation, ANN).answered


@pytest.mark.parametrize("how", ["answered", "closed"])
def test_a_link_that_takes_no_more_answers_says_so_whatever_was_typed(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    cast: Cast,
    consultation: int,
    how: str,
) -> None:
    path = link(session, settings, consultation)
    form = open_page(anonymous_client, path)
    if how == "answered":
        assert submit(anonymous_client, form, path, GOOD).status_code == 303
    else:
        opening.close_consultation(
            session=session, actor=cast.author, consultation_id=consultation, today=clock.today()
        )
        session.commit()

    refused = submit(anonymous_client, form, path, {**GOOD, "direction": ""})

    doc = page(refused)
    assert not doc.find_all(cls="govuk-error-summary")
    assert refused.status_code == 409


# --- no account, no token in the logs, and no way back to whoever answered -----------------------


def test_the_pages_need_no_account_only_the_forms_csrf_token(
    anonymous_client: TestClient, session: Session, settings: Settings, consultation: int
) -> None:
    path = link(session, settings, consultation)
    response = anonymous_client.get(path)
    assert response.status_code == 200
    assert "location" not in response.headers
    assert anonymous_client.post(path, data=GOOD).status_code == 403  # no CSRF token: refused
    assert answers(session) == []
    given = submit(anonymous_client, page(response), path, GOOD)
    assert (given.status_code, given.headers["location"]) == (303, path)
    assert session_cookie_name(settings) not in anonymous_client.cookies
    assert len(answers(session)) == 1


def test_the_request_log_shows_where_the_request_went_never_the_token(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    consultation: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert logged_path("/consult/abc.def") == "/consult/…"
    path = link(session, settings, consultation)
    token = path.removeprefix("/consult/")

    with caplog.at_level(logging.INFO, logger="wia"):
        form = open_page(anonymous_client, path)
        submit(anonymous_client, form, path, GOOD)
        anonymous_client.get(f"/consult/{altered(token)}")

    lines = [r for r in caplog.records if r.name == "wia" and r.getMessage() == "request"]
    assert [(r.method, r.path, r.status) for r in lines] == [  # type: ignore[attr-defined]
        ("GET", "/consult/…", 200),
        ("POST", "/consult/…", 303),
        ("GET", "/consult/…", 404),
    ]
    mac = token.partition(".")[2]
    assert mac not in caplog.text
    assert all(mac not in str(vars(record)) for record in caplog.records)


# The columns an answer has: each holds what was said or where its giver works, nothing else.
ANSWER_COLUMNS = {"id", "consultation_id", "school_id", "staff_group", "hours_per_week"}
ANSWER_COLUMNS |= {"agreement", "concerns", "would_help"}


def test_nothing_stored_with_an_answer_leads_back_to_whoever_gave_it(
    anonymous_client: TestClient,
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    consultation: int,
) -> None:
    given = {
        ANN: {**GOOD, "concerns": "Marking at weekends"},
        BOB: {**GOOD, "direction": "less", "hours": "0.75", "agreement": "2"},
    }
    ids, paths = set(), []
    for email, sent in given.items():
        found = invitation(session, consultation, email)
        assert found.id is not None
        ids.add(found.id)
        path = link(session, settings, consultation, email)
        paths.append(path)
        response = submit(anonymous_client, open_page(anonymous_client, path), path, sent)
        assert response.status_code == 303, response.text[:500]

    rows = [
        dict(r._mapping) for r in connection.execute(sa.text("SELECT * FROM consultation_answer"))
    ]

    assert len(rows) == 2
    assert {frozenset(row) for row in rows} == {frozenset(ANSWER_COLUMNS)}
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{32}", row["id"])
        assert row["id"] not in {str(i) for i in ids}
        assert (row["consultation_id"], row["school_id"]) == (consultation, cast.school.id)
        for value in row.values():
            text = str(value).casefold()
            assert "@" not in text and ANN not in text and BOB not in text
            assert all(path.partition(".")[2].casefold() not in text for path in paths)
    said = sorted(
        (r["staff_group"], Decimal(str(r["hours_per_week"])), r["agreement"], r["concerns"])
        for r in rows
    )
    assert said == [
        ("support-staff", Decimal("-0.75"), 2, ""),
        ("teachers", Decimal("1.5"), 4, "Marking at weekends"),
    ]
