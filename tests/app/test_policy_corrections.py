"""Putting right a policy's details that were entered wrongly, through its edit page and the
API, by its school's authors: saved with a confirmation and in the audit trail, a change made
meanwhile never overwritten, a policy moving school with its draft but not once approved, and
refused outright to whoever may not make it."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.models import AssessmentVersion, Policy, School
from assessments.policies import corrections
from assessments.policies.schemas import PolicyUpdate
from tests.app.correction_pages import (
    STALE,
    last_event,
    north,
    policy_of,
    register_rows,
    south,
    stored,
    summary,
)
from tests.app.pages import (
    Element,
    banner,
    error_for,
    error_summary,
    field_value,
    form_fields,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import make_api_token, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, make_policy
from tests.factories.versions import make_draft, make_version

__all__ = ["north", "south"]  # the fixtures


@pytest.fixture
def policy(session: Session, north: School) -> Policy:
    """A policy of North School, owned by someone named (no account)."""
    return make_policy(
        session,
        reference="CP-001",
        title="Homework policy",
        category="assessment-and-marking",
        owner="Deputy Head",
        school_id=north.id,
        review_cycle_months=12,
    )


def edit_url(policy: Policy) -> str:
    return f"/policies/{policy.id}/edit"


def correct(
    client: TestClient, policy: Policy, changes: dict[str, str], form: Element | None = None
) -> httpx2.Response:
    """Change the fields of the policy's edit form (opened now unless given) and save it."""
    form = form or open_page(client, edit_url(policy))
    return submit(client, form, f"/policies/{policy.id}", changes)


def test_the_edit_form_shows_the_policy_as_it_is_and_saving_shows_the_change(
    client: TestClient, session: Session, policy: Policy, south: School
) -> None:
    owner = make_person(session, "Olu Owner", Grant(Role.AUTHOR))
    shown = open_page(client, f"/policies/{policy.id}")
    assert shown.by_id("correct-policy").attrs["href"] == edit_url(policy)
    form = open_page(client, edit_url(policy))
    fields = form_fields(form.find("form", action=f"/policies/{policy.id}"))
    assert {k: v for k, v in fields.items() if k != "csrf_token"} == {
        "revision": "1",
        "title": "Homework policy",
        "category": "assessment-and-marking",
        "school_id": str(policy.school_id),
        "owner_user_id": "",
        "owner": "Deputy Head",
        "review_cycle_months": "12",
        "approving_body_id": "",  # any one approver
    }  # no reference, and no status: they are not corrected here

    response = correct(
        client,
        policy,
        {
            "title": "Homework and home learning policy",
            "category": "teaching-and-learning",
            "school_id": str(south.id),
            "owner_user_id": str(owner.user_id),
            "owner": "",
            "review_cycle_months": "24",
        },
        form,
    )

    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == f"/policies/{policy.id}"
    after = open_page(client, f"/policies/{policy.id}")
    assert banner(after) == "The policy's details are saved, and the change is in the audit trail."
    assert after.find("h1").text == "Homework and home learning policy"
    details = summary(after)
    assert (details["Category"], details["School"]) == ("Teaching and learning", "South School")
    assert (details["Owner"], details["Review cycle"]) == ("Olu Owner", "24 months")
    assert banner(open_page(client, f"/policies/{policy.id}")) is None  # shown once
    action, who, changes = last_event(session, "policy", policy.id)
    assert (action, who) == ("corrected", "Alex Author")
    assert '"title":["Homework policy","Homework and home learning policy"]' in changes
    assert '"owner":["Deputy Head","Olu Owner"]' in changes


def test_a_correction_made_meanwhile_is_not_overwritten_and_what_was_typed_is_kept(
    client: TestClient, session: Session, policy: Policy
) -> None:
    form = open_page(client, edit_url(policy))
    theirs = PolicyUpdate.model_validate(
        {**policy.model_dump(include=set(corrections.CORRECTED)), "title": "Their title"}
    )
    assert policy.id is not None
    corrections.update_policy(session=session, actor=AUTHOR, policy_id=policy.id, data=theirs)

    refused = correct(client, policy, {"title": "My title", "review_cycle_months": "36"}, form)

    assert refused.status_code == 422
    doc = page(refused)
    assert error_for(doc, "title").startswith(STALE)
    assert (field_value(doc, "title"), field_value(doc, "review_cycle_months")) == (
        "My title",
        "36",
    )
    saved = stored(session, Policy, policy.id)
    assert (saved.title, saved.review_cycle_months) == ("Their title", 12)
    # The form shown again builds on their change: saving it now is mine.
    again = correct(client, policy, {}, doc)
    assert again.status_code == 303
    saved = stored(session, Policy, policy.id)
    assert (saved.title, saved.review_cycle_months, saved.revision) == ("My title", 36, 3)


@pytest.mark.usefixtures("rubric_published")
def test_a_policy_moves_school_with_its_draft_until_its_assessment_is_approved(
    client: TestClient, session: Session, north: School, south: School
) -> None:
    draft = make_draft(session, reference="CP-010", title="Draft policy", school_id=north.id)
    approved = make_version(
        session, "approved", reference="CP-011", title="Approved policy", school_id=north.id
    )
    drafted, decided = policy_of(session, draft), policy_of(session, approved)

    moved = correct(client, drafted, {"school_id": str(south.id)})
    kept = correct(client, decided, {"school_id": str(south.id), "title": "Renamed policy"})

    assert moved.status_code == 303
    [(listed, where)] = register_rows(client, south)  # its draft follows it
    assert listed.startswith("CP-010: Draft policy (v1)") and where == "South School"
    [(listed, where)] = register_rows(client, north)
    assert listed.startswith("CP-011: Approved policy (v1)") and where == "North School"
    assert kept.status_code == 422
    doc = page(kept)
    message = error_for(doc, "school_id")
    assert message.startswith("Its assessment has been approved for this school")
    assert error_summary(doc) == [(message, "#school_id")]
    assert field_value(doc, "title") == "Renamed policy"
    saved = stored(session, Policy, decided.id)
    assert (saved.school_id, saved.title) == (north.id, "Approved policy")
    assert stored(session, AssessmentVersion, approved.id).school_id == north.id


@pytest.mark.parametrize(
    ("place", "message"),
    [("south", "Select one of your own schools"), ("", "Only trust-wide authors can make")],
    ids=["a school they do not author", "trust-wide"],
)
def test_a_school_author_cannot_move_a_policy_out_of_their_schools(
    client: TestClient,
    session: Session,
    settings: Settings,
    policy: Policy,
    north: School,
    south: School,
    place: str,
    message: str,
) -> None:
    sign_in_as(
        client, session, settings, make_person(session, "Nia North", Grant(Role.AUTHOR, north.id))
    )
    form = open_page(client, edit_url(policy))
    offered = [o.attrs["value"] for o in form.find("select", name="school_id").find_all("option")]
    assert offered == ["", str(north.id)]  # "Select a school", then only their own

    response = correct(client, policy, {"school_id": str(south.id) if place else ""}, form)

    assert response.status_code == 422
    assert error_for(page(response), "school_id").startswith(message)
    assert stored(session, Policy, policy.id).school_id == north.id


@pytest.mark.parametrize(
    ("who", "status"),
    [("approver", 403), ("auditor", 403), ("author of another school", 404)],
)
def test_only_the_policys_authors_may_correct_it(
    client: TestClient,
    session: Session,
    settings: Settings,
    policy: Policy,
    south: School,
    who: str,
    status: int,
) -> None:
    grant = {
        "approver": Grant(Role.APPROVER),
        "auditor": Grant(Role.AUDITOR),
        "author of another school": Grant(Role.AUTHOR, south.id),
    }[who]
    sign_in_as(client, session, settings, make_person(session, "Sam Someone", grant))
    good = {"title": "Not theirs to change", "category": "other", "owner": "Head"}

    opened = client.get(edit_url(policy))
    saved = post_form(client, f"/policies/{policy.id}", {**good, "review_cycle_months": "6"})

    assert (opened.status_code, saved.status_code) == (status, status)
    if status == 403:  # they see the policy, with no link to change it
        assert not open_page(client, f"/policies/{policy.id}").has_id("correct-policy")
    assert stored(session, Policy, policy.id).title == "Homework policy"


# The API


@pytest.fixture
def api(anonymous_client: TestClient, session: Session) -> TestClient:
    """AUTHOR's script, with a personal API token."""
    anonymous_client.headers["Authorization"] = f"Bearer {make_api_token(session, AUTHOR)}"
    return anonymous_client


CORRECTION = {
    "title": "Homework and home learning policy",
    "category": "teaching-and-learning",
    "owner": "Head of Year 7",
    "review_cycle_months": 24,
}


def test_the_api_corrects_a_policy_at_the_revision_read_and_refuses_a_stale_one(
    api: TestClient, session: Session, policy: Policy
) -> None:
    url = f"/api/v1/policies/{policy.id}"
    read = api.get(url)
    assert (read.headers["ETag"], read.json()["revision"]) == ('"1"', 1)
    body = {**CORRECTION, "school_id": policy.school_id}

    saved = api.put(url, json=body, headers={"If-Match": read.headers["ETag"]})
    stale = api.put(url, json={**body, "title": "Lost change"}, headers={"If-Match": '"1"'})
    stale_in_body = api.put(url, json={**body, "title": "Lost too", "expected_revision": 1})
    unsaid = api.put(url, json={**body, "title": "Blind change"})
    invalid = api.put(url, json={**body, "review_cycle_months": 0}, headers={"If-Match": '"2"'})

    assert (saved.status_code, saved.headers["ETag"]) == (200, '"2"')
    assert (saved.json()["title"], saved.json()["revision"]) == (CORRECTION["title"], 2)
    assert stale.status_code == 412 and STALE in stale.json()["detail"]
    assert stale_in_body.status_code == 409
    assert unsaid.status_code == 428 and "If-Match" in unsaid.json()["detail"]
    assert invalid.status_code == 422
    assert [e["loc"] for e in invalid.json()["detail"]] == [["body", "review_cycle_months"]]
    now = api.get(url).json()
    assert (now["title"], now["owner"], now["review_cycle_months"], now["revision"]) == (
        CORRECTION["title"],
        "Head of Year 7",
        24,
        2,
    )


@pytest.mark.usefixtures("rubric_published")
def test_the_api_refuses_to_move_an_approved_policy_naming_the_field(
    api: TestClient, session: Session, north: School, south: School
) -> None:
    version = make_version(session, "approved", reference="CP-020", school_id=north.id)
    url = f"/api/v1/policies/{policy_of(session, version).id}"

    response = api.put(url, json={**CORRECTION, "school_id": south.id}, headers={"If-Match": '"1"'})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "school_id"
    assert error["msg"].startswith("Its assessment has been approved for this school")
    assert api.get(url).json()["school_id"] == north.id
