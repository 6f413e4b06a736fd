"""The governor-ready report of a version: the page, and the PDF made from it, read back as text.

The assessment goes through the workflow as people would take it: version 1 is submitted,
returned, put right and approved; version 2 is started from it, submitted and returned by the
approver on the review page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.report_pdf import STATIC_DIR, StaticOnlyFetcher, download_name, html_to_pdf
from app.settings import PROJECT_ROOT, Settings
from assessments.drafting import version_view, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.actors import Grant, Role
from assessments.models import AssessmentVersion
from assessments.people import accounts
from assessments.workflow import transitions as workflow
from tests.app.pages import Element, page, submit
from tests.factories.answers import HIGH_QUESTION, HIGH_VALUE, MITIGATION, answer_page
from tests.factories.decisions import open_page, question_text, table_rows, url
from tests.factories.people import make_approver, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, default_rubric, make_school
from tests.factories.versions import fill_in, make_draft

RUBRIC = default_rubric()
REFERENCE, TITLE = "TL/004", "Homework policy"
CONSULTED = 'Staff forum & NEU reps, 3 March: "<b>Too much</b> marking at home"'
FIRST_RETURN = "Say which staff groups were consulted"
REASON = "Estimate the support staff's hours too"
SUPPORT_NOTE = "Fewer parents' letters to send"


@dataclass(frozen=True)
class Story:
    first: AssessmentVersion  # approved
    second: AssessmentVersion  # returned, with REASON


def _consulted(session: Session, version_id: int) -> None:
    answer_page(session, version_id, {"consultation-summary": CONSULTED})


@pytest.fixture
def story(
    client: TestClient, session: Session, settings: Settings, rubric_published: None
) -> Story:
    north = make_school(session, "North School")
    draft = make_draft(session, reference=REFERENCE, title=TITLE, school_id=north.id)
    assert draft.id is not None
    fill_in(session, draft.id)  # the action is MITIGATION; teachers: 1.5 h a term, 12 staff
    _consulted(session, draft.id)
    workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=draft.id,
        staff_group="support-staff",
        data=WorkloadEstimateSave(hours_per_term=Decimal(-2), staff_count=5, note=SUPPORT_NOTE),
    )
    approver = make_approver(session)
    workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)
    workflow.return_version(
        session=session, actor=approver, version_id=draft.id, reason=FIRST_RETURN
    )
    workflow.reopen(session=session, actor=AUTHOR, version_id=draft.id)
    workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)
    first = workflow.approve(session=session, actor=approver, version_id=draft.id)
    second = workflow.revise(session=session, actor=AUTHOR, version_id=draft.id)
    assert second.id is not None
    workflow.submit(session=session, actor=AUTHOR, version_id=second.id)
    session.commit()

    # The approver returns version 2 on the review page, which links to its report.
    sign_in_as(client, session, settings, approver)
    review = open_page(client, url(second, "review"))
    assert _links(review)["Print or download the report"] == url(second, "report")
    response = submit(client, review, url(second, "return"), {"reason": REASON})
    assert response.status_code == 303, response.text[:300]
    return Story(first, second)


def _links(doc: Element) -> dict[str, str]:
    return {a.text: a.attrs.get("href", "") for a in doc.find_all("a")}


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return text.replace("- ", "-")  # a hyphenated word the layout broke across two lines


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
        question_text(HIGH_QUESTION.id),
        f"{MITIGATION.owner} (no account)",
        "–",
        "Planned",
        "1",
    ]

    decision = doc.by_id("report-decision").text
    assert "Returned to the author by Ama Approver on" in decision and REASON in decision

    history = table_rows(doc.by_id("report-history"))
    assert [row[:3] for row in history] == [
        ["Version 1 report", "Approved", "Alex Author"],
        ["Version 2 (this report)", "Returned", "Alex Author"],
    ]
    assert history[0][5] == "Ama Approver" and history[0][6].startswith("Review due ")
    assert history[1][5:] == ["Ama Approver", REASON]
    assert _links(doc.by_id("report-history"))["Version 1 report"] == url(story.first, "report")
    assert _links(doc)["Download PDF of this report"] == url(story.second, "report.pdf")


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
    assert _links(doc.by_id("report-history"))["Version 2 report"] == url(story.second, "report")


def test_the_pdf_says_the_same(client: TestClient, session: Session, story: Story) -> None:
    response = client.get(url(story.second, "report.pdf"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = 'attachment; filename="TL-004-v2-impact-assessment.pdf"'
    assert response.headers["content-disposition"] == disposition
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    for fact in (
        f"{REFERENCE} {TITLE}",
        "Who was consulted",
        "Staff forum & NEU reps, 3 March",  # as typed, not as HTML
        "<b>Too much</b> marking at home",
        "Returned to the author by Ama Approver",
        REASON,
        MITIGATION.description,
        "Net hours per year",
        "Version history",
    ):
        assert fact in text, fact
    assert story.second.id is not None
    view = version_view.view_assessment(session=session, actor=AUTHOR, version_id=story.second.id)
    assert view.results.rating is not None
    assert f"{view.results.rating.label} Score {view.results.overall_score} out of 100" in text
    for chrome in ("Sign out", "Skip to main content", "Download PDF", "API documentation"):
        assert chrome not in text, chrome


def test_the_summary_links_to_the_report_and_its_pdf(client: TestClient, story: Story) -> None:
    links = _links(open_page(client, url(story.first)))

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
    assert "Not answered" in _pdf_text(response.content)


def test_the_pdf_renderer_loads_only_the_services_own_static_files() -> None:
    site = "https://wia.example/"
    fetcher = StaticOnlyFetcher(site)

    css = fetcher.fetch(site + "static/app.css")
    assert css.content_type == "text/css" and b".app-report" in css.read()
    assert b".app-report" in fetcher.fetch((STATIC_DIR / "app.css").as_uri()).read()
    for refused in (
        "https://fonts.example/font.woff2",  # another site
        "http://wia.example/static/app.css",  # not the site's own address
        site + "static/../../pyproject.toml",  # out of app/static/
        site + "static/%2e%2e/%2e%2e/pyproject.toml",
        (PROJECT_ROOT / "pyproject.toml").as_uri(),
        "file:///etc/passwd",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(refused)


def test_a_remote_image_in_the_html_is_not_fetched() -> None:
    html = '<p>Before</p><img src="https://tracker.example/pixel.png" alt="pixel"><p>After</p>'

    text = _pdf_text(html_to_pdf(html, site="https://wia.example/"))

    assert "Before" in text and "After" in text


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("TL-004", "TL-004-v3-impact-assessment.pdf"),
        ("HR/2024.1", "HR-2024.1-v3-impact-assessment.pdf"),
        ('a"; filename=x.exe', "a-filename-x.exe-v3-impact-assessment.pdf"),
        ("../..", "policy-v3-impact-assessment.pdf"),
    ],
)
def test_the_pdfs_file_name_is_safe_in_a_header(reference: str, name: str) -> None:
    assert download_name(reference, 3) == name
