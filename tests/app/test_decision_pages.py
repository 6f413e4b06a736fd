"""The approvers' queue, review and decision, used through the pages as a browser uses them:
the queue of versions they did not write, the review with every answer and what changed since
version 1, approving once (setting the review dates), returning only with a reason its author
then sees, and an author never deciding on their own version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion
from assessments.workflow import transitions as workflow
from tests.app.decision_moves import approver
from tests.app.pages import error_for, error_summary, page, post_form, submit
from tests.factories.decisions import (
    answer_change,
    changes_shown,
    open_page,
    question_text,
    second_version_changed,
    table_rows,
    url,
    version_forms,
    workflow_text,
)
from tests.factories.people import author_and_approver
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC
from tests.factories.versions import make_draft, make_version

__all__ = ["approver"]  # the fixture


@pytest.fixture
def submitted(session: Session, rubric_published: None) -> AssessmentVersion:
    """Submitted by AUTHOR, with one action (for answers.HIGH_QUESTION)."""
    return make_version(session, "submitted", reference="DP-010", title="Marking policy")


def test_the_approvers_queue_lists_submitted_versions_they_did_not_write(
    client: TestClient, session: Session, settings: Settings, submitted: AssessmentVersion
) -> None:
    both = author_and_approver(session)
    make_version(session, "submitted", actor=both, reference="DP-011", title="Her own policy")
    make_draft(session, reference="DP-012")  # a draft awaits nobody
    sign_in_as(client, session, settings, both)

    queue = open_page(client, "/approvals").by_id("queue")

    assert [row[:3] for row in table_rows(queue)] == [["DP-010: Marking policy", "1", AUTHOR.name]]
    assert queue.find("a").attrs["href"] == url(submitted, "review")


def test_the_review_shows_every_answer_and_the_decision_form(
    client: TestClient, approver: Actor, submitted: AssessmentVersion
) -> None:
    review = open_page(client, url(submitted, "review"))

    assert review.has_id("decision")
    # The decision comes after the whole assessment; approving is confirmed on a page of its own.
    assert version_forms(review, submitted) == [url(submitted, "return")]
    assert review.by_id("approve-link").attrs["href"] == url(submitted, "approve")
    assert review.text.index("Answers") < review.text.index("Your decision")
    assert not review.has_id("changes")  # nothing approved before version 1
    assert review.find_all("nav", cls="app-progress") == []  # the author's steps, not here
    shown = {
        row.find("dt").text: row.find("dd").text
        for row in review.find_all("div", cls="govuk-summary-list__row")
    }
    questions = list(RUBRIC.questions())
    assert RUBRIC.screening is not None  # its answers too, first
    assert len(shown) == len(RUBRIC.screening.questions) + len(questions)
    question, answer = answer_change()[:2]
    assert shown[question] == answer
    assert all(shown[question_text(q.id)] == "Not answered" for q in questions if not q.required)


def test_the_review_of_version_2_shows_what_changed_since_version_1(
    client: TestClient, session: Session, approver: Actor, submitted: AssessmentVersion
) -> None:
    second = second_version_changed(session, submitted, approver)

    tables = changes_shown(client, second)

    assert answer_change() in tables["Answers"]
    assert ["Teachers", "54", "108"] in tables["Net workload hours per year"]
    assert tables["Mitigating actions"] == [
        ["Move the deadline into term time", "–", "Planned, owner Head of Year, due –"]
    ]
    assert ["Net hours per year", "54", "108"] in tables["Scores and ratings"]


def test_each_change_since_version_1_is_listed_once(
    client: TestClient, session: Session, approver: Actor, submitted: AssessmentVersion
) -> None:
    second = second_version_changed(session, submitted, approver)

    tables = changes_shown(client, second)

    assert len(tables["Answers"]) == 1
    assert tables["Net workload hours per year"] == [["Teachers", "54", "108"]]


def test_approving_sets_the_review_dates_and_cannot_be_done_twice(
    client: TestClient, approver: Actor, submitted: AssessmentVersion
) -> None:
    confirming = open_page(client, url(submitted, "approve"))

    response = submit(client, confirming, url(submitted, "approve"))
    again = submit(client, confirming, url(submitted, "approve"))  # the same page, sent twice
    unrevised = post_form(client, url(submitted, "approve"), {})

    assert (response.status_code, response.headers["location"]) == (303, "/approvals")
    assert (again.status_code, unrevised.status_code) == (409, 409)
    today = datetime.now(UTC).date()
    due = workflow.add_months(today, 12).strftime("%-d %B %Y")
    assert workflow_text(client, submitted).startswith(
        f"Version 1: Approved – approved by Ama Approver on {today:%-d %B %Y}; review due {due}."
    )
    assert not open_page(client, url(submitted, "review")).has_id("decision")
    assert not open_page(client, "/approvals").has_id("queue")
    crumbs = open_page(client, url(submitted)).find_all("a", cls="govuk-breadcrumbs__link")
    policy_url = crumbs[-1].attrs["href"]
    assert f"Next review {due}" in open_page(client, policy_url).text


def test_a_version_is_returned_only_with_a_reason_which_its_author_then_sees(
    client: TestClient,
    session: Session,
    settings: Settings,
    approver: Actor,
    submitted: AssessmentVersion,
) -> None:
    review = open_page(client, url(submitted, "review"))
    reason = "Say which report the new log replaces"

    refused = submit(client, review, url(submitted, "return"), {"reason": "   "})
    returned = submit(client, review, url(submitted, "return"), {"reason": reason})

    assert refused.status_code == 422
    doc = page(refused)
    assert error_for(doc, "reason").startswith("Say why it is returned")
    assert error_summary(doc) == [(error_for(doc, "reason"), "#reason")]
    assert (returned.status_code, returned.headers["location"]) == (303, "/approvals")
    sign_in_as(client, session, settings, AUTHOR)
    summary = open_page(client, url(submitted))
    assert summary.by_id("returned-reason").text == f"Returned by Ama Approver: “{reason}”"
    assert "Make changes" in summary.find("form", action=url(submitted, "reopen")).text
    reopened = submit(client, summary, url(submitted, "reopen"))

    assert reopened.status_code == 303
    again = open_page(client, url(submitted))
    assert "Version 1: Draft" in again.by_id("workflow").text
    assert url(submitted, "submit") in version_forms(again, submitted)


def test_an_author_never_decides_on_their_own_version_even_as_an_approver(
    client: TestClient, session: Session, settings: Settings, rubric_published: None
) -> None:
    both = author_and_approver(session)
    own = make_version(session, "submitted", actor=both, reference="DP-020")
    sign_in_as(client, session, settings, both)

    approving = post_form(client, url(own, "approve"), {})
    returning = post_form(client, url(own, "return"), {"reason": "Needs nothing"})

    assert (approving.status_code, returning.status_code) == (403, 403)
    assert "Version 1: Submitted" in workflow_text(client, own)
