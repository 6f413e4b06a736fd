"""Withdrawing through its confirmation page and the API: a reason always asked for and kept in
the register, a withdrawn version not withdrawn twice, and starting it again as version 2,
offered only where it can be made."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel import clock
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from tests.app.decision_moves import REASON, api_as, label, redirected, shown_once
from tests.app.pages import error_for, page, submit
from tests.factories.api import API, locs
from tests.factories.decisions import open_page, url, version_forms, workflow_text
from tests.factories.trusts import AUTHOR
from tests.factories.versions import fill_in, make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")


def test_a_draft_is_withdrawn_with_a_reason_and_started_again_as_version_2(
    client: TestClient, session: Session
) -> None:
    draft = make_draft(session, reference="DC-010", title="Homework policy")
    assert draft.id is not None
    fill_in(session, draft.id, AUTHOR)
    summary = open_page(client, url(draft))
    score = summary.by_id("overall-score").text
    link = summary.find("a", cls="app-workflow__withdraw")
    assert (link.text, link.attrs["href"]) == ("Withdraw this assessment", url(draft, "withdraw"))
    assert url(draft, "withdraw") not in version_forms(summary, draft)  # a link, not a button

    doc = open_page(client, link.attrs["href"])
    assert doc.find("h1").text == "Withdraw version 1?"
    assert label(doc, "reason") == "Why is it withdrawn?"
    assert not doc.has_id("minute")
    assert "It stays in the register as withdrawn, with your reason." in doc.find("main").text
    button = doc.find("form", action=url(draft, "withdraw")).find("button")
    assert button.text == "Yes, withdraw version 1"
    assert "govuk-button--warning" in button.classes

    refused = submit(client, doc, url(draft, "withdraw"))

    assert refused.status_code == 422
    message = "Say why it is withdrawn, for the register (up to 2000 characters)"
    assert error_for(page(refused), "reason") == message
    assert "Version 1: Draft" in workflow_text(client, draft)

    withdrawn = submit(client, page(refused), url(draft, "withdraw"), {"reason": REASON})

    after = shown_once(client, withdrawn, "withdrawn", url(draft))
    today = clock.today().strftime("%-d %B %Y")
    assert after.by_id("withdrawn-reason").text == f"Withdrawn on {today}: “{REASON}”"
    restart = after.find("form", action=url(draft, "restart"))
    assert restart.find("button").text == "Start again (version 2)"

    started = submit(client, after, url(draft, "restart"))

    assert started.status_code == 303
    new_summary = started.headers["location"]
    assert new_summary != url(draft)
    second = shown_once(client, started, "restarted", new_summary)
    assert "Version 2: Draft" in second.by_id("workflow").text
    assert second.by_id("overall-score").text == score  # the answers came along
    assert "Version 1: Withdrawn" in workflow_text(client, draft)


def test_a_withdrawn_version_is_not_withdrawn_again_from_its_confirmation_page(
    client: TestClient, session: Session
) -> None:
    draft = make_draft(session)
    doc = open_page(client, url(draft, "withdraw"))
    redirected(client, submit(client, doc, url(draft, "withdraw"), {"reason": REASON}))

    assert client.get(url(draft, "withdraw")).status_code == 409
    again = submit(client, doc, url(draft, "withdraw"), {"reason": "Twice"})
    assert again.status_code == 409
    assert open_page(client, url(draft)).by_id("withdrawn-reason").text.endswith(f"“{REASON}”")


def test_the_api_withdraws_only_with_a_reason_and_restarts_as_a_new_draft(
    anonymous_client: TestClient, session: Session
) -> None:
    api = api_as(anonymous_client, session, AUTHOR)
    draft = make_draft(session)
    address = f"{API}/assessment-versions/{draft.id}"

    missing = api.post(f"{address}/withdraw", json={"expected_revision": 1})
    blank = api.post(f"{address}/withdraw", json={"expected_revision": 1, "reason": "  "})

    for refused in (missing, blank):
        assert refused.status_code == 422, refused.text
        assert locs(refused) == [["body", "reason"]]
    assert api.get(address).json()["status"] == "draft"
    withdrawn = api.post(f"{address}/withdraw", json={"expected_revision": 1, "reason": REASON})
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["decision_reason"]) == (
        "withdrawn",
        REASON,
    )

    restarted = api.post(f"{address}/restart")
    again = api.post(f"{address}/restart")

    assert restarted.status_code == 201, restarted.text
    body = restarted.json()
    assert (body["number"], body["status"], body["decision_reason"]) == (2, "draft", "")
    assert body["id"] != draft.id
    assert restarted.headers["ETag"] == f'"{body["revision"]}"'
    assert again.status_code == 409
    assert api.get(address).json()["status"] == VersionStatus.WITHDRAWN.value


def test_start_again_is_offered_only_where_it_can_be_made(
    client: TestClient, session: Session
) -> None:
    withdrawn = make_version(session, "withdrawn")
    assert withdrawn.id is not None
    assert "restart" in buttons_of(client, withdrawn)

    workflow.restart(session=session, actor=AUTHOR, version_id=withdrawn.id)

    assert "restart" not in buttons_of(client, withdrawn)  # version 2 is in progress


def buttons_of(client: TestClient, version: AssessmentVersion) -> list[str]:
    summary = open_page(client, url(version))
    return [form.attrs["action"].rsplit("/", 1)[-1] for form in summary.find_all("form")]
