"""Decisions confirmed and explained, through the pages and the API as people use them: the
approve and withdraw pages (a reason where one is needed, and why), starting a withdrawn
assessment again, the approver's reason in front of a returned draft's authors, what changed
since it was returned, the banner that says what happens next, and why a rating is what it is."""

from __future__ import annotations

from decimal import Decimal

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.flash import CONFIRMATIONS
from app.settings import Settings
from assessments.drafting import version_view, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from tests.app.pages import Element, error_for, error_summary, field_value, page, post_form, submit
from tests.factories.answers import add, answer, answer_all
from tests.factories.api import API, locs
from tests.factories.decisions import (
    open_page,
    question_text,
    table_rows,
    url,
    version_forms,
    workflow_text,
)
from tests.factories.people import author_and_approver, make_api_token, make_approver, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC, make_school
from tests.factories.versions import Fill, fill_in, make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")
REASON = "The governors accept the risk for one term while cover staff are recruited."
MINUTE = "FGB 2027/14"
TEXT_QUESTION = "what-is-stopped"  # free text of weight 0: changing it changes no score
CHANGE_CAPTIONS = {
    "Scores and ratings",
    "Answers",
    "Net workload hours per year",
    "Mitigating actions",
}  # the review's tables of what changed
SECTION = next(s.id for s in RUBRIC.sections if TEXT_QUESTION in [q.id for q in s.questions])
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
def submitted(session: Session) -> AssessmentVersion:
    """Submitted by AUTHOR: low impact, after its one action too."""
    return make_version(session, "submitted", reference="DC-001", title="Marking policy")


@pytest.fixture
def very_high(session: Session) -> AssessmentVersion:
    """Submitted by AUTHOR: low answers, but 246 hours a teacher a year: very high impact."""
    return make_version(
        session, "submitted", fill=teachers_work("82"), reference="DC-002", title="Data policy"
    )


@pytest.fixture
def approver(client: TestClient, session: Session, settings: Settings) -> Actor:
    """A trust-wide approver, whom the browser is signed in as."""
    actor = make_approver(session, "Ama Approver")
    sign_in_as(client, session, settings, actor)
    return actor


def confirmation(doc: Element) -> str | None:
    """The success banner's message, if the page shows one."""
    found = doc.find_all(cls="govuk-notification-banner--success")
    return found[0].find(cls="govuk-notification-banner__heading").text if found else None


def redirected(client: TestClient, response: httpx2.Response, to: str | None = None) -> Element:
    """The page a successful form's 303 leads to (`to`, if given, is where)."""
    assert response.status_code == 303, response.text[:500]
    if to is not None:
        assert response.headers["location"] == to
    return open_page(client, response.headers["location"])


def shown_once(client: TestClient, response: httpx2.Response, key: str, to: str) -> Element:
    """The page the move leads to, with its confirmation; it is gone when the page is opened
    again, and from any other page."""
    after = redirected(client, response, to)
    assert confirmation(after) == CONFIRMATIONS[key]
    assert confirmation(open_page(client, to)) is None
    assert confirmation(open_page(client, "/")) is None
    return after


def label(doc: Element, field: str) -> str:
    return doc.find("label", **{"for": field}).text


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


# Withdrawing and starting again ---------------------------------------------------------------


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


# Returned, reopened and sent again -----------------------------------------------------------


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


# Each move's confirmation ---------------------------------------------------------------------


def test_submitting_says_what_happens_next_once(client: TestClient, session: Session) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    fill_in(session, draft.id, AUTHOR)

    sent = submit(client, open_page(client, url(draft)), url(draft, "submit"))

    after = shown_once(client, sent, "submitted", url(draft))
    assert "Version 1: Submitted" in after.by_id("workflow").text


def test_starting_a_review_of_an_approved_version_says_what_happens_next(
    client: TestClient, session: Session
) -> None:
    approved = make_version(session, "approved")

    revised = submit(client, open_page(client, url(approved)), url(approved, "revise"))

    assert revised.status_code == 303
    second = shown_once(client, revised, "revised", revised.headers["location"])
    assert "Version 2: Draft" in second.by_id("workflow").text


def test_adding_a_school_says_what_to_do_next(client: TestClient) -> None:
    doc = open_page(client, "/admin/schools")

    added = submit(client, doc, "/admin/schools", {"name": "Hillside Academy"})

    after = shown_once(client, added, "school-added", "/admin/schools")
    assert "Hillside Academy" in after.find("main").text


def test_adding_a_person_says_what_to_do_next(client: TestClient) -> None:
    data = {
        "name": "Eve Evans",
        "email": "eve.evans@local.example",
        "password": "ladder orchard quietly 47",
        "role": "author",
        "place": "",
    }

    added = post_form(client, "/admin/users", data)

    assert added.status_code == 303, added.text[:500]
    after = shown_once(client, added, "person-added", added.headers["location"])
    assert "Eve Evans" in after.find("h1").text


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


# The API --------------------------------------------------------------------------------------


def api_as(client: TestClient, session: Session, actor: Actor) -> TestClient:
    client.headers["Authorization"] = f"Bearer {make_api_token(session, actor)}"
    return client


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
