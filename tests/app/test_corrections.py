"""Putting right what was entered wrongly, through the pages and the API: a policy's details
(by its school's authors), a school's name and a person's name, email and roles (by the trust's
admins). Each is saved with a confirmation, refused with a message by its field, or refused
outright to whoever may not make it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.models import Assessment, AssessmentVersion, Policy, School, User
from assessments.people import accounts, queries as people_queries
from assessments.policies import corrections, trust_schools
from assessments.policies.schemas import PolicyUpdate
from tests.app.pages import (
    Element,
    error_for,
    error_summary,
    field_value,
    form_fields,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page, table_rows
from tests.factories.people import add_local_auditor, make_api_token, make_person, start_session
from tests.factories.sign_in import SESSION_COOKIE, sign_in, sign_in_as
from tests.factories.trusts import AUTHOR, make_policy, make_school
from tests.factories.versions import make_draft, make_version

PASSWORD = "termly-review-orchard-47"
STALE = "Someone else changed this after you opened it"
Row = TypeVar("Row", Policy, School, User, AssessmentVersion)


@pytest.fixture
def north(session: Session) -> School:
    return make_school(session, "North School")


@pytest.fixture
def south(session: Session) -> School:
    return make_school(session, "South School")


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


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """Someone else's browser, beside the admin's `client`."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        yield other


def banner(doc: Element) -> str | None:
    found = doc.find_all(cls="govuk-notification-banner")
    return found[0].find(cls="govuk-notification-banner__heading").text if found else None


def summary(doc: Element) -> dict[str, str]:
    """The first summary list, key → value as shown."""
    rows = doc.find_all(cls="govuk-summary-list")[0].find_all(cls="govuk-summary-list__row")
    return {
        row.find(cls="govuk-summary-list__key").text: row.find(cls="govuk-summary-list__value").text
        for row in rows
    }


def stored(session: Session, model: type[Row], row_id: int | None) -> Row:
    """The row as saved now."""
    session.expire_all()
    found = session.get(model, row_id)
    assert found is not None
    return found


def policy_of(session: Session, version: AssessmentVersion) -> Policy:
    assessment = session.get(Assessment, version.assessment_id)
    assert assessment is not None
    return stored(session, Policy, assessment.policy_id)


def last_event(session: Session, entity: str, entity_id: int | None) -> tuple[str, str, str]:
    """(action, who, changes) of the record's latest audit event."""
    assert entity_id is not None
    event = audit.events_of(session, entity, entity_id)[-1]
    return event.action, event.actor_name, event.changes


# --- A policy's details -------------------------------------------------------------------


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


def register_rows(client: TestClient, school: School) -> list[tuple[str, str]]:
    """(policy, school) of each row the register shows for a school."""
    doc = open_page(client, f"/register?school={school.id}")
    rows = table_rows(doc.by_id("results").find("table"))
    return [] if rows == [["No version matches."]] else [(row[0], row[1]) for row in rows]


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


# --- A school's name ----------------------------------------------------------------------


def school_url(school: School) -> str:
    return f"/admin/schools/{school.id}"


def rename(
    client: TestClient, school: School, name: str, form: Element | None = None
) -> httpx2.Response:
    form = form or open_page(client, school_url(school))
    return submit(client, form, school_url(school), {"name": name})


def test_a_name_that_differs_only_in_case_or_spacing_is_refused_next_to_the_field(
    client: TestClient, session: Session, north: School, south: School
) -> None:
    form = open_page(client, school_url(south))
    assert field_value(form, "name") == "South School"

    response = rename(client, south, "north  SCHOOL", form)

    assert response.status_code == 422
    doc = page(response)
    message = "The trust already has a school called 'North School'"
    assert error_for(doc, "name") == message
    assert error_summary(doc) == [(message, "#name")]
    assert field_value(doc, "name") == "north  SCHOOL"
    assert stored(session, School, south.id).name == "South School"


@pytest.mark.usefixtures("rubric_published")
def test_a_renamed_school_shows_its_new_name_on_its_policies_and_in_the_register(
    client: TestClient, session: Session, north: School
) -> None:
    draft = make_draft(session, reference="CP-030", title="Homework policy", school_id=north.id)

    response = rename(client, north, "  North   Academy ")

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/schools"
    schools = open_page(client, "/admin/schools")
    assert banner(schools) == "The school's name is changed everywhere it is shown."
    assert "North Academy" in schools.by_id("schools").text
    policy = policy_of(session, draft)
    assert summary(open_page(client, f"/policies/{policy.id}"))["School"] == "North Academy"
    [(_, where)] = register_rows(client, north)
    assert where == "North Academy"
    action, _, changes = last_event(session, "school", north.id)
    assert (action, changes) == ("renamed", '{"name":["North School","North Academy"]}')


def test_a_rename_made_meanwhile_is_not_overwritten(
    client: TestClient, session: Session, north: School
) -> None:
    form = open_page(client, school_url(north))
    assert north.id is not None
    trust_schools.rename_school(
        session=session, actor=AUTHOR, school_id=north.id, name="North Primary", expected_revision=1
    )  # another admin, meanwhile

    response = rename(client, north, "North Academy", form)

    assert response.status_code == 409
    doc = page(response)
    assert error_for(doc, "name").startswith(STALE)
    assert field_value(doc, "name") == "North Academy"
    assert stored(session, School, north.id).name == "North Primary"


def test_another_trusts_school_is_not_found(client: TestClient, session: Session) -> None:
    accounts.create_trust(session=session, name="Hillside trust")
    operator = accounts.operator_of_trust(session=session, trust_name="Hillside trust")
    theirs = trust_schools.create_school(session=session, actor=operator, name="Hillside Academy")
    assert theirs is not None

    opened = client.get(school_url(theirs))
    renamed = post_form(client, school_url(theirs), {"name": "Taken Over", "revision": "1"})

    assert (opened.status_code, renamed.status_code) == (404, 404)
    assert stored(session, School, theirs.id).name == "Hillside Academy"


# --- A person's name and email ------------------------------------------------------------


@pytest.fixture
def bea(session: Session) -> User:
    return add_local_auditor(
        session, email="bea@local.example", name="Bea Brown", password=PASSWORD
    )


def person_url(user: User | int | None) -> str:
    return f"/admin/users/{user.id if isinstance(user, User) else user}"


def change_details(client: TestClient, user: User, changes: dict[str, str]) -> httpx2.Response:
    url = person_url(user)
    return submit(client, open_page(client, url), f"{url}/details", changes)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "CAL@local.example"}, "email", "cal@local.example already has an account"),
        ({"email": "bea at local"}, "email", "Enter an email address in the correct format"),
        ({"name": "   "}, "name", "Enter the person's name, up to"),
    ],
    ids=["email taken in the trust", "not an email", "no name"],
)
def test_a_wrong_name_or_email_is_refused_next_to_its_field(
    client: TestClient,
    session: Session,
    bea: User,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    make_person(session, "Cal Clark")  # cal.clark@accounts.example
    add_local_auditor(session, email="cal@local.example", name="Cal Clark", password=PASSWORD)
    typed = {"name": "Bea Browne", "email": "bea.browne@local.example", **changes}

    response = change_details(client, bea, typed)

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, field).startswith(message)
    assert [href for _, href in error_summary(doc)] == [f"#{field}"]
    assert (field_value(doc, "name"), field_value(doc, "email")) == (typed["name"], typed["email"])
    saved = stored(session, User, bea.id)
    assert (saved.name, saved.email) == ("Bea Brown", "bea@local.example")


def test_a_corrected_name_and_email_are_saved_and_she_signs_in_with_the_new_email(
    client: TestClient, session: Session, bea: User, browser: TestClient
) -> None:
    response = change_details(
        client, bea, {"name": " Bea   Browne ", "email": "Bea.Browne@Local.example"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == person_url(bea)
    doc = open_page(client, person_url(bea))
    assert banner(doc) == "Their details are saved."
    assert doc.find("h1").text == "Bea Browne"
    assert summary(doc)["Email address"] == "bea.browne@local.example"
    action, _, changes = last_event(session, "user", bea.id)
    assert action == "details changed" and '"email":["bea@local.example"' in changes
    assert sign_in(browser, "bea@local.example", PASSWORD).status_code == 422
    assert sign_in(browser, "bea.browne@local.example", PASSWORD).status_code == 303


# --- A person's roles ---------------------------------------------------------------------


def held_roles(doc: Element) -> list[tuple[str, str]]:
    if not doc.has_id("held-roles"):
        return []
    rows = doc.by_id("held-roles").find("tbody").find_all("tr")
    return [(row.find_all("td")[0].text, row.find_all("td")[1].text) for row in rows]


def notes(doc: Element) -> list[str]:
    return [
        note.find("strong").text.removeprefix("Warning").strip()
        for note in doc.find_all(cls="app-role-note")
    ]


def add_role(client: TestClient, user: User | int, role: str, place: object) -> httpx2.Response:
    url = person_url(user)
    changes = {"role": role, "place": "" if place is None else str(place)}
    return submit(client, open_page(client, url), f"{url}/roles/add", changes)


def remove_role(client: TestClient, doc: Element, role: str, where: str) -> httpx2.Response:
    rows = doc.by_id("held-roles").find("tbody").find_all("tr")
    [row] = [r for r in rows if [td.text for td in r.find_all("td")[:2]] == [role, where]]
    form = row.find("form")
    return client.post(form.attrs["action"], data=form_fields(form))


def is_signed_in(browser: TestClient) -> bool:
    return browser.get("/account/tokens").status_code == 200


def signed_in_as(browser: TestClient, session: Session, user: User) -> None:
    browser.cookies.set(SESSION_COOKIE, start_session(session, accounts.actor_of(session, user)))


def grants_of(session: Session, user: User) -> set[Grant]:
    assert user.id is not None
    session.expire_all()
    return {Grant(r.role, r.school_id) for r in people_queries.grants_of_user(session, user.id)}


@pytest.fixture
def thirty_schools(session: Session) -> list[School]:
    return [make_school(session, f"School {n:02d}") for n in range(1, 31)]


def test_a_trust_of_thirty_schools_offers_one_place_list_and_adds_the_one_role_chosen(
    client: TestClient,
    session: Session,
    thirty_schools: list[School],
    browser: TestClient,
) -> None:
    dev = add_local_auditor(session, email="dev@local.example", name="Dev Dunn", password=PASSWORD)
    removed = remove_role(client, open_page(client, person_url(dev)), "Auditor", "Trust-wide")
    assert removed.status_code == 303
    signed_in_as(browser, session, dev)
    doc = open_page(client, person_url(dev))
    assert not doc.find_all("input", type="checkbox")
    places = doc.find("select", name="place").find_all("option")
    assert [o.text for o in places] == ["Trust-wide (every school)"] + [
        f"School {n:02d}" for n in range(1, 31)
    ]
    assert len(doc.find_all("input", name="role")) == len(Role)
    assert notes(doc) == ["They have no role: they can sign in but see nothing until given one."]

    response = add_role(client, dev, "author", thirty_schools[16].id)

    assert response.status_code == 303
    after = open_page(client, person_url(dev))
    assert held_roles(after) == [("Author", "School 17")]
    assert notes(after) == []
    assert grants_of(session, dev) == {Grant(Role.AUTHOR, thirty_schools[16].id)}
    assert not is_signed_in(browser)


def test_a_role_they_already_have_there_is_refused_next_to_the_role(
    client: TestClient, session: Session, north: School, bea: User, browser: TestClient
) -> None:
    assert add_role(client, bea, "author", north.id).status_code == 303
    signed_in_as(browser, session, bea)

    response = add_role(client, bea, "author", north.id)

    assert response.status_code == 422
    doc = page(response)
    message = "They already have that role there"
    assert error_for(doc, "role") == message
    assert error_summary(doc) == [(message, "#role")]
    chosen = form_fields(doc.by_id("add-role"))
    assert (chosen["role"], chosen["place"]) == ("author", str(north.id))
    assert held_roles(doc) == [("Auditor", "Trust-wide"), ("Author", "North School")]
    assert is_signed_in(browser)  # nothing changed, so nobody was signed out


def test_removing_a_role_leaves_the_others_and_a_stale_remove_says_why(
    client: TestClient, session: Session, north: School, bea: User
) -> None:
    add_role(client, bea, "author", north.id)
    doc = open_page(client, person_url(bea))

    removed = remove_role(client, doc, "Author", "North School")
    again = remove_role(client, doc, "Author", "North School")  # the same page, pressed twice

    assert removed.status_code == 303
    assert again.status_code == 422
    refused = page(again)
    assert error_for(refused, "roles") == "They do not have that role there"
    assert error_summary(refused) == [("They do not have that role there", "#roles")]
    assert held_roles(refused) == [("Auditor", "Trust-wide")]
    assert grants_of(session, bea) == {Grant(Role.AUDITOR)}


def test_a_school_role_that_their_trust_wide_role_covers_is_noted_until_removed(
    client: TestClient, session: Session, north: School, bea: User
) -> None:
    add_role(client, bea, "auditor", north.id)
    doc = open_page(client, person_url(bea))
    assert notes(doc) == [
        "Auditor at North School is already covered by their trust-wide auditor role; "
        "it can be removed."
    ]

    remove_role(client, doc, "Auditor", "North School")

    assert notes(open_page(client, person_url(bea))) == []


def test_a_role_at_another_trusts_school_is_refused_next_to_the_place(
    client: TestClient, session: Session, bea: User
) -> None:
    accounts.create_trust(session=session, name="Hillside trust")
    operator = accounts.operator_of_trust(session=session, trust_name="Hillside trust")
    theirs = trust_schools.create_school(session=session, actor=operator, name="Hillside Academy")
    assert theirs is not None

    response = post_form(
        client, f"{person_url(bea)}/roles/add", {"role": "author", "place": str(theirs.id)}
    )

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "place") == "Choose roles for the trust or for its own schools"
    assert [href for _, href in error_summary(doc)] == ["#place"]
    assert grants_of(session, bea) == {Grant(Role.AUDITOR)}
