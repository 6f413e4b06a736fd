"""A draft returned for changes: the approver's reason in front of its authors on every page of
the draft until it is sent again, and the approver's review then listing what changed since it
was returned (or saying nothing did)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.drafting import version_view
from assessments.kernel import clock
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion
from assessments.workflow import transitions as workflow
from tests.app.decision_moves import MINUTE, approver, shown_once, submitted
from tests.app.pages import Element, submit
from tests.factories.answers import answer
from tests.factories.decisions import open_page, question_text, table_rows, url
from tests.factories.people import make_approver
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC

__all__ = ["approver", "submitted"]  # the fixtures

pytestmark = pytest.mark.usefixtures("rubric_published")
TEXT_QUESTION = "what-is-stopped"  # free text of weight 0: changing it changes no score
CHANGE_CAPTIONS = {
    "Scores and ratings",
    "Answers",
    "Net workload hours per year",
    "Mitigating actions",
}  # the review's tables of what changed
SECTION = next(s.id for s in RUBRIC.sections if TEXT_QUESTION in [q.id for q in s.questions])


def returned_banner(doc: Element) -> str | None:
    return doc.by_id("returned-banner").text if doc.has_id("returned-banner") else None


def test_the_approvers_reason_stays_on_every_page_of_the_draft_until_it_is_sent_again(
    client: TestClient,
    session: Session,
    settings: Settings,
    approver: Actor,
    submitted: AssessmentVersion,
) -> None:
    review = open_page(client, url(submitted, "review"))
    reason = "Say which weekly report the new log replaces"
    returned = submit(
        client, review, url(submitted, "return"), {"reason": reason, "minute": MINUTE}
    )
    shown_once(client, returned, "returned", "/approvals")
    sign_in_as(client, session, settings, AUTHOR)
    summary = open_page(client, url(submitted))
    assert returned_banner(summary) is None  # returned, not yet a draft: its workflow says so

    reopened = submit(client, summary, url(submitted, "reopen"))

    shown_once(client, reopened, "reopened", url(submitted))
    today = clock.today().strftime("%-d %B %Y")
    expected = (
        f"Returned for changes Ama Approver returned it on {today}: “{reason}” Put this right, "
        "then submit it again from the summary."
    )
    assert submitted.id is not None
    (action,) = version_view.view_assessment(
        session=session, actor=AUTHOR, version_id=submitted.id
    ).actions
    pages = [
        url(submitted),
        url(submitted, f"sections/{SECTION}"),
        url(submitted, "workload"),
        url(submitted, "actions/new"),
        url(submitted, f"actions/{action.id}"),
    ]
    for address in pages:
        assert returned_banner(open_page(client, address)) == expected, address
    answer(session, submitted, TEXT_QUESTION, "The weekly planning return.")
    assert returned_banner(open_page(client, url(submitted))) == expected  # still, until sent
    sent = submit(client, open_page(client, url(submitted)), url(submitted, "submit"))

    shown_once(client, sent, "submitted", url(submitted))
    for address in pages[:3]:
        assert returned_banner(open_page(client, address)) is None, address

    sign_in_as(client, session, settings, approver)
    doc = open_page(client, url(submitted, "review"))
    assert (
        doc.by_id("changes-since-returned").text == "Changes since it was returned by Ama Approver"
    )
    assert not doc.has_id("changes")  # nothing approved before version 1
    tables = {
        t.find("caption").text: t
        for t in doc.find_all("table")
        if t.find_all("caption") and t.find("caption").text in CHANGE_CAPTIONS
    }
    assert [h.text for h in tables["Answers"].find_all("th") if h.attrs.get("scope") == "col"] == [
        "What",
        "When returned",
        "Now",
    ]
    was = f"What we found about {TEXT_QUESTION}."
    assert {caption: table_rows(t) for caption, t in tables.items()} == {
        "Answers": [[question_text(TEXT_QUESTION), was, "The weekly planning return."]]
    }


def test_a_version_sent_back_unchanged_says_nothing_changed_since_it_was_returned(
    client: TestClient, session: Session, settings: Settings, submitted: AssessmentVersion
) -> None:
    approver = make_approver(session, "Ama Approver")
    assert submitted.id is not None
    workflow.return_version(session=session, actor=approver, version_id=submitted.id, reason="Why")
    workflow.reopen(session=session, actor=AUTHOR, version_id=submitted.id)
    workflow.submit(session=session, actor=AUTHOR, version_id=submitted.id)
    sign_in_as(client, session, settings, approver)

    doc = open_page(client, url(submitted, "review"))

    assert (
        doc.by_id("changes-since-returned").text == "Changes since it was returned by Ama Approver"
    )
    assert "Nothing has changed since it was returned by Ama Approver." in doc.text
