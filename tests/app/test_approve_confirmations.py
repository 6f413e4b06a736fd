"""Approving through its confirmation page and the API: what approving does, a reason where the
rating needs one (and why it is needed), an overlong reason or minute refused by its field, and
whoever may not approve refused the page; and what the approver reads first, every answer
before the decision, with why the rating is what it is."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.drafting import version_view, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion
from assessments.workflow import transitions as workflow
from tests.app.decision_moves import (
    MINUTE,
    REASON,
    api_as,
    approver,
    label,
    shown_once,
    submitted,
)
from tests.app.pages import Element, error_for, error_summary, field_value, page, submit
from tests.factories.answers import add, answer_all
from tests.factories.api import API, locs
from tests.factories.decisions import open_page, question_text, url, workflow_text
from tests.factories.people import author_and_approver, make_approver, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC, make_school
from tests.factories.versions import Fill, make_version

__all__ = ["approver", "submitted"]  # the fixtures

pytestmark = pytest.mark.usefixtures("rubric_published")
NEEDS_REASON_HINT = (
    "It is rated very high impact even after its planned actions, so the decision needs a "
    "recorded reason"
)
FLOOR_REASON = (
    "The score alone is low impact, but Teachers would work 246 more hours a year each, which "
    "reaches the rubric's floor of 120 hours: so it is rated at least very high impact."
)


def teachers_work(hours_per_term: str) -> Fill:
    """Every question at its lowest impact, and each of 12 teachers working `hours_per_term`
    more a term (three terms a year)."""

    def fill(session: Session, version_id: int, actor: Actor) -> None:
        answer_all(session, actor, version_id)
        estimate = WorkloadEstimateSave(hours_per_term=Decimal(hours_per_term), staff_count=12)
        workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group="teachers",
            data=estimate,
        )

    return fill


def every_answer_high(session: Session, version_id: int, actor: Actor) -> None:
    """Every question at its highest impact, under one action that leaves them very high."""
    answer_all(session, actor, version_id, high=[q.id for q in RUBRIC.questions()])
    shown = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    flagged = [f.question.id for f in shown.results.flagged]
    add(session, actor, version_id, flagged, residual=4)


@pytest.fixture
def very_high(session: Session) -> AssessmentVersion:
    """Submitted by AUTHOR: low answers, but 246 hours a teacher a year: very high impact."""
    return make_version(
        session, "submitted", fill=teachers_work("82"), reference="DC-002", title="Data policy"
    )


def summary_rows(doc: Element, list_id: str) -> dict[str, str]:
    return {
        row.find("dt").text: row.find("dd").text
        for row in doc.by_id(list_id).find_all("div", cls="govuk-summary-list__row")
    }


def due_in_a_year() -> str:
    return workflow.add_months(clock.today(), 12).strftime("%-d %B %Y")


# Approving ------------------------------------------------------------------------------------


def test_the_approve_page_says_what_it_does_and_asks_no_reason_of_a_low_rating(
    client: TestClient, approver: Actor, submitted: AssessmentVersion
) -> None:
    review = open_page(client, url(submitted, "review"))
    doc = open_page(client, review.by_id("approve-link").attrs["href"])

    assert doc.find("h1").text == "Approve version 1?"
    assert summary_rows(doc, "confirm-ratings") == {
        "Rating as answered": "Low impact",
        "After the planned actions": "Low impact",
        "Net hours per year": "54.0",
    }
    assert f"its review falls due on {due_in_a_year()}" in doc.find("main").text
    assert label(doc, "reason") == "Why is it approved? (optional)"
    assert not doc.has_id("reason-hint")
    assert label(doc, "minute") == "Minute reference (optional)"
    form = doc.find("form", action=url(submitted, "approve"))
    assert form.find("button").text == "Yes, approve version 1"
    assert form.find("a").attrs["href"] == url(submitted, "review")  # Cancel

    response = submit(client, doc, url(submitted, "approve"))

    shown_once(client, response, "approved", "/approvals")
    assert workflow_text(client, submitted).startswith("Version 1: Approved")
    assert not open_page(client, url(submitted)).has_id("approved-reason")


def test_a_very_high_rating_is_approved_only_with_a_reason_kept_with_the_decision(
    client: TestClient, approver: Actor, very_high: AssessmentVersion
) -> None:
    doc = open_page(client, url(very_high, "approve"))
    assert label(doc, "reason") == "Why is it approved?"
    assert doc.by_id("reason-hint").text == NEEDS_REASON_HINT
    assert summary_rows(doc, "confirm-ratings")["After the planned actions"] == "Very high impact"

    refused = submit(client, doc, url(very_high, "approve"), {"reason": "  ", "minute": MINUTE})

    assert refused.status_code == 422
    again = page(refused)
    message = (
        "Say why a policy rated very high impact after mitigation is approved "
        "(up to 2000 characters)"
    )
    assert error_for(again, "reason") == message
    assert error_summary(again) == [(message, "#reason")]
    assert field_value(again, "minute") == MINUTE
    assert again.by_id("reason-hint").text == NEEDS_REASON_HINT
    assert "Version 1: Submitted" in workflow_text(client, very_high)

    approved = submit(client, again, url(very_high, "approve"), {"reason": REASON})

    shown_once(client, approved, "approved", "/approvals")
    summary = open_page(client, url(very_high))
    assert summary.by_id("approved-reason").text == f"Approved because: “{REASON}”"
    assert "Version 1: Approved" in summary.by_id("workflow").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"reason": REASON, "minute": "m" * 201},
            "minute",
            "Keep the minute reference to 200 characters",
        ),
        (
            {"reason": "r" * 2001, "minute": MINUTE},
            "reason",
            "Say why a policy rated low impact after mitigation is approved "
            "(up to 2000 characters)",
        ),
    ],
    ids=["minute too long", "reason too long"],
)
def test_an_overlong_reason_or_minute_is_shown_next_to_its_field_with_the_input_kept(
    client: TestClient,
    approver: Actor,
    submitted: AssessmentVersion,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    doc = open_page(client, url(submitted, "approve"))

    refused = submit(client, doc, url(submitted, "approve"), changes)

    assert refused.status_code == 422
    again = page(refused)
    assert error_for(again, field) == message
    assert (field_value(again, "reason"), field_value(again, "minute")) == (
        changes["reason"],
        changes["minute"],
    )
    assert "Version 1: Submitted" in workflow_text(client, submitted)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("author at the school", 403),
        ("its own author, an approver too", 403),
        ("approver of another school", 404),
    ],
)
def test_the_approve_page_is_refused_to_whoever_may_not_approve(
    client: TestClient, session: Session, settings: Settings, who: str, status: int
) -> None:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    author = author_and_approver(session) if who.startswith("its own") else AUTHOR
    version = make_version(session, "submitted", actor=author, school_id=north.id)
    viewer = {
        "author at the school": make_person(session, "Nell North", Grant(Role.AUTHOR, north.id)),
        "its own author, an approver too": author,
        "approver of another school": make_person(
            session, "Sol South", Grant(Role.APPROVER, south.id)
        ),
    }[who]
    sign_in_as(client, session, settings, viewer)

    response = client.get(url(version, "approve"))

    assert response.status_code == status
    assert "Yes, approve" not in response.text
    if status == 403:  # they see it, and that it awaits someone else's decision
        assert "Version 1: Submitted" in workflow_text(client, version)
    else:  # nor anything of it
        assert client.get(url(version)).status_code == 404


# The review and the summary -------------------------------------------------------------------


def test_the_review_shows_every_answer_before_the_decision(
    client: TestClient, approver: Actor, submitted: AssessmentVersion
) -> None:
    doc = open_page(client, url(submitted, "review"))
    order = list(doc.iter())
    decision = order.index(doc.by_id("decision"))

    answers = [
        row for row in doc.find_all("div", cls="govuk-summary-list__row") if row.find_all("dt")
    ]
    questions = {row.find("dt").text for row in answers}
    assert {question_text(q.id) for q in RUBRIC.questions()} <= questions
    assert max(order.index(row) for row in answers) < decision
    assert order.index(doc.by_id("approve-link")) > decision
    assert order.index(doc.find("form", action=url(submitted, "return"))) > decision


@pytest.mark.parametrize(
    ("fill", "reason"),
    [
        (teachers_work("82"), FLOOR_REASON),
        (
            teachers_work("1.5"),
            "Rated by its score: no staff group's added hours reach one of the rubric's workload "
            "floors.",
        ),
    ],
    ids=["raised by the workload floor", "by its score"],
)
def test_the_summary_says_why_the_rating_is_what_it_is(
    client: TestClient, session: Session, fill: Fill, reason: str
) -> None:
    version = make_version(session, "submitted", fill=fill)

    summary = open_page(client, url(version))

    assert summary.by_id("rating-reason").text == reason


def test_a_score_above_the_floor_it_reaches_is_rated_by_its_score(
    client: TestClient, session: Session
) -> None:
    def fill(session: Session, version_id: int, actor: Actor) -> None:
        every_answer_high(session, version_id, actor)
        workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group="teachers",
            data=WorkloadEstimateSave(hours_per_term=Decimal(20), staff_count=12),
        )

    version = make_version(session, "submitted", fill=fill)

    summary = open_page(client, url(version))

    assert summary.by_id("rating-reason").text == (
        "Rated by its score. Teachers would work 60 more hours a year each, which reaches the "
        "floor of 60 hours (high impact); the score is higher already."
    )


def test_the_api_approves_a_very_high_rating_only_with_a_reason(
    anonymous_client: TestClient, session: Session, very_high: AssessmentVersion
) -> None:
    api = api_as(anonymous_client, session, make_approver(session, "Ama Approver"))
    address = f"{API}/assessment-versions/{very_high.id}/approve"

    refused = api.post(address, json={"expected_revision": 2, "minute": MINUTE})

    assert refused.status_code == 422, refused.text
    assert locs(refused) == [["body", "reason"]]
    assert api.get(f"{API}/assessment-versions/{very_high.id}").json()["status"] == "submitted"

    approved = api.post(address, json={"expected_revision": 2, "reason": REASON, "minute": MINUTE})

    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["decision_reason"], body["rating_after"]) == (
        "approved",
        REASON,
        "very-high",
    )
