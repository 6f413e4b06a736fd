"""The wizard's section pages: opening the assessment, progress, and saving a section without JS."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.models import AssessmentVersion
from assessments.rubrics.schema import AnswerKind
from tests.app.pages import (
    error_for,
    error_summary,
    field_value,
    htmx_headers,
    is_fragment,
    page,
    submit,
    title,
)
from tests.factories.answers import answer
from tests.factories.trusts import AUTHOR
from tests.factories.wizard import (
    CHOICE_QUESTION,
    NUMBER_QUESTION,
    NUMBER_SECTION,
    SECTION_WITH_OPTIONAL,
    SECTIONS,
    STALE,
    STEP_COUNT,
    TEXT_QUESTION,
    answer_required,
    answer_section,
    base_url,
    good_answer,
    good_answers,
    open_section,
    progress,
    save_estimate,
    saved_answers,
    screen_for_full,
    screening_url,
    section_url,
)

# Opening the assessment ---------------------------------------------------------------------


def test_opening_goes_to_the_screening_then_the_first_section_still_to_answer(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    response = client.get(base_url(draft))
    assert response.status_code == 303
    assert response.headers["location"] == screening_url(draft)

    screen_for_full(session, draft)
    response = client.get(base_url(draft))
    assert response.headers["location"] == section_url(draft, SECTIONS[0])

    answer_section(session, draft, SECTIONS[0])

    response = client.get(base_url(draft))
    assert response.headers["location"] == section_url(draft, SECTIONS[1])


def test_opening_a_fully_answered_assessment_goes_to_the_workload_then_the_summary(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    screen_for_full(session, draft)
    for section in SECTIONS:
        answer_section(session, draft, section)
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/workload"

    workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=draft.id or 0,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal(1), staff_count=5),
    )
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/summary"


def test_opening_skips_sections_with_only_optional_questions_unanswered(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    screen_for_full(session, draft)
    for section in SECTIONS:
        answer_required(session, draft, section)
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/workload"

    save_estimate(session, draft, "teachers", "1", 5)
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/summary"


def test_opening_stops_at_a_section_with_a_required_question_unanswered(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = SECTION_WITH_OPTIONAL
    screen_for_full(session, draft)
    for other in SECTIONS:
        answer_section(session, draft, other)
    required = next(q for q in section.questions if q.required)
    answer(session, draft, required.id, "")  # cleared again

    assert client.get(base_url(draft)).headers["location"] == section_url(draft, section)


# A section page ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", range(len(SECTIONS)), ids=[s.id for s in SECTIONS])
def test_a_section_page_shows_its_questions_with_guidance_and_progress(
    client: TestClient, draft: AssessmentVersion, number: int
) -> None:
    section = SECTIONS[number]

    response = client.get(section_url(draft, section))

    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    doc = page(response)
    assert title(doc) == f"{section.title} – Workload Impact Register"
    assert doc.find("h1").text == section.title
    assert "TL-004 Homework policy" in doc.find(cls="govuk-caption-l").text
    for question in section.questions:
        block = doc.by_id(f"question-{question.id}")
        legends = block.find_all("legend")
        heading = legends[0] if legends else block.find("label", **{"for": f"answer-{question.id}"})
        expected = question.text if question.required else f"{question.text} (optional)"
        assert heading.text == " ".join(expected.split())
        assert block.by_id(f"answer-{question.id}-hint").text == " ".join(question.guidance.split())
        assert question.charter_ref.split()[0] in block.find("details").text
        if question.kind is AnswerKind.CHOICE:
            radios = block.find_all("input", type="radio")
            assert [r.attrs["value"] for r in radios] == [o.value for o in question.options]
    step, current, _ = progress(doc)
    assert step == f"Step {number + 2} of {STEP_COUNT}"  # the screening first
    assert current == [section_url(draft, section)]
    form = doc.find("form", action=section_url(draft, section))
    assert form.attrs["method"] == "post"
    assert form.find_all("input", name="csrf_token")
    back = doc.find(cls="govuk-button-group").find("a")
    before = section_url(draft, SECTIONS[number - 1]) if number else screening_url(draft)
    assert back.attrs["href"] == before
    assert back.text == f"Back to {SECTIONS[number - 1].title if number else 'Screening'}"


def test_progress_marks_the_sections_already_complete(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    answer_section(session, draft, SECTIONS[0])

    _, _, done = progress(open_section(client, draft, SECTIONS[1]))

    assert done == [section_url(draft, SECTIONS[0])]


def test_progress_counts_a_section_complete_once_its_required_questions_are_answered(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = SECTION_WITH_OPTIONAL
    optional = [q for q in section.questions if not q.required]
    for question in optional:  # the optional ones alone do not complete it
        answer(session, draft, question.id, good_answer(question))
    _, _, done = progress(open_section(client, draft, section))
    assert section_url(draft, section) not in done

    answer_required(session, draft, section)
    for question in optional:  # and the optional ones skipped after all
        answer(session, draft, question.id, "")

    _, _, done = progress(open_section(client, draft, section))
    assert done == [section_url(draft, section)]


# Saving a whole section without JavaScript --------------------------------------------------


@pytest.mark.parametrize("number", range(len(SECTIONS)), ids=[s.id for s in SECTIONS])
def test_save_and_continue_goes_to_the_next_step(
    client: TestClient, draft: AssessmentVersion, number: int
) -> None:
    section = SECTIONS[number]
    doc = open_section(client, draft, section)

    response = submit(client, doc, section_url(draft, section))

    assert response.status_code == 303
    following = (
        section_url(draft, SECTIONS[number + 1])
        if number + 1 < len(SECTIONS)
        else f"{base_url(draft)}/workload"
    )
    assert response.headers["location"] == following


def test_saving_a_section_saves_every_answer_and_shows_them_on_return(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = NUMBER_SECTION
    doc = open_section(client, draft, section)
    changes = {
        **good_answers(section),
        f"answer-{NUMBER_QUESTION.id}": "2.50",
        f"comment-{CHOICE_QUESTION.id}": "Checked with the heads of year",
    }

    response = submit(client, doc, section_url(draft, section), changes)

    assert response.status_code == 303
    expected = {q.id: good_answer(q) for q in section.questions} | {NUMBER_QUESTION.id: "2.5"}
    assert saved_answers(session, draft) == expected
    again = open_section(client, draft, section)
    for question in section.questions:
        assert field_value(again, f"answer-{question.id}") == expected[question.id]
    assert field_value(again, f"comment-{CHOICE_QUESTION.id}") == "Checked with the heads of year"


def test_bad_answers_are_shown_next_to_their_questions_and_good_ones_saved(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = NUMBER_SECTION
    doc = open_section(client, draft, section)
    changes = {
        **good_answers(section),
        f"answer-{NUMBER_QUESTION.id}": "about ten",
        f"answer-{CHOICE_QUESTION.id}": "not-an-option",
    }

    response = submit(client, doc, section_url(draft, section), changes)

    assert response.status_code == 422
    page_ = page(response)
    assert title(page_).startswith(f"Error: {section.title}")
    assert error_for(page_, f"answer-{NUMBER_QUESTION.id}") == "Enter a number, like 3 or 1.5"
    assert error_for(page_, f"answer-{CHOICE_QUESTION.id}") == "Select one of the options"
    assert field_value(page_, f"answer-{NUMBER_QUESTION.id}") == "about ten"
    summary = error_summary(page_)
    assert sorted(href for _, href in summary) == sorted(
        [f"#answer-{NUMBER_QUESTION.id}", f"#answer-{CHOICE_QUESTION.id}"]
    )
    for _, href in summary:
        assert page_.has_id(href.removeprefix("#"))
    good = {
        q.id: good_answer(q)
        for q in section.questions
        if q not in (NUMBER_QUESTION, CHOICE_QUESTION)
    }
    assert saved_answers(session, draft) == good
    for question_id, value in good.items():
        assert field_value(page_, f"answer-{question_id}") == value


def test_each_section_error_summary_link_lands_on_its_question_field(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = SECTIONS[0]  # radios (choice and yes/no) and textareas
    choice = next(q for q in section.questions if q.kind is AnswerKind.CHOICE)
    yes_no = next(q for q in section.questions if q.kind is AnswerKind.YES_NO)
    answer(session, draft, TEXT_QUESTION.id, "Before")
    doc = open_section(client, draft, section)
    answer(session, draft, TEXT_QUESTION.id, "A colleague's text")  # after the page opened
    changes = {
        f"answer-{choice.id}": "not-an-option",
        f"answer-{yes_no.id}": "maybe",
        f"answer-{TEXT_QUESTION.id}": "Mine",
    }

    response = submit(client, doc, section_url(draft, section), changes)

    assert response.status_code == 422
    page_ = page(response)
    summary = dict((href, text) for text, href in error_summary(page_))
    assert sorted(summary) == sorted(f"#answer-{q.id}" for q in (choice, yes_no, TEXT_QUESTION))
    for question in (choice, yes_no, TEXT_QUESTION):
        field_id = f"answer-{question.id}"
        assert summary[f"#{field_id}"] == error_for(page_, field_id)
        target = page_.by_id(field_id)
        if question.kind is AnswerKind.TEXT:
            assert target.tag == "textarea"
        else:  # the first of the question's radios
            first = page_.by_id(f"question-{question.id}").find_all("input", type="radio")[0]
            assert target is first
        assert target.attrs["name"] == field_id


def test_an_answer_changed_by_someone_else_meanwhile_is_not_overwritten(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = SECTIONS[0]
    answer(session, draft, TEXT_QUESTION.id, "First draft of what stops")
    doc = open_section(client, draft, section)
    answer(session, draft, TEXT_QUESTION.id, "A colleague's newer text")  # after the page opened
    changes = {**good_answers(section), f"answer-{TEXT_QUESTION.id}": "My own text"}

    response = submit(client, doc, section_url(draft, section), changes)

    assert response.status_code == 422
    page_ = page(response)
    assert STALE in error_for(page_, f"answer-{TEXT_QUESTION.id}")
    assert field_value(page_, f"answer-{TEXT_QUESTION.id}") == "My own text"
    saved = saved_answers(session, draft)
    assert saved[TEXT_QUESTION.id] == "A colleague's newer text"
    others = [q for q in section.questions if q is not TEXT_QUESTION]
    assert all(saved[q.id] == good_answer(q) for q in others)


def test_an_answer_cleared_by_someone_else_meanwhile_is_not_silently_brought_back(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    answer(session, draft, TEXT_QUESTION.id, "First draft of what stops")
    doc = open_section(client, draft, SECTIONS[0])
    answer(session, draft, TEXT_QUESTION.id, "")  # a colleague clears it after the page opened

    response = submit(
        client, doc, section_url(draft, SECTIONS[0]), {f"answer-{TEXT_QUESTION.id}": "Mine"}
    )

    assert response.status_code == 422
    page_ = page(response)
    assert STALE in error_for(page_, f"answer-{TEXT_QUESTION.id}")
    assert field_value(page_, f"answer-{TEXT_QUESTION.id}") == "Mine"
    assert TEXT_QUESTION.id not in saved_answers(session, draft)


def test_a_boosted_section_form_gets_a_redirect_or_the_whole_page(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    # hx-boost on the page sends the plain form with HX-Request and HX-Boosted.
    doc = open_section(client, draft, NUMBER_SECTION)
    boosted = {**htmx_headers(doc), "HX-Boosted": "true"}
    url = section_url(draft, NUMBER_SECTION)

    bad = submit(client, doc, url, {f"answer-{NUMBER_QUESTION.id}": "lots"}, headers=boosted)
    good = submit(client, doc, url, {f"answer-{NUMBER_QUESTION.id}": "3"}, headers=boosted)

    assert bad.status_code == 422
    assert not is_fragment(page(bad))
    assert good.status_code == 303
    assert saved_answers(session, draft) == {NUMBER_QUESTION.id: "3"}
