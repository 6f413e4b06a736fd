"""Shared by the report tests: the story of a policy's assessment, taken through the workflow as
people would take it (version 1 submitted, returned, put right and approved; version 2 started
from it, submitted and returned by the approver on the review page), and how a report is read
back: a question's place, a summary list's rows, a page's links and a PDF's text."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.settings import Settings
from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.models import AssessmentVersion
from assessments.workflow import transitions as workflow
from tests.app.pages import Element, submit
from tests.factories.answers import answer_page
from tests.factories.decisions import open_page, url
from tests.factories.people import make_approver
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
    assert links_of(review)["Print or download the report"] == url(second, "report")
    response = submit(client, review, url(second, "return"), {"reason": REASON})
    assert response.status_code == 303, response.text[:300]
    return Story(first, second)


def place_of(question_id: str) -> str:
    """How the report names a question in short: its section's and its own number."""
    for s_number, section in enumerate(RUBRIC.sections, start=1):
        for q_number, question in enumerate(section.questions, start=1):
            if question.id == question_id:
                return f"Section {s_number}, question {q_number}"
    raise AssertionError(question_id)


def facts_of(summary_list: Element) -> dict[str, str]:
    """A summary list's rows, key → value."""
    return {
        row.find("dt").text: row.find("dd").text
        for row in summary_list.find_all(cls="govuk-summary-list__row")
    }


def links_of(doc: Element) -> dict[str, str]:
    return {a.text: a.attrs.get("href", "") for a in doc.find_all("a")}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return text.replace("- ", "-")  # a hyphenated word the layout broke across two lines
