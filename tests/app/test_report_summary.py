"""The report's first section, its summary for the governing board: the trust, the policy and
its ratings (as answered, after the planned actions and after those done so far), the net hours
a year by staff group, the open actions due first (overdue ones marked), who was consulted and
the decision with its minute and reason. It is the PDF's first page, the detail starting on the
second, and still fits that page when every text is as long as it may be (shortened, and given
in full in the detail)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.web import british_date
from assessments.drafting import mitigation, version_view, workload
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import clock
from assessments.models import ActionStatus, AssessmentVersion
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.register.report import SUMMARY_ACTIONS
from assessments.rubrics.scoring import Results
from assessments.workflow import transitions as workflow
from tests.app.pages import page
from tests.app.report_story import CONSULTED, REFERENCE, RUBRIC, TITLE, facts_of, place_of
from tests.factories.answers import HIGH_QUESTION, MITIGATION, answer_page
from tests.factories.decisions import open_page, question_text, table_rows, url
from tests.factories.people import make_approver
from tests.factories.trusts import AUTHOR, LOCAL_TRUST, make_school
from tests.factories.versions import fill_in, make_draft

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


def _pages_of(content: bytes, *anchors: str) -> dict[str, int]:
    """The page (from 0) each element with one of these ids starts on: WeasyPrint makes every
    id a named destination of the PDF."""
    reader = PdfReader(io.BytesIO(content))
    destinations = reader.named_destinations
    pages = {a: reader.get_destination_page_number(destinations[a]) for a in anchors}
    return {a: page for a, page in pages.items() if page is not None}


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
    assert facts_of(summary.by_id("report-summary-facts")) == {
        "Trust": LOCAL_TRUST,
        "Policy": f"{REFERENCE}, North School; assessment version 1, approved",
        "Screening": "Not answered, so assessed in full",
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
    decision = facts_of(summary.by_id("report-summary-decision"))
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
    assert [row[1] for row in table_rows(actions)] == [place_of(HIGH_QUESTION.id)] * 2
    for question in RUBRIC.questions():
        assert question_text(question.id) not in actions.text, question.id
    # The answers, further on, say each question's place above its full wording.
    high = doc.by_id(f"question-{HIGH_QUESTION.id}")
    assert high.find("p", cls="app-report__place").text == place_of(HIGH_QUESTION.id)
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
    decision = facts_of(summary.by_id("report-summary-decision"))
    assert decision["Reason"].endswith("…") and decision["Minute reference"].endswith("…")
    # In full in the detail.
    assert long in doc.by_id("report-moves").text
    assert f"Minute reference: {minute}" in doc.by_id("report-decision").text

    pdf = client.get(url(version, "report.pdf")).content
    pages = _pages_of(pdf, SUMMARY_START, SUMMARY_END, DETAIL_START)
    assert pages == {SUMMARY_START: 0, SUMMARY_END: 0, DETAIL_START: 1}
