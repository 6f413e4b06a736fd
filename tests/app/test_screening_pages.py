"""Screening through HTTP, as a browser and an API client use it: the screening page (each
refusal next to its field, nothing good lost), the summary and review of a screened-out
version, sending it back for the full assessment, the register's kind, and the API."""

from __future__ import annotations

import csv
import io

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel.actors import Actor
from assessments.models import AssessmentKind, AssessmentVersion
from tests.app.decision_moves import approver
from tests.app.pages import error_for, error_summary, page, post_form, submit, title
from tests.factories.api import API, put_answer
from tests.factories.decisions import open_page, url
from tests.factories.people import make_api_token
from tests.factories.trusts import AUTHOR, RUBRIC
from tests.factories.versions import (
    SCREENED_OUT_BECAUSE,
    make_draft,
    make_version,
    screen_out,
    screening_answers,
    version,
)

__all__ = ["approver"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")
assert RUBRIC.screening is not None
QUESTIONS = RUBRIC.screening.questions
SCREENING = "/assessments/{id}/screening"


def screening_form(version_id: int, **overrides: str) -> dict[str, str]:
    """The screening page's fields, every answer screening the change out."""
    fields = {f"answer-{qid}": a.value for qid, a in screening_answers().items()}
    fields |= {f"revision-{qid}": "0" for qid in screening_answers()}
    return {**fields, "screening_reason": "", "screening_reason_revision": "0", **overrides}


def post_screening(
    client: TestClient, version: AssessmentVersion, **overrides: str
) -> httpx2.Response:
    """The screening page, opened and posted with every answer screening the change out."""
    assert version.id is not None
    action = SCREENING.format(id=version.id)
    return submit(
        client, open_page(client, action), action, screening_form(version.id, **overrides)
    )


@pytest.fixture
def draft(session: Session) -> AssessmentVersion:
    return make_draft(session, reference="SC-001", title="Staff handbook")


class TestTheScreeningPage:
    def test_it_asks_each_question_with_yes_no_and_don_t_know(
        self, client: TestClient, draft: AssessmentVersion
    ) -> None:
        doc = open_page(client, SCREENING.format(id=draft.id))

        assert doc.find("h1").text == "Screening"
        for question in QUESTIONS:
            block = doc.by_id(f"question-{question.id}")
            assert block.find("legend").text == question.text
            values = [r.attrs["value"] for r in block.find_all("input", type="radio")]
            assert values == ["yes", "no", "dont-know"]
        assert doc.by_id("screening_reason") is not None
        step = doc.find("nav", cls="app-progress").find("h2").text
        assert step.startswith("Step 1 of ")

    def test_screened_out_it_goes_to_a_summary_of_two_steps_without_ratings(
        self, client: TestClient, session: Session, draft: AssessmentVersion
    ) -> None:
        response = post_screening(client, draft, screening_reason=SCREENED_OUT_BECAUSE)

        assert response.status_code == 303
        assert response.headers["location"] == url(draft, "summary")
        summary = open_page(client, url(draft, "summary"))
        assert summary.find("nav", cls="app-progress").find("h2").text == "Step 2 of 2"
        assert "no full assessment needed" in summary.by_id("screening-summary").text
        assert summary.by_id("screening-reason").text == SCREENED_OUT_BECAUSE
        assert not summary.has_id("overall") and not summary.has_id("section-scores")
        assert stored(session, draft).kind is AssessmentKind.SCREENED_OUT

    def test_don_t_know_goes_on_to_the_full_assessment(
        self, client: TestClient, draft: AssessmentVersion
    ) -> None:
        response = post_screening(client, draft, **{f"answer-{QUESTIONS[2].id}": "dont-know"})

        assert response.status_code == 303
        assert response.headers["location"] == url(draft, f"sections/{RUBRIC.sections[0].id}")

    def test_a_bad_answer_is_refused_by_its_field_and_the_others_are_saved(
        self, client: TestClient, session: Session, draft: AssessmentVersion
    ) -> None:
        bad = QUESTIONS[1].id
        response = post_screening(
            client, draft, **{f"answer-{bad}": "perhaps", "screening_reason": "Typed reason"}
        )

        assert response.status_code == 422
        doc = page(response)
        assert error_for(doc, f"answer-{bad}") == "Select yes, no or don't know"
        assert ("Select yes, no or don't know", f"#answer-{bad}") in error_summary(doc)
        assert title(doc).startswith("Error: ")
        saved = stored(session, draft)
        assert saved.screening_reason == "Typed reason"  # the reason was fine: kept
        assert doc.by_id("screening_reason").text == "Typed reason"

    def test_a_reason_changed_by_someone_else_meanwhile_is_kept_and_yours_shown(
        self, client: TestClient, session: Session, draft: AssessmentVersion
    ) -> None:
        left_open = open_page(client, SCREENING.format(id=draft.id))
        screen_out(session, draft.id or 0)  # another author gives a reason meanwhile
        action = SCREENING.format(id=draft.id)

        response = submit(client, left_open, action, {"screening_reason": "Mine, typed"})

        assert response.status_code == 422
        doc = page(response)
        assert "Someone else changed this" in error_for(doc, "screening_reason")
        assert doc.by_id("screening_reason").text == "Mine, typed"  # nothing typed is lost
        assert stored(session, draft).screening_reason == SCREENED_OUT_BECAUSE

    def test_a_reason_too_long_is_refused_by_its_field(
        self, client: TestClient, draft: AssessmentVersion
    ) -> None:
        response = post_screening(client, draft, screening_reason="x" * 2001)

        assert response.status_code == 422
        assert error_for(page(response), "screening_reason") == (
            "Keep the reason to 2000 characters or fewer"
        )

    def test_submitting_without_a_reason_says_what_is_missing(
        self, client: TestClient, draft: AssessmentVersion
    ) -> None:
        post_screening(client, draft)
        summary = open_page(client, url(draft, "summary"))

        response = submit(client, summary, url(draft, "submit"))

        assert response.status_code == 422
        problems = error_summary(page(response))
        assert problems == [("Say why this change needs no full assessment", "#screening-reason")]
        link = page(response).by_id("screening-reason").find("a")
        assert link.attrs["href"] == f"{SCREENING.format(id=draft.id)}#screening_reason"

    def test_a_submitted_version_s_screening_is_read_only(
        self, client: TestClient, session: Session
    ) -> None:
        submitted = make_version(session, "submitted")
        doc = open_page(client, SCREENING.format(id=submitted.id))
        assert doc.has_id("read-only")
        assert doc.find_all("fieldset")[0].attrs.get("disabled") is not None
        response = post_screening(client, submitted)
        assert response.status_code == 409


class TestDeciding:
    @pytest.fixture
    def screened_out(self, session: Session) -> AssessmentVersion:
        return make_version(session, "submitted", fill=screen_out, reference="SC-002")

    def test_the_review_offers_sending_it_back_for_the_full_assessment(
        self, client: TestClient, approver: Actor, screened_out: AssessmentVersion
    ) -> None:
        review = open_page(client, url(screened_out, "review"))

        assert review.by_id("screening-reason").text == SCREENED_OUT_BECAUSE
        assert review.has_id("require-full")
        assert "Answers" not in [h.text for h in review.find_all("h2")]

        refused = submit(client, review, url(screened_out, "require-full"), {"reason": ""})
        assert refused.status_code == 422
        assert "Say why it needs the full assessment" in error_for(page(refused), "full-reason")

        sent = submit(client, review, url(screened_out, "require-full"), {"reason": "Hours move"})
        assert sent.status_code == 303 and sent.headers["location"] == "/approvals"

    def test_the_governors_report_says_it_was_screened_out_and_why(
        self, client: TestClient, screened_out: AssessmentVersion
    ) -> None:
        report = open_page(client, url(screened_out, "report"))

        facts = report.by_id("report-summary-facts").text
        assert f"No full assessment needed: {SCREENED_OUT_BECAUSE}" in facts
        assert "Rating as answered" not in facts
        assert client.get(url(screened_out, "report.pdf")).status_code == 200

    def test_a_full_assessment_s_review_does_not(
        self, client: TestClient, approver: Actor, session: Session
    ) -> None:
        full = make_version(session, "submitted", reference="SC-003")
        assert not open_page(client, url(full, "review")).has_id("require-full")
        response = post_form(client, url(full, "require-full"), {"reason": "Why not"})
        assert response.status_code == 409
        assert "already a full assessment" in response.text
        assert version_kind(session, full) is AssessmentKind.FULL

    def test_the_register_says_which_kind_each_version_is_and_filters_by_it(
        self, client: TestClient, approver: Actor, session: Session, screened_out: AssessmentVersion
    ) -> None:
        make_version(session, "submitted", reference="SC-004")

        screened = open_page(client, "/register?kind=screened-out").find("tbody")
        assert "SC-002" in screened.text and "SC-004" not in screened.text
        assert "Screened out" in screened.text
        full = open_page(client, "/register?kind=full").find("tbody")
        assert "SC-004" in full.text and "SC-002" not in full.text
        refused = client.get("/register?kind=partial")
        assert refused.status_code == 422
        assert error_for(page(refused), "kind") == "Choose full or screened-out assessments"
        assert client.get("/register.csv?kind=partial").status_code == 422

        exported = client.get("/register.csv").text.removeprefix("\ufeff")
        rows = csv.DictReader(io.StringIO(exported))
        kinds = {row["policy_reference"]: row["assessment_kind"] for row in rows}
        assert (kinds["SC-002"], kinds["SC-004"]) == ("screened-out", "full")


def version_kind(session: Session, row: AssessmentVersion) -> AssessmentKind:
    return stored(session, row).kind


def stored(session: Session, row: AssessmentVersion) -> AssessmentVersion:
    """The version as the database holds it now (after requests made through the app)."""
    session.expire_all()
    return version(session, row.id or 0)


class TestTheApi:
    def test_a_client_screens_a_change_out_with_answers_and_a_revisioned_reason(
        self, anonymous_client: TestClient, session: Session, draft: AssessmentVersion
    ) -> None:
        client = anonymous_client  # a script's, with AUTHOR's API token
        client.headers["Authorization"] = f"Bearer {make_api_token(session, AUTHOR)}"
        version_id = draft.id or 0
        for qid, answer in screening_answers().items():
            assert put_answer(client, version_id, qid, value=answer.value).status_code == 200
        bad = put_answer(client, version_id, QUESTIONS[0].id, value="maybe")
        assert bad.status_code == 422

        reason_url = f"{API}/assessment-versions/{version_id}/screening-reason"
        saved = client.put(reason_url, json={"reason": "A new name only"})
        assert saved.status_code == 200, saved.text
        assert saved.json() == {
            "screening_reason": "A new name only",
            "screening_revision": 1,
            "kind": "screened-out",
        }
        assert saved.headers["etag"] == '"1"'
        assert client.put(reason_url, json={"reason": "Again"}).status_code == 428
        stale = client.put(reason_url, json={"reason": "Again"}, headers={"If-Match": '"0"'})
        assert stale.status_code == 412
        again = client.put(reason_url, json={"reason": "Again"}, headers={"If-Match": '"1"'})
        assert again.status_code == 200 and again.json()["screening_revision"] == 2
        too_long = client.put(reason_url, json={"reason": "x" * 2001, "expected_revision": 2})
        assert too_long.status_code == 422

        read = client.get(f"{API}/assessment-versions/{version_id}").json()
        assert (read["kind"], read["screening_reason"], read["full_required"]) == (
            "screened-out",
            "Again",
            False,
        )
        assert {a["question_id"] for a in read["answers"]} == {q.id for q in QUESTIONS}
