"""The governor-ready report of a version, the page in detail, for version 2 of the shared story
(version 1 approved after one return, version 2 returned on the review page): the policy, its
answers (what was typed shown as text), scores, workload and actions, its decision and version
history, and each version's decision moves. The assessment's summary page links to it, a draft
not yet answered says so, and whoever may not see the version finds neither it nor its PDF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.drafting import version_view
from assessments.kernel.actors import Grant, Role
from assessments.people import accounts
from tests.app.pages import page
from tests.app.report_story import (
    CONSULTED,
    FIRST_RETURN,
    REASON,
    REFERENCE,
    RUBRIC,
    SUPPORT_NOTE,
    TITLE,
    Story,
    facts_of,
    links_of,
    pdf_text,
    place_of,
    story,
)
from tests.factories.answers import HIGH_QUESTION, HIGH_VALUE, MITIGATION
from tests.factories.decisions import open_page, question_text, table_rows, url
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, make_school
from tests.factories.versions import make_draft

__all__ = ["story"]  # the fixture


def test_the_report_shows_the_policy_its_answers_and_its_decision(
    client: TestClient, session: Session, story: Story
) -> None:
    doc = open_page(client, url(story.second, "report"))

    assert doc.find("h1").text == f"{REFERENCE} {TITLE}"
    policy = doc.by_id("report-policy").text
    for fact in ("Assessment and marking", "Deputy Headteacher", "North School", "12 months"):
        assert fact in policy
    assert "Policy status In force" in policy  # approving version 1 put it in force
    version = doc.by_id("report-version").text
    assert "Version 2" in version and "Status Returned" in version and "Alex Author" in version
    assert doc.by_id("report-consultation").text == CONSULTED

    high = doc.by_id(f"question-{HIGH_QUESTION.id}")
    assert high.find("h4").text == question_text(HIGH_QUESTION.id)
    assert high.find("p", cls="app-report__place").text == place_of(HIGH_QUESTION.id)
    assert " ".join(HIGH_QUESTION.guidance.split()) in high.text
    assert f"Answer {HIGH_QUESTION.label_for(HIGH_VALUE)}" in high.text
    assert doc.by_id("question-consultation-summary").find("dd").text == CONSULTED

    assert story.second.id is not None
    view = version_view.view_assessment(session=session, actor=AUTHOR, version_id=story.second.id)
    results = view.results
    assert results.rating is not None and view.results_after.rating is not None
    overall = doc.by_id("report-overall").text
    assert f"{results.rating.label} Score {results.overall_score} out of 100" in overall
    assert f"After the planned actions: {view.results_after.rating.label}" in overall
    scores = table_rows(doc.by_id("report-scores"))
    assert [row[0] for row in scores] == [s.title for s in RUBRIC.sections]

    assert table_rows(doc.by_id("report-workload")) == [
        ["Teachers", "1.5", "12", "4.5", "54.0"],
        [f"Support staff{SUPPORT_NOTE}", "-2", "5", "-6.0", "-30.0"],
        ["All staff groups", "24.0"],
    ]
    [action] = table_rows(doc.by_id("report-actions"))
    assert action == [
        MITIGATION.description,
        place_of(HIGH_QUESTION.id),  # not its full wording: the answers give that
        f"{MITIGATION.owner} (no account)",
        "–",
        "Planned",
        "Low",  # the impact left, in the rubric's words
    ]

    decision = doc.by_id("report-decision").text
    assert "Returned to the author by Ama Approver on" in decision and REASON in decision
    summary = facts_of(doc.by_id("report-summary-decision"))
    assert summary["Returned to the author"].startswith("by Ama Approver on ")
    assert summary["Minute reference"] == "Not given" and summary["Reason"] == REASON

    history = table_rows(doc.by_id("report-history"))
    assert [row[:3] for row in history] == [
        ["Version 1 report", "Approved", "Alex Author"],
        ["Version 2 (this report)", "Returned", "Alex Author"],
    ]
    assert history[0][5] == "Ama Approver" and history[0][6].startswith("Review due ")
    assert history[1][5:] == ["Ama Approver", REASON]
    assert links_of(doc.by_id("report-history"))["Version 1 report"] == url(story.first, "report")
    assert links_of(doc)["Download PDF of this report"] == url(story.second, "report.pdf")


def test_the_first_versions_report_shows_its_approval(client: TestClient, story: Story) -> None:
    doc = open_page(client, url(story.first, "report"))

    decision = doc.by_id("report-decision").text
    assert decision.startswith("Approved by Ama Approver on ") and "Review due " in decision
    # Returned once before it was approved: the reason is kept in its decision history.
    moves = [row[1:] for row in table_rows(doc.by_id("report-moves"))]
    assert moves == [
        ["Submitted for approval", "Alex Author", "–"],
        ["Returned to the author", "Ama Approver", FIRST_RETURN],
        ["Reopened to put right", "Alex Author", "–"],
        ["Submitted for approval", "Alex Author", "–"],
        ["Approved", "Ama Approver", "–"],
    ]
    assert "Version 1 (this report)" in doc.by_id("report-history").text
    assert links_of(doc.by_id("report-history"))["Version 2 report"] == url(story.second, "report")


def test_the_summary_links_to_the_report_and_its_pdf(client: TestClient, story: Story) -> None:
    links = links_of(open_page(client, url(story.first)))

    assert links["Print or download the report"] == url(story.first, "report")
    assert links["Download PDF of the report"] == url(story.first, "report.pdf")


@pytest.mark.parametrize("where", ["another trust", "another school"])
def test_who_may_not_see_the_version_gets_not_found(
    client: TestClient, session: Session, settings: Settings, story: Story, where: str
) -> None:
    if where == "another trust":
        trust = accounts.create_trust(session=session, name="Another Trust")
        assert trust.id is not None
        outsider = make_person(session, "Otto Other", *(Grant(r) for r in Role), trust_id=trust.id)
    else:
        south = make_school(session, "South School")
        outsider = make_person(session, "Sol South", Grant(Role.AUTHOR, south.id))
    sign_in_as(client, session, settings, outsider)

    for path in ("report", "report.pdf"):
        response = client.get(url(story.second, path))
        assert response.status_code == 404, path
        assert "application/pdf" not in response.headers["content-type"]
        assert TITLE not in response.text


def test_an_answer_with_html_in_it_is_shown_as_text(client: TestClient, story: Story) -> None:
    response = client.get(url(story.second, "report"))

    assert "<b>Too much</b>" not in response.text
    assert "&lt;b&gt;Too much&lt;/b&gt;" in response.text
    assert "Staff forum &amp; NEU reps" in response.text
    assert page(response).by_id("report-consultation").text == CONSULTED


def test_a_draft_not_yet_answered_says_so(
    client: TestClient, rubric_published: None, session: Session
) -> None:
    draft = make_draft(session, reference="TL-009", title="Reading policy")
    session.commit()

    doc = open_page(client, url(draft, "report"))

    assert doc.by_id("report-consultation").text == "Not answered"
    assert "A draft: not yet submitted for approval." in doc.by_id("report-decision").text
    assert "No workload estimate was made." in doc.text
    assert "No mitigating action was recorded." in doc.text
    response = client.get(url(draft, "report.pdf"))
    assert response.status_code == 200
    assert "Not answered" in pdf_text(response.content)
