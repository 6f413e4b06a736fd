"""Consulting staff on a draft through the author's pages (issue 18): the summary's link opens
the form (two weeks from today to begin with), which opens the consultation and leads to its
page with a confirmation; the summary then lists it and offers no second one while it is open.
Each bad input is shown by its field (422) with what was typed kept and nothing saved. Only the
policy's authors are offered the form and may use it, on a draft only. The author closes it
early (CSRF-checked); nobody else may. (What staff said: test_consultation_results_page.py.)"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.flash import CONFIRMATIONS
from app.pages.consultations import MESSAGES
from app.settings import Settings
from assessments.consultations.opening import NOT_A_DRAFT
from tests.app.consultation_pages import (
    STAFF,
    SUMMARY,
    author,
    cast,
    consult,
    consult_link,
    consultations,
    days,
    draft,
    facts,
    form_url,
    letters,
    open_url,
    said,
    summary_url,
    today,
    typed,
)
from tests.app.pages import (
    banner,
    error_for,
    error_summary,
    field_value,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import Cast
from tests.factories.sign_in import sign_in_as
from tests.factories.versions import submitted

__all__ = ["author", "cast", "draft"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")

# --- opening one ------------------------------------------------------------------------------


def test_the_author_opens_one_from_the_summary_which_then_lists_it(
    author: TestClient, session: Session, draft: int
) -> None:
    summary = open_page(author, summary_url(draft))
    assert summary.by_id("consultations").text == "Staff consultation"
    assert consult_link(summary) == [form_url(draft)]

    form = open_page(author, form_url(draft))
    assert {name: field_value(form, name) for name in dates()} == dates()

    opened = submit(author, form, open_url(draft), {"summary": SUMMARY, "invitees": STAFF})

    assert opened.status_code == 303, opened.text[:500]
    [consultation] = consultations(session, draft)
    assert opened.headers["location"] == f"/consultations/{consultation.id}"
    doc = open_page(author, opened.headers["location"])
    assert banner(doc) == CONFIRMATIONS["consultation-opened"]
    assert facts(doc) == {
        "Open": f"{said(today())} to {said(days(14))}",
        "Where it stands": "Open",
        "Asked": "3",
        "Answered": "0 (0%)",
    }
    assert doc.by_id("summary").text == SUMMARY
    assert len(letters(session)) == 3

    summary = open_page(author, summary_url(draft))
    line = summary.by_id(f"consultation-{consultation.id}")
    assert line.find("a").attrs["href"] == f"/consultations/{consultation.id}"
    assert f"{said(today())} to {said(days(14))}: open" in line.text
    assert "0 of 3 asked" in line.text
    assert consult_link(summary) == []  # one at a time
    refused = post_form(author, open_url(draft), {**GOOD, **dates()})
    assert refused.status_code == 409
    assert "being consulted already" in page(refused).find("main").text
    assert len(consultations(session, draft)) == 1


GOOD = {"summary": SUMMARY, "invitees": STAFF}
NO_DAY: dict[str, str | int] = {"closes_on-day": "", "closes_on-month": "", "closes_on-year": ""}
# id: (what is sent instead, a date as days from today; the field refused; its message's start)
BAD: dict[str, tuple[dict[str, str | int], str, str]] = {
    "empty-summary": ({"summary": ""}, "summary", MESSAGES["summary"]),
    "summary-too-long": ({"summary": "x" * 4001}, "summary", MESSAGES["summary"]),
    "no-invitees": ({"invitees": " \n"}, "invitees", "List the staff to ask: a line for each"),
    "bad-email-line": (
        {"invitees": "a@oak.example, Teachers\nnope, Teachers"},
        "invitees",
        "Line 2: 'nope' is not an email address",
    ),
    "unknown-staff-group": (
        {"invitees": "a@oak.example, Cooks"},
        "invitees",
        "Line 1: 'Cooks' is not a staff group. Use one of: Teachers",
    ),
    "markup-as-typed": ({"invitees": "a@oak.example, <b>Cooks</b>"}, "invitees", "Line 1: '<b>"),
    "first-day-past": ({"opens_on": -1}, "opens_on", "Enter a first day of today or later"),
    "over-a-year-ahead": ({"opens_on": 367, "closes_on": 370}, "opens_on", "Enter a first day wi"),
    "last-before-first": ({"opens_on": 5, "closes_on": 4}, "closes_on", "Enter a last day on or"),
    "too-long": ({"opens_on": 0, "closes_on": 93}, "closes_on", "Enter a last day within 92 days"),
    "not-a-date": ({"opens_on-day": "31", "opens_on-month": "2"}, "opens_on", MESSAGES["opens_on"]),
    "no-last-day": (NO_DAY, "closes_on", MESSAGES["closes_on"]),
}


def dates(opens_on: int = 0, closes_on: int = 14) -> dict[str, str]:
    return {**typed("opens_on", days(opens_on)), **typed("closes_on", days(closes_on))}


@pytest.mark.parametrize("case", BAD)
def test_each_bad_input_is_shown_by_its_field_with_what_was_typed_kept(
    author: TestClient, session: Session, draft: int, case: str
) -> None:
    changes, field, message = BAD[case]
    sent = {**GOOD}
    for name, value in changes.items():
        sent |= typed(name, days(value)) if isinstance(value, int) else {name: value}

    refused = submit(author, open_page(author, form_url(draft)), open_url(draft), sent)

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert error_for(doc, field).startswith(message)
    day = "-day" if field.endswith("_on") else ""  # a date's link goes to its day field
    assert error_summary(doc) == [(error_for(doc, field), f"#{field}{day}")]
    for name, value in sent.items():
        assert field_value(doc, name) == value, name
    assert "<b>" not in refused.text  # what was typed is shown as text, never as markup
    assert consultations(session, draft) == []
    assert letters(session) == []

    fixed = submit(author, doc, open_url(draft), {**GOOD, **dates()})
    assert fixed.status_code == 303, fixed.text[:500]
    assert len(consultations(session, draft)) == 1


# --- who may open one ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("approver", 403), ("auditor", 403), ("other_author", 404)]
)
def test_nobody_but_the_policys_authors_is_offered_or_given_the_form(
    client: TestClient,
    session: Session,
    settings: Settings,
    cast: Cast,
    draft: int,
    who: str,
    status: int,
) -> None:
    sign_in_as(client, session, settings, getattr(cast, who))
    if status == 403:  # they see the draft, and no way to consult its staff
        summary = open_page(client, summary_url(draft))
        assert consult_link(summary) == []

    assert client.get(form_url(draft)).status_code == status
    assert post_form(client, open_url(draft), {**GOOD, **dates()}).status_code == status
    assert consultations(session, draft) == []
    assert letters(session) == []

    consultation_id = consult(session, cast.author, draft)  # nor may they close one
    assert post_form(client, f"/consultations/{consultation_id}/close", {}).status_code == status
    assert consultations(session, draft)[0].closed_at is None


def test_a_submitted_version_is_not_consulted_on(
    author: TestClient, session: Session, cast: Cast
) -> None:
    version_id = submitted(session, cast)
    session.commit()
    assert consult_link(open_page(author, summary_url(version_id))) == []

    refused = open_page(author, form_url(version_id), 409)
    assert refused.find("h1").text == "That cannot be done now"
    assert NOT_A_DRAFT in refused.find("main").text
    assert post_form(author, open_url(version_id), {**GOOD, **dates()}).status_code == 409
    assert consultations(session, version_id) == []


# --- closing it ---------------------------------------------------------------------------------


def test_the_author_closes_it_early_with_the_forms_token_and_may_consult_again(
    author: TestClient, session: Session, cast: Cast, draft: int
) -> None:
    consultation_id = consult(session, cast.author, draft)
    address = f"/consultations/{consultation_id}"
    doc = open_page(author, address)
    assert doc.find("form", action=f"{address}/close").find("button").text == "Close it now"
    forged = author.post(f"{address}/close", data={})  # without the form's CSRF token
    assert forged.status_code == 403
    assert "did not come from this service" in page(forged).find("main").text
    assert consultations(session, draft)[0].closed_at is None

    closed = submit(author, doc, f"{address}/close")

    assert closed.status_code == 303, closed.text[:500]
    assert closed.headers["location"] == address
    after = open_page(author, address)
    assert banner(after) == CONFIRMATIONS["consultation-closed"]
    assert facts(after)["Where it stands"] == f"Closed early, on {said(today())}"
    assert after.find_all("form", action=f"{address}/close") == []
    assert consultations(session, draft)[0].closed_at is not None
    summary = open_page(author, summary_url(draft))
    line = summary.by_id(f"consultation-{consultation_id}").text
    assert ": closed" in line and "0 of 3 asked" in line
    assert consult_link(summary) == [form_url(draft)]

    assert post_form(author, f"{address}/close", {}).status_code == 409  # closed already


def test_a_consultation_to_come_says_so_to_its_author(
    author: TestClient, session: Session, cast: Cast, draft: int
) -> None:
    form = open_page(author, form_url(draft))
    opened = submit(author, form, open_url(draft), {**GOOD, **dates(1, 8)})
    assert opened.status_code == 303, opened.text[:500]
    doc = open_page(author, opened.headers["location"])
    assert facts(doc)["Where it stands"] == "Not open yet"
    [consultation] = consultations(session, draft)
    line = open_page(author, summary_url(draft)).by_id(f"consultation-{consultation.id}")
    assert f"{said(days(1))} to {said(days(8))}: not open yet" in line.text
