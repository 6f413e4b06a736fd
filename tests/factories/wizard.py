"""Shared wizard page helpers: the rubric's sections, URLs, good answers and what is saved."""

from __future__ import annotations

from decimal import Decimal

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries, screening, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.models import AssessmentVersion
from assessments.rubrics.schema import AnswerKind, Question, Section
from tests.app.pages import Element, form_fields, htmx_headers, page
from tests.factories.answers import answer
from tests.factories.trusts import AUTHOR, RUBRIC
from tests.factories.versions import screening_answers

SECTIONS = RUBRIC.sections
# The screening, every section, then the workload estimate and the summary.
STEP_COUNT = 1 + len(SECTIONS) + 2
NUMBER_QUESTION = next(q for q in RUBRIC.questions() if q.kind is AnswerKind.NUMBER)
NUMBER_SECTION = next(s for s in SECTIONS if NUMBER_QUESTION in s.questions)
CHOICE_QUESTION = next(q for q in NUMBER_SECTION.questions if q.kind is AnswerKind.CHOICE)
TEXT_QUESTION = next(q for q in SECTIONS[0].questions if q.kind is AnswerKind.TEXT)
STALE = "Someone else changed this after you opened it"


def base_url(version: AssessmentVersion) -> str:
    return f"/assessments/{version.id}"


def section_url(version: AssessmentVersion, section: Section) -> str:
    return f"{base_url(version)}/sections/{section.id}"


def good_answer(question: Question) -> str:
    """A valid answer to any question of the rubric."""
    match question.kind:
        case AnswerKind.CHOICE:
            return question.options[-1].value
        case AnswerKind.YES_NO:
            return "no"
        case AnswerKind.NUMBER:
            return str(question.min_value if question.min_value is not None else 1)
        case AnswerKind.TEXT:
            return f"What we found about {question.id}."


def good_answers(section: Section) -> dict[str, str]:
    return {f"answer-{q.id}": good_answer(q) for q in section.questions}


def saved_answers(session: Session, version: AssessmentVersion) -> dict[str, str]:
    """The answers in the database now (not what the test's session remembers)."""
    session.expire_all()
    return {
        qid: a.value
        for qid, a in version_queries.answers_of_version(session, version.id or 0).items()
    }


def open_section(client: TestClient, version: AssessmentVersion, section: Section) -> Element:
    response = client.get(section_url(version, section))
    assert response.status_code == 200
    return page(response)


def autosave(
    client: TestClient, doc: Element, version: AssessmentVersion, question: Question, value: str
) -> httpx2.Response:
    """Change one answer on the page as htmx would: post just that question's fields."""
    fields = form_fields(doc.by_id(f"question-{question.id}"))
    fields[f"answer-{question.id}"] = value
    return client.post(
        f"{base_url(version)}/answers/{question.id}", data=fields, headers=htmx_headers(doc)
    )


def progress(doc: Element) -> tuple[str, list[str], list[str]]:
    """The progress indicator: its heading, the current step's link(s), and completed steps."""
    nav = doc.find("nav", cls="app-progress")
    current = [link.attrs["href"] for link in nav.find_all("a") if "aria-current" in link.attrs]
    done = [item.find("a").attrs["href"] for item in nav.find_all("li") if "complete" in item.text]
    return nav.find("h2").text, current, done


def screening_url(version: AssessmentVersion) -> str:
    return f"{base_url(version)}/screening"


def screen_for_full(session: Session, version: AssessmentVersion) -> None:
    """Answer the screening so that it calls for the full assessment."""
    assert version.id is not None
    screening.save_screening(
        session=session,
        actor=AUTHOR,
        version_id=version.id,
        answers=screening_answers(full=True),
        reason="",
    )


def answer_section(session: Session, version: AssessmentVersion, section: Section) -> None:
    for question in section.questions:
        answer(session, version, question.id, good_answer(question))


def answer_required(session: Session, version: AssessmentVersion, section: Section) -> None:
    for question in section.questions:
        if question.required:
            answer(session, version, question.id, good_answer(question))


SECTION_WITH_OPTIONAL = next(s for s in SECTIONS if not all(q.required for q in s.questions))


def workload_url(version: AssessmentVersion) -> str:
    return f"{base_url(version)}/workload"


def open_workload(client: TestClient, version: AssessmentVersion) -> Element:
    response = client.get(workload_url(version))
    assert response.status_code == 200
    return page(response)


def estimate_rows(session: Session, version: AssessmentVersion) -> dict[str, tuple[Decimal, int]]:
    session.expire_all()
    return {
        group: (row.hours_per_term, row.staff_count)
        for group, row in version_queries.estimates_of_version(session, version.id or 0).items()
    }


def save_estimate(
    session: Session, version: AssessmentVersion, group: str, hours: str, staff: int
) -> None:
    workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=version.id or 0,
        staff_group=group,
        data=WorkloadEstimateSave(hours_per_term=Decimal(hours), staff_count=staff),
    )
