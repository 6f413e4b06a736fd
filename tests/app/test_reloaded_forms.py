"""A form's URL asked for as a page (a refused form's page reloaded, or its address reopened)
leads back to the page the form was on, never to "That cannot be done here"."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories.versions import make_draft

pytestmark = pytest.mark.usefixtures("rubric_published")


@pytest.mark.parametrize(
    ("form", "page"),
    [
        ("/assessments/{v}/return", "/assessments/{v}"),
        ("/assessments/{v}/submit", "/assessments/{v}"),
        ("/assessments/{v}/actions/9/remove", "/assessments/{v}/actions/9"),
        ("/actions/9/progress", "/actions/9"),
        ("/sign-out", "/"),
    ],
)
def test_a_forms_url_reopened_goes_back_to_its_page(
    client: TestClient, session: Session, form: str, page: str
) -> None:
    draft = make_draft(session)

    response = client.get(form.format(v=draft.id), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == page.format(v=draft.id)


def test_the_page_it_goes_back_to_opens(client: TestClient, session: Session) -> None:
    draft = make_draft(session)

    response = client.get(f"/assessments/{draft.id}/return", follow_redirects=True)

    assert response.status_code == 200
    assert "That cannot be done here" not in response.text
    assert response.url.path == f"/assessments/{draft.id}/screening"  # a new draft's first step


def test_the_api_still_says_which_methods_a_url_takes(client: TestClient, session: Session) -> None:
    draft = make_draft(session)

    response = client.get(f"/api/v1/assessment-versions/{draft.id}/submit")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
