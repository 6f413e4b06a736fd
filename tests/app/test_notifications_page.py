"""A person's Notifications page: what they were told lately, with how each email went, and
their choice, per kind, of an email each, a daily or weekly digest, or none; reached from
their account page, under their name in the header."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.models import Delivery, NotificationKind
from assessments.notifications import choices
from tests.app.pages import banner, error_for, error_summary, field_value, page, post_form, title
from tests.factories.people import Cast, make_cast
from tests.factories.sign_in import sign_in_as
from tests.factories.versions import submitted

pytestmark = pytest.mark.usefixtures("rubric_published")
ALL_SINGLE = {kind.value: "single" for kind in choices.CHOSEN_KINDS}


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@pytest.fixture
def approvers_browser(
    anonymous_client: TestClient, session: Session, settings: Settings, cast: Cast
) -> TestClient:
    sign_in_as(anonymous_client, session, settings, cast.approver)
    return anonymous_client


def test_the_page_lists_what_the_person_was_told_and_how_it_went(
    approvers_browser: TestClient, session: Session, cast: Cast
) -> None:
    account = page(approvers_browser.get("/account"))
    assert account.find("a", href="/notifications").text == "Notifications"
    empty = page(approvers_browser.get("/notifications"))
    assert "Nothing yet." in empty.text

    submitted(session, cast)
    doc = page(approvers_browser.get("/notifications"))
    (row,) = doc.find("tbody").find_all("tr")
    cells = [cell.text for cell in row.find_all("td")]
    assert cells[1].startswith("Awaiting your decision: ")
    assert cells[2] == "On its way"  # the worker has not sent it yet
    # Every kind defaults to an email each; account emails are not a choice.
    assert {k.value: field_value(doc, k.value) for k in choices.CHOSEN_KINDS} == ALL_SINGLE
    assert field_value(doc, NotificationKind.ACCOUNT.value) is None


def test_choices_are_saved_and_shown_again(
    approvers_browser: TestClient, session: Session, cast: Cast
) -> None:
    wanted = {**ALL_SINGLE, "awaiting-decision": "daily", "review-due": "none"}
    saved = post_form(approvers_browser, "/notifications", wanted)
    assert (saved.status_code, saved.headers["location"]) == (303, "/notifications")
    doc = page(approvers_browser.get("/notifications"))
    assert banner(doc) == "Your choices are saved. Emails already on their way still arrive."
    assert field_value(doc, "awaiting-decision") == "daily"
    assert field_value(doc, "review-due") == "none"
    assert (
        choices.chosen(session=session, actor=cast.approver)[NotificationKind.AWAITING_DECISION]
        is Delivery.DAILY
    )

    submitted(session, cast)  # awaits a decision: kept for the daily digest, not sent now
    row = page(approvers_browser.get("/notifications")).find("tbody").find("tr")
    assert row.find_all("td")[2].text == "In your daily digest"


def test_a_choice_left_out_or_made_up_is_shown_by_its_field_and_nothing_is_saved(
    approvers_browser: TestClient, session: Session, cast: Cast
) -> None:
    sent = {**ALL_SINGLE, "decided": "hourly", "action-due": "none"}
    del sent["review-due"]
    refused = post_form(approvers_browser, "/notifications", sent)
    assert refused.status_code == 422
    doc = page(refused)
    assert title(doc).startswith("Error: Notifications")
    assert (
        error_for(doc, "decided") == "Choose how you hear of “decisions on assessments you wrote”"
    )
    assert error_for(doc, "review-due") == "Choose how you hear of “policy reviews falling due”"
    assert [href for _, href in error_summary(doc)] == ["#decided", "#review-due"]
    assert field_value(doc, "action-due") == "none"  # what was chosen is kept
    assert (
        choices.chosen(session=session, actor=cast.approver)[NotificationKind.ACTION_DUE]
        is Delivery.SINGLE
    )


def test_someone_signed_out_is_sent_to_sign_in(anonymous_client: TestClient) -> None:
    response = anonymous_client.get("/notifications")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
