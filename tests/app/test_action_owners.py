"""An action's owner: chosen on a draft from the trust's people, or named when they have no
account (and refused given twice or not at all); and, holding no role, signing in to record
progress on their action without being able to open the assessment."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import ActionStatus, AssessmentVersion, User
from assessments.people.directory import OWNER_MESSAGE
from assessments.people.passwords import hash_password
from tests.app.carried_action import ACTION, SAVED_MESSAGE, Carried, carried, stored_progress
from tests.app.pages import banner, error_for, error_summary, page, post_form, submit
from tests.factories.decisions import GOOD_ACTION, actions_shown, flagged_draft, open_page
from tests.factories.people import PASSWORD, make_person
from tests.factories.sign_in import sign_in
from tests.factories.trusts import AUTHOR

__all__ = ["carried"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")


# The owner, who holds no role ----------------------------------------------------------------


def test_the_owner_without_a_role_signs_in_and_records_progress_but_cannot_open_the_assessment(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    user = session.get(User, carried.owner.user_id)
    assert user is not None
    user.password_hash = hash_password(PASSWORD)
    session.add(user)
    session.commit()
    client = anonymous_client

    signed_in = sign_in(client, user.email, PASSWORD)

    assert signed_in.status_code == 303, signed_in.text[:500]
    home = open_page(client, "/")
    assert home.find("h2", id="my-actions").text == "Your mitigating actions"
    assert home.find("a", href=carried.page).text == ACTION
    doc = open_page(client, carried.page)
    # Every link on it opens: none leads to the assessment or the policy, which they may not see.
    links = {a.attrs["href"] for a in doc.find_all("a") if a.attrs["href"].startswith("/")}
    assert {href: client.get(href).status_code for href in links} == dict.fromkeys(links, 200)
    assert "See the whole assessment" not in doc.text
    response = submit(
        client, doc, carried.form, {"status": "done", "done_on": carried.today.isoformat()}
    )
    assert (response.status_code, response.headers["location"]) == (303, carried.page)
    assert banner(open_page(client, carried.page)) == SAVED_MESSAGE
    assert stored_progress(session, carried)[0] is ActionStatus.DONE
    assert not open_page(client, "/").has_id("my-actions")  # done: nothing left for them
    assert client.get(f"/assessments/{carried.version_id}/summary").status_code == 404
    assert client.get(f"/api/v1/assessment-versions/{carried.version_id}").status_code == 404


# Choosing an action's owner on a draft ----------------------------------------------------------


@pytest.fixture
def draft(session: Session) -> AssessmentVersion:
    draft = flagged_draft(session, reference="OW-001")
    session.commit()
    return draft


def test_the_action_form_offers_the_trusts_people_or_a_name_and_stores_the_person_chosen(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    olu = make_person(session, "Olu Owner")
    session.commit()
    form_page = open_page(client, f"/assessments/{draft.id}/actions/new")
    options = form_page.by_id("owner_user_id").find_all("option")
    people = {o.text: o.attrs["value"] for o in options}
    assert people["No one chosen"] == ""
    assert people["Olu Owner"] == str(olu.user_id) and people[AUTHOR.name] == "1"
    assert form_page.by_id("owner").attrs["type"] == "text"

    chosen = {**GOOD_ACTION, "question_ids": "change-and-offset", "owner": ""}
    response = post_form(
        client, f"/assessments/{draft.id}/actions", {**chosen, "owner_user_id": str(olu.user_id)}
    )

    assert response.status_code == 303
    (action,) = version_queries.actions_of_version(session, draft.id or 0)
    assert (action.owner, action.owner_user_id) == ("Olu Owner", olu.user_id)
    ((_, _, owner, *_),) = actions_shown(open_page(client, f"/assessments/{draft.id}/summary"))
    assert owner == "Olu Owner"  # an account: no "(no account)"
    named = {**chosen, "owner": "Deputy Head", "description": "Cancel one meeting"}
    assert post_form(client, f"/assessments/{draft.id}/actions", named).status_code == 303
    rows = actions_shown(open_page(client, f"/assessments/{draft.id}/summary"))
    assert sorted(row[2] for row in rows) == ["Deputy Head (no account)", "Olu Owner"]


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ({"owner": "Deputy Head", "owner_user_id": "1"}, "not both"),
        ({"owner": "", "owner_user_id": ""}, OWNER_MESSAGE),
    ],
)
def test_an_owner_given_twice_or_not_at_all_is_refused_next_to_the_owner_fields(
    client: TestClient,
    session: Session,
    draft: AssessmentVersion,
    owner: dict[str, str],
    message: str,
) -> None:
    data = {**GOOD_ACTION, "question_ids": "change-and-offset", **owner}

    response = post_form(client, f"/assessments/{draft.id}/actions", data)

    assert response.status_code == 422
    doc = page(response)
    assert message in error_for(doc, "owner")
    assert [href for _, href in error_summary(doc)] == ["#owner"]
    assert doc.by_id("owner").attrs["value"] == owner["owner"]
    chosen = [o for o in doc.by_id("owner_user_id").find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in chosen] == (
        [owner["owner_user_id"]] if owner["owner_user_id"] else []
    )
    assert version_queries.actions_of_version(session, draft.id or 0) == []
