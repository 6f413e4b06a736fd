"""The wizard's autosave with htmx: saving one question at a time and returning just that block."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import AssessmentVersion
from assessments.rubrics.schema import AnswerKind
from tests.app.pages import (
    error_for,
    field_value,
    fragment_roots,
    htmx_headers,
    is_fragment,
    page,
)
from tests.factories.answers import answer
from tests.factories.wizard import (
    CHOICE_QUESTION,
    NUMBER_QUESTION,
    NUMBER_SECTION,
    SECTIONS,
    STALE,
    TEXT_QUESTION,
    autosave,
    base_url,
    open_section,
    saved_answers,
)

# Autosave with htmx ----------------------------------------------------------------------


def test_autosave_returns_just_that_question_marked_saved(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    doc = open_section(client, draft, NUMBER_SECTION)
    value = CHOICE_QUESTION.options[0].value

    response = autosave(client, doc, draft, CHOICE_QUESTION, value)

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    fragment = page(response)
    assert is_fragment(fragment)
    assert [root.id for root in fragment_roots(fragment)] == [f"question-{CHOICE_QUESTION.id}"]
    assert fragment.find(role="status").text == "Saved"
    assert field_value(fragment, f"answer-{CHOICE_QUESTION.id}") == value
    assert saved_answers(session, draft) == {CHOICE_QUESTION.id: value}


def test_autosaving_twice_from_the_refreshed_question_works(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    doc = open_section(client, draft, NUMBER_SECTION)
    first = page(autosave(client, doc, draft, NUMBER_QUESTION, "3"))
    # htmx swaps the returned block in, so the next change carries its new revision.
    doc.by_id(f"question-{NUMBER_QUESTION.id}").children = first.by_id(
        f"question-{NUMBER_QUESTION.id}"
    ).children

    response = autosave(client, doc, draft, NUMBER_QUESTION, "4")

    assert response.status_code == 200
    assert saved_answers(session, draft) == {NUMBER_QUESTION.id: "4"}


def test_autosave_of_an_invalid_answer_shows_the_error_and_keeps_what_was_typed(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    doc = open_section(client, draft, NUMBER_SECTION)

    response = autosave(client, doc, draft, NUMBER_QUESTION, "lots")

    assert response.status_code == 422
    fragment = page(response)
    assert is_fragment(fragment)
    assert [root.id for root in fragment_roots(fragment)] == [f"question-{NUMBER_QUESTION.id}"]
    assert error_for(fragment, f"answer-{NUMBER_QUESTION.id}") == "Enter a number, like 3 or 1.5"
    assert field_value(fragment, f"answer-{NUMBER_QUESTION.id}") == "lots"
    assert fragment.find(role="status").text == ""
    assert saved_answers(session, draft) == {}


def test_autosave_over_someone_elses_newer_answer_is_refused(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    doc = open_section(client, draft, NUMBER_SECTION)
    answer(session, draft, NUMBER_QUESTION.id, "6")  # someone else, after the page opened

    response = autosave(client, doc, draft, NUMBER_QUESTION, "1")

    assert response.status_code == 409  # swapped in place of the question by the htmx config
    fragment = page(response)
    assert is_fragment(fragment)
    assert STALE in error_for(fragment, f"answer-{NUMBER_QUESTION.id}")
    assert field_value(fragment, f"answer-{NUMBER_QUESTION.id}") == "1"
    assert saved_answers(session, draft) == {NUMBER_QUESTION.id: "6"}


def test_autosave_from_a_page_too_old_to_carry_revisions_asks_for_a_reload(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    doc = open_section(client, draft, NUMBER_SECTION)
    response = client.post(
        f"{base_url(draft)}/answers/{NUMBER_QUESTION.id}",
        data={f"answer-{NUMBER_QUESTION.id}": "3"},
        headers=htmx_headers(doc),
    )
    assert response.status_code == 422
    assert "reload it" in error_for(page(response), f"answer-{NUMBER_QUESTION.id}")
    assert saved_answers(session, draft) == {}


def test_autosave_of_an_empty_answer_clears_it(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    answer(session, draft, TEXT_QUESTION.id, "Something")
    doc = open_section(client, draft, SECTIONS[0])

    response = autosave(client, doc, draft, TEXT_QUESTION, "")

    assert response.status_code == 200
    assert page(response).find(role="status").text == "Saved"
    assert saved_answers(session, draft) == {}


def test_answers_are_there_after_leaving_and_coming_back(
    client: TestClient, draft: AssessmentVersion
) -> None:
    first = SECTIONS[0]
    doc = open_section(client, draft, first)
    choice = next(q for q in first.questions if q.kind is AnswerKind.CHOICE)
    assert autosave(client, doc, draft, choice, choice.options[1].value).status_code == 200
    assert autosave(client, doc, draft, TEXT_QUESTION, "Weekly marking log").status_code == 200

    open_section(client, draft, SECTIONS[1])
    back = open_section(client, draft, first)

    assert field_value(back, f"answer-{choice.id}") == choice.options[1].value
    assert field_value(back, f"answer-{TEXT_QUESTION.id}") == "Weekly marking log"
