"""The links in staff's consultation emails (issue 18), and what they give away: a link
altered, of another purpose, or of no invitation leads nowhere; one of a consultation to come
or closed, or already answered, takes no answer. The pages need no account, the token never
reaches the request log, and nothing stored with an answer leads back to whoever gave it."""

from __future__ import annotations

import logging
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import session_cookie_name
from app.logs import logged_path
from app.mail.links import consultation_path
from app.pages import staff_voice
from app.settings import Settings
from app.signing import signed
from assessments.consultations import opening
from assessments.kernel import clock
from tests.app.pages import page, post_form, submit
from tests.app.staff_voice_cases import (
    ANN,
    BOB,
    GOOD,
    SUMMARY,
    answers,
    cast,
    consult,
    consultation,
    days,
    has_form,
    invitation,
    link,
)
from tests.factories.decisions import open_page
from tests.factories.people import Cast

__all__ = ["cast", "consultation"]

pytestmark = pytest.mark.usefixtures("rubric_published")

GONE = "This link does not work"


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
