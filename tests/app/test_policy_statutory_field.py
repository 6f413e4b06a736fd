"""Whether the law asks a policy of the trust, said on the policy form and through the API:
ticked when the policy is added or corrected, shown on its page and in the schedule, and kept
by a correction through the API that says nothing of it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import Policy
from assessments.policies import queries as policy_queries
from tests.app.decision_moves import api_as
from tests.app.pages import page, submit
from tests.factories.api import API, create_policy, policy_body
from tests.factories.decisions import open_page
from tests.factories.trusts import AUTHOR, make_policy

NEW = {
    "reference": "ST-001",
    "title": "Accessibility plan",
    "category": "other",
    "owner": "Headteacher",
    "school_id": "",
    "review_cycle_months": "36",
}


def stored(session: Session, policy_id: int) -> Policy:
    session.expire_all()
    return policy_queries.get_policy(session, policy_id)


def test_a_policy_added_as_statutory_is_shown_so(client: TestClient, session: Session) -> None:
    form = open_page(client, "/policies/new")
    assert "checked" not in form.by_id("statutory").attrs  # a new policy is not, unless said

    made = submit(client, form, "/policies", {**NEW, "statutory": "yes"})

    assert made.status_code == 303, made.text[:500]
    shown = open_page(client, made.headers["location"])
    assert shown.by_id("statutory").text == "Statutory"
    listed = page(client.get("/schedule?q=ST-001"))
    assert "Statutory" in listed.by_id("schedule").text


def test_the_edit_form_shows_it_ticked_and_untick_saves_it_is_not(
    client: TestClient, session: Session
) -> None:
    policy = make_policy(session, statutory=True)
    assert policy.id is not None
    form = open_page(client, f"/policies/{policy.id}/edit")
    assert "checked" in form.by_id("statutory").attrs

    saved = submit(client, form, f"/policies/{policy.id}", {"statutory": ""})

    assert saved.status_code == 303, saved.text[:500]
    assert stored(session, policy.id).statutory is False
    assert not open_page(client, f"/policies/{policy.id}").has_id("statutory")


def test_a_correction_through_the_api_keeps_it_unless_told_otherwise(
    anonymous_client: TestClient, session: Session
) -> None:
    client = api_as(anonymous_client, session, AUTHOR)
    policy = create_policy(client, statutory=True)
    assert policy["statutory"] is True
    address = f"{API}/policies/{policy['id']}"
    said = policy_body(title="Accessibility plan 2027")
    del said["reference"]

    kept = client.put(address, json={**said, "expected_revision": 1})
    cleared = client.put(address, json={**said, "statutory": False, "expected_revision": 2})

    assert kept.status_code == 200, kept.text
    assert kept.json()["statutory"] is True
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["statutory"] is False
    assert stored(session, policy["id"]).statutory is False
