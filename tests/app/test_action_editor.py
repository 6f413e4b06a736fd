"""Adding and changing actions in place on the summary (htmx), the same forms as without JS."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import AssessmentVersion
from tests.app.pages import csrf_cookie, is_fragment, page


def test_the_action_form_opens_in_place_and_shows_errors_there(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    summary = page(client.get(f"/assessments/{draft.id}/summary"))
    opener = summary.by_id("action-editor").find("a")
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf_cookie(client)}

    editor = client.get(opener.attrs["hx-get"], headers=htmx)
    doc = page(editor)
    assert is_fragment(doc)
    form = doc.by_id("action-editor").find("form")
    assert form.attrs["hx-target"] == "#action-editor"
    assert [h.text for h in doc.find_all("h2")] == ["Add a mitigating action"]  # in place
    whole_page = page(client.get(opener.attrs["href"]))
    headings = [h.text for h in whole_page.find("main").find_all() if h.tag in {"h1", "h2"}]
    assert headings == ["Add a mitigating action"]  # the h1, said once

    refused = client.post(form.attrs["hx-post"], data={"owner": "Head"}, headers=htmx)

    assert refused.status_code == 422
    again = page(refused)
    assert is_fragment(again) and again.by_id("action-editor")
    assert again.by_id("owner").attrs["value"] == "Head"  # what was typed is kept
    assert version_queries.actions_of_version(session, draft.id or 0) == []

    saved = client.post(
        form.attrs["hx-post"],
        data={
            "description": "Cancel one meeting",
            "question_ids": "what-is-stopped",
            "owner": "Head",
            "status": "planned",
            "residual_impact": "1",
            "due_date": "31/3/2027",
        },  # typed the British way where there is no date picker
        headers=htmx,
    )

    assert (saved.status_code, saved.headers["hx-redirect"]) == (
        204,
        f"/assessments/{draft.id}/summary",  # no #fragment: htmx must load the page afresh
    )
    saved_actions = version_queries.actions_of_version(session, draft.id or 0)
    assert [(a.description, a.due_date) for a in saved_actions] == [
        ("Cancel one meeting", date(2027, 3, 31))
    ]
