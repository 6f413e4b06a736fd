"""Each move's confirmation: submitting, starting a review of an approved version, adding a
school and adding a person each show a banner once, on the page the move leads to, saying what
happens next."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.app.decision_moves import shown_once
from tests.app.pages import post_form, submit
from tests.factories.decisions import open_page, url
from tests.factories.trusts import AUTHOR
from tests.factories.versions import fill_in, make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")


def test_submitting_says_what_happens_next_once(client: TestClient, session: Session) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    fill_in(session, draft.id, AUTHOR)

    sent = submit(client, open_page(client, url(draft)), url(draft, "submit"))

    after = shown_once(client, sent, "submitted", url(draft))
    assert "Version 1: Submitted" in after.by_id("workflow").text


def test_starting_a_review_of_an_approved_version_says_what_happens_next(
    client: TestClient, session: Session
) -> None:
    approved = make_version(session, "approved")

    revised = submit(client, open_page(client, url(approved)), url(approved, "revise"))

    assert revised.status_code == 303
    second = shown_once(client, revised, "revised", revised.headers["location"])
    assert "Version 2: Draft" in second.by_id("workflow").text


def test_adding_a_school_says_what_to_do_next(client: TestClient) -> None:
    doc = open_page(client, "/admin/schools")

    added = submit(client, doc, "/admin/schools", {"name": "Hillside Academy"})

    after = shown_once(client, added, "school-added", "/admin/schools")
    assert "Hillside Academy" in after.find("main").text


def test_adding_a_person_says_what_to_do_next(client: TestClient) -> None:
    data = {
        "name": "Eve Evans",
        "email": "eve.evans@local.example",
        "password": "ladder orchard quietly 47",
        "role": "author",
        "place": "",
    }

    added = post_form(client, "/admin/users", data)

    assert added.status_code == 303, added.text[:500]
    after = shown_once(client, added, "person-added", added.headers["location"])
    assert "Eve Evans" in after.find("h1").text
