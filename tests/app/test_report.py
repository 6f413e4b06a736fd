"""The governor-ready report of a version: the page, and the PDF made from it, read back as text.

The assessment goes through the workflow as people would take it: version 1 is submitted,
returned, put right and approved; version 2 is started from it, submitted and returned by the
approver on the review page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.report_pdf import STATIC_DIR, StaticOnlyFetcher, download_name, html_to_pdf
from app.settings import PROJECT_ROOT, Settings
from app.web import british_date
from assessments.drafting import mitigation, version_view, workload
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.kernel.actors import Grant, Role
from assessments.models import ActionStatus, AssessmentVersion
from assessments.people import accounts
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.register.report import SUMMARY_ACTIONS
from assessments.rubrics.scoring import Results
from assessments.workflow import transitions as workflow
from tests.app.pages import Element, page, submit
from tests.factories.answers import HIGH_QUESTION, HIGH_VALUE, MITIGATION, answer_page
from tests.factories.decisions import open_page, question_text, table_rows, url
from tests.factories.people import make_approver, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, LOCAL_TRUST, default_rubric, make_school
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


def _place(question_id: str) -> str:
    """How the report names a question in short: its section's and its own number."""
    for s_number, section in enumerate(RUBRIC.sections, start=1):
        for q_number, question in enumerate(section.questions, start=1):
            if question.id == question_id:
                return f"Section {s_number}, question {q_number}"
    raise AssertionError(question_id)


def _facts(summary_list: Element) -> dict[str, str]:
    """A summary list's rows, key → value."""
    return {
        row.find("dt").text: row.find("dd").text
        for row in summary_list.find_all(cls="govuk-summary-list__row")
    }


def _pages_of(content: bytes, *anchors: str) -> dict[str, int]:
    """The page (from 0) each element with one of these ids starts on: WeasyPrint makes every
    id a named destination of the PDF."""
    reader = PdfReader(io.BytesIO(content))
    destinations = reader.named_destinations
    pages = {a: reader.get_destination_page_number(destinations[a]) for a in anchors}
    return {a: page for a, page in pages.items() if page is not None}


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
    assert high.find("p", cls="app-report__place").text == _place(HIGH_QUESTION.id)
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
        _place(HIGH_QUESTION.id),  # not its full wording: the answers give that
        f"{MITIGATION.owner} (no account)",
        "–",
        "Planned",
        "Low",  # the impact left, in the rubric's words
    ]

    decision = doc.by_id("report-decision").text
    assert "Returned to the author by Ama Approver on" in decision and REASON in decision
    summary = _facts(doc.by_id("report-summary-decision"))
    assert summary["Returned to the author"].startswith("by Ama Approver on ")
    assert summary["Minute reference"] == "Not given" and summary["Reason"] == REASON

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


# The board's summary, on the report's first page ---------------------------------------------

MINUTE = "FGB 2026/14, item 6"
APPROVAL_REASON = "Agreed with the staff forum: the marking hours come back by Easter"
LATE_ACTION = "Cut the weekly data drop to one each half-term"
LATE_OWNER = "Head of Year 9"
# The summary's blocks, the last one, and the detail's first heading: on pages 1, 1 and 2.
SUMMARY_START, SUMMARY_END, DETAIL_START = (
    "report-summary",
    "report-summary-decision",
    "report-policy-heading",
)


@dataclass(frozen=True)
class Decided:
    version: AssessmentVersion  # approved, with MINUTE and APPROVAL_REASON
    due: date  # LATE_ACTION's, a month ago: in progress, so overdue


def _approved(
    session: Session,
    *,
    actions: list[ActionSave],
    reason: str = APPROVAL_REASON,
    minute: str = MINUTE,
    consulted: str = CONSULTED,
    estimates: dict[str, WorkloadEstimateSave] | None = None,
    reference: str = REFERENCE,
    title: str = TITLE,
) -> AssessmentVersion:
    """Approved by Ama Approver with a reason and a minute reference: filled in (MITIGATION,
    12 teachers' 1.5 h a term) with who was consulted, `estimates` by staff group (5 support
    staff's -2 h a term unless given) and `actions` besides."""
    north = make_school(session, "North School")
    draft = make_draft(session, reference=reference, title=title, school_id=north.id)
    assert draft.id is not None
    fill_in(session, draft.id)
    answer_page(session, draft.id, {"consultation-summary": consulted})
    if estimates is None:
        estimates = {
            "support-staff": WorkloadEstimateSave(hours_per_term=Decimal(-2), staff_count=5)
        }
    for group, estimate in estimates.items():
        workload.save_workload_estimate(
            session=session, actor=AUTHOR, version_id=draft.id, staff_group=group, data=estimate
        )
    for action in actions:
        mitigation.add_action(session=session, actor=AUTHOR, version_id=draft.id, data=action)
    approver = make_approver(session)
    workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)
    return workflow.approve(
        session=session, actor=approver, version_id=draft.id, reason=reason, minute=minute
    )


def _progress(session: Session, action_id: int | None, status: ActionStatus) -> None:
    assert action_id is not None
    today = clock.today()
    recording.record_progress(
        session=session,
        actor=AUTHOR,
        action_id=action_id,
        data=ProgressSave(status=status, done_on=today if status is ActionStatus.DONE else None),
        today=today,
    )


@pytest.fixture
def decided(session: Session, rubric_published: None) -> Decided:
    due = clock.today() - timedelta(days=30)
    late = ActionSave(
        description=LATE_ACTION,
        question_ids=[HIGH_QUESTION.id],
        owner=LATE_OWNER,
        due_date=due,
        residual_impact=2,
    )
    version = _approved(session, actions=[late])
    assert version.id is not None
    by_description = {a.description: a for a in view(session, version.id).actions}
    _progress(session, by_description[MITIGATION.description].id, ActionStatus.DONE)
    _progress(session, by_description[LATE_ACTION].id, ActionStatus.IN_PROGRESS)
    session.commit()
    return Decided(version, due)


def view(session: Session, version_id: int) -> version_view.AssessmentView:
    return version_view.view_assessment(session=session, actor=AUTHOR, version_id=version_id)


def _rated(results: Results) -> str:
    assert results.rating is not None
    return f"{results.rating.label} score {results.overall_score} out of 100"


def test_the_reports_first_section_sums_it_up_for_the_board(
    client: TestClient, session: Session, decided: Decided
) -> None:
    response = client.get(url(decided.version, "report"))
    doc = page(response)

    # It comes first, before the detail.
    assert response.text.index('id="report-summary"') < response.text.index('id="report-policy"')
    summary = doc.by_id("report-summary")
    assert decided.version.id is not None
    seen = view(session, decided.version.id)
    assert _facts(summary.by_id("report-summary-facts")) == {
        "Trust": LOCAL_TRUST,
        "Policy": f"{REFERENCE}, North School; assessment version 1, approved",
        "Rating as answered": _rated(seen.results),
        "After the planned actions": _rated(seen.results_after),
        "After the actions done so far": _rated(seen.results_done),
    }
    # The as-answered score's band, or the workload floor that raised it.
    assert summary.by_id("rating-reason").text.startswith("Rated by its score")
    assert table_rows(summary.by_id("report-summary-hours")) == [
        ["Teachers", "4.5", "12", "54.0"],
        ["Support staff", "-6.0", "5", "-30.0"],
        ["All staff groups", "24.0"],
    ]
    # The action done is left out; the open one is as it stands now, and marked overdue.
    assert table_rows(summary.by_id("report-summary-actions")) == [
        [
            LATE_ACTION,
            LATE_OWNER,
            f"{british_date(decided.due, 'short')} Overdue",
            "In progress",
        ]
    ]
    assert summary.by_id("report-summary-consultation").text == CONSULTED
    decision = _facts(summary.by_id("report-summary-decision"))
    assert decided.version.decided_at is not None and decided.version.review_due is not None
    assert decision == {
        "Approved": f"by Ama Approver on {british_date(decided.version.decided_at)}; "
        f"review due {british_date(decided.version.review_due)}",
        "Minute reference": MINUTE,
        "Reason": APPROVAL_REASON,
    }
    assert "shortened" not in summary.text  # nothing here was too long to give in full


def test_the_actions_table_names_questions_by_place_not_by_their_wording(
    client: TestClient, decided: Decided
) -> None:
    doc = open_page(client, url(decided.version, "report"))

    actions = doc.by_id("report-actions")
    assert [row[1] for row in table_rows(actions)] == [_place(HIGH_QUESTION.id)] * 2
    for question in RUBRIC.questions():
        assert question_text(question.id) not in actions.text, question.id
    # The answers, further on, say each question's place above its full wording.
    high = doc.by_id(f"question-{HIGH_QUESTION.id}")
    assert high.find("p", cls="app-report__place").text == _place(HIGH_QUESTION.id)
    assert high.find("h4").text == question_text(HIGH_QUESTION.id)


def test_the_summary_is_the_pdfs_first_page_and_the_detail_starts_on_the_second(
    client: TestClient, decided: Decided
) -> None:
    response = client.get(url(decided.version, "report.pdf"))

    assert response.status_code == 200
    pages = _pages_of(response.content, SUMMARY_START, SUMMARY_END, DETAIL_START)
    assert pages == {SUMMARY_START: 0, SUMMARY_END: 0, DETAIL_START: 1}
    first = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    for fact in (
        LOCAL_TRUST,
        "Summary for the governing board",
        "Net hours a year by staff group",
        LATE_ACTION,
        "Overdue",
        "Staff forum & NEU reps, 3 March",
        "Approved by Ama Approver",
        MINUTE,
        APPROVAL_REASON,
    ):
        assert fact in first, fact
    assert "Version history" not in first and "Guidance:" not in first


def test_a_summary_crowded_with_long_texts_still_fits_its_page(
    client: TestClient, session: Session, rubric_published: None
) -> None:
    words = "Everything said at length, with each of its many reasons spelt out once more. "
    long = (words * 100)[:2000].strip()  # as long as a reason or an action may be
    open_actions = SUMMARY_ACTIONS + 3  # MITIGATION, with no due date, is one
    actions = [
        ActionSave(
            description=f"Action {n}: {long}"[:2000],
            question_ids=[HIGH_QUESTION.id],
            owner="Deputy Headteacher for Curriculum, Assessment and Standards, North School",
            due_date=clock.today() + timedelta(days=n - 4),  # three are overdue
            residual_impact=1,
        )
        for n in range(1, open_actions)
    ]
    minute = ("Full governing board, spring term meeting, item 14.2 " * 4)[:200].strip()
    every_group = {
        group.id: WorkloadEstimateSave(hours_per_term=Decimal("-12.5"), staff_count=250)
        for group in RUBRIC.staff_groups[1:]  # the teachers' are fill_in's
    }
    version = _approved(
        session,
        actions=actions,
        reason=long,
        minute=minute,
        consulted="\n".join([words * 3] * 20)[:5000],
        estimates=every_group,
        title=("A very long policy title that runs on and on " * 5)[:200],
    )
    session.commit()

    doc = open_page(client, url(version, "report"))
    summary = doc.by_id("report-summary")
    assert len(table_rows(summary.by_id("report-summary-hours"))) == len(RUBRIC.staff_groups) + 1
    rows = table_rows(summary.by_id("report-summary-actions"))
    shown = [f"Action {n}" for n in range(1, SUMMARY_ACTIONS + 1)]
    assert [row[0].split(":")[0] for row in rows] == shown  # the earliest due first
    assert all(row[0].endswith("…") and len(row[0]) <= 80 for row in rows)
    assert sum(row[2].endswith("Overdue") for row in rows) == 3
    heading = summary.by_id("report-summary-actions-title").text
    assert f"(the {SUMMARY_ACTIONS} due first of {open_actions}: all are under" in heading
    assert "Texts ending “…” are shortened here" in summary.text
    decision = _facts(summary.by_id("report-summary-decision"))
    assert decision["Reason"].endswith("…") and decision["Minute reference"].endswith("…")
    # In full in the detail.
    assert long in doc.by_id("report-moves").text
    assert f"Minute reference: {minute}" in doc.by_id("report-decision").text

    pdf = client.get(url(version, "report.pdf")).content
    pages = _pages_of(pdf, SUMMARY_START, SUMMARY_END, DETAIL_START)
    assert pages == {SUMMARY_START: 0, SUMMARY_END: 0, DETAIL_START: 1}
