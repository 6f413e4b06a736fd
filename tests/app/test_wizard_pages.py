"""The assessment wizard over HTTP: section pages, saving answers with and without JavaScript,
the workload estimate and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments import repository, service
from assessments.models import AssessmentVersion, VersionStatus
from assessments.rubric import AnswerKind, Question, Section
from assessments.schemas import WorkloadEstimateSave
from tests.app.pages import (
    Element,
    error_for,
    error_summary,
    field_value,
    form_fields,
    htmx_headers,
    is_fragment,
    page,
    post_form,
    submit,
    title,
)
from tests.factories import AUTHOR, answer, default_rubric, make_draft

RUBRIC = default_rubric()
SECTIONS = RUBRIC.sections
STEP_COUNT = len(SECTIONS) + 2  # every section, then the workload estimate and the summary
NUMBER_QUESTION = next(q for q in RUBRIC.questions() if q.kind is AnswerKind.NUMBER)
NUMBER_SECTION = next(s for s in SECTIONS if NUMBER_QUESTION in s.questions)
CHOICE_QUESTION = next(q for q in NUMBER_SECTION.questions if q.kind is AnswerKind.CHOICE)
TEXT_QUESTION = next(q for q in SECTIONS[0].questions if q.kind is AnswerKind.TEXT)
STALE = "Someone else changed this after you opened it"


@pytest.fixture
def draft(session: Session, rubric_published: None) -> AssessmentVersion:
    """Version 1 of a policy's assessment, just started."""
    return make_draft(session, reference="TL-004", title="Homework policy")


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
        qid: a.value for qid, a in repository.answers_of_version(session, version.id or 0).items()
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


def fragment_roots(doc: Element) -> list[Element]:
    return [child for child in doc.children if isinstance(child, Element)]


def progress(doc: Element) -> tuple[str, list[str], list[str]]:
    """The progress indicator: its heading, the current step's link(s), and completed steps."""
    nav = doc.find("nav", cls="app-progress")
    current = [link.attrs["href"] for link in nav.find_all("a") if "aria-current" in link.attrs]
    done = [item.find("a").attrs["href"] for item in nav.find_all("li") if "complete" in item.text]
    return nav.find("h2").text, current, done


def answer_all(session: Session, version: AssessmentVersion, section: Section) -> None:
    for question in section.questions:
        answer(session, version, question.id, good_answer(question))


def answer_required(session: Session, version: AssessmentVersion, section: Section) -> None:
    for question in section.questions:
        if question.required:
            answer(session, version, question.id, good_answer(question))


SECTION_WITH_OPTIONAL = next(s for s in SECTIONS if not all(q.required for q in s.questions))


# Opening the assessment ---------------------------------------------------------------------


def test_opening_goes_to_the_first_section_still_to_answer(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    response = client.get(base_url(draft))
    assert response.status_code == 303
    assert response.headers["location"] == section_url(draft, SECTIONS[0])

    answer_all(session, draft, SECTIONS[0])

    response = client.get(base_url(draft))
    assert response.headers["location"] == section_url(draft, SECTIONS[1])


def test_opening_a_fully_answered_assessment_goes_to_the_workload_then_the_summary(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    for section in SECTIONS:
        answer_all(session, draft, section)
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/workload"

    service.save_workload_estimate(
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
    for section in SECTIONS:
        answer_required(session, draft, section)
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/workload"

    save_estimate(session, draft, "teachers", "1", 5)
    assert client.get(base_url(draft)).headers["location"] == f"{base_url(draft)}/summary"


def test_opening_stops_at_a_section_with_a_required_question_unanswered(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    section = SECTION_WITH_OPTIONAL
    for other in SECTIONS:
        answer_all(session, draft, other)
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
    assert step == f"Step {number + 1} of {STEP_COUNT}"
    assert current == [section_url(draft, section)]
    form = doc.find("form", action=section_url(draft, section))
    assert form.attrs["method"] == "post"
    assert form.find_all("input", name="csrf_token")
    if number:
        back = doc.find(cls="govuk-button-group").find("a")
        assert back.attrs["href"] == section_url(draft, SECTIONS[number - 1])
        assert back.text == f"Back to {SECTIONS[number - 1].title}"


def test_progress_marks_the_sections_already_complete(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    answer_all(session, draft, SECTIONS[0])

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


# The workload estimate ---------------------------------------------------------------------


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
        for group, row in repository.estimates_of_version(session, version.id or 0).items()
    }


def save_estimate(
    session: Session, version: AssessmentVersion, group: str, hours: str, staff: int
) -> None:
    service.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=version.id or 0,
        staff_group=group,
        data=WorkloadEstimateSave(hours_per_term=Decimal(hours), staff_count=staff),
    )


def test_workload_page_asks_about_every_staff_group(
    client: TestClient, draft: AssessmentVersion
) -> None:
    doc = open_workload(client, draft)

    assert title(doc) == f"{RUBRIC.workload.title} – Workload Impact Register"
    legends = [legend.text for legend in doc.find_all("legend")]
    assert legends == [group.label for group in RUBRIC.staff_groups]
    for group in RUBRIC.staff_groups:
        assert doc.by_id(f"group-hint-{group.id}").text == " ".join(group.description.split())
        for part in ("hours", "staff", "note"):
            assert doc.find("label", **{"for": f"{part}-{group.id}"}).text
    heading, current, _ = progress(doc)
    assert heading == f"Step {STEP_COUNT - 1} of {STEP_COUNT}"
    assert current == [workload_url(draft)]
    back = doc.find(cls="govuk-button-group").find("a")
    assert back.attrs["href"] == section_url(draft, SECTIONS[-1])
    assert back.text == f"Back to {SECTIONS[-1].title}"


def test_saving_the_workload_goes_to_the_summary_and_is_shown_on_return(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    changes = {
        "hours-teachers": "2.5",
        "staff-teachers": "10",
        "note-teachers": "Weekly marking log",
        "hours-support-staff": "-1",
        "staff-support-staff": "4",
    }

    response = submit(client, open_workload(client, draft), workload_url(draft), changes)

    assert response.status_code == 303
    assert response.headers["location"] == f"{base_url(draft)}/summary"
    assert estimate_rows(session, draft) == {
        "teachers": (Decimal("2.5"), 10),
        "support-staff": (Decimal(-1), 4),
    }
    again = open_workload(client, draft)
    assert field_value(again, "hours-teachers") == "2.5"
    assert field_value(again, "staff-teachers") == "10"
    assert field_value(again, "note-teachers") == "Weekly marking log"
    assert field_value(again, "hours-support-staff") == "-1"  # as typed, not -1.0
    assert field_value(again, "hours-teaching-assistants") == ""


def test_emptying_a_staff_groups_row_clears_its_estimate(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2", 10)
    save_estimate(session, draft, "teaching-assistants", "1", 6)
    doc = open_workload(client, draft)

    changes = {"hours-teaching-assistants": "", "staff-teaching-assistants": ""}
    response = submit(client, doc, workload_url(draft), changes)

    assert response.status_code == 303
    assert estimate_rows(session, draft) == {"teachers": (Decimal(2), 10)}


def hours_problem(group: str) -> str:
    return (
        f"Enter the hours added or removed per person per term for {group}, "
        "from -500 to 500 with up to 2 decimal places"
    )


def staff_problem(group: str) -> str:
    return f"Enter the number of {group} affected, a whole number from 0 to 10000"


def form_group_of(doc: Element, field_id: str) -> Element:
    """The innermost GOV.UK form group around a field."""
    groups = [g for g in doc.find_all(cls="govuk-form-group") if g.find_all(id=field_id)]
    return next(g for g in groups if not any(g2 in groups for g2 in g.find_all()))


def assert_field_in_error(doc: Element, field_id: str, message: str) -> None:
    """The GOV.UK pattern: the message above that field, in that field's form group only."""
    group = form_group_of(doc, field_id)
    assert "govuk-form-group--error" in group.classes
    assert [element.id for element in group.find_all("input")] == [field_id]  # this field's own
    assert error_for(doc, field_id) == message
    order = [element.id for element in group.iter() if element.id]
    assert order.index(f"{field_id}-error") < order.index(field_id)  # message above the input
    field = doc.by_id(field_id)
    assert "govuk-input--error" in field.classes
    assert f"{field_id}-error" in field.attrs["aria-describedby"].split()


def assert_field_not_in_error(doc: Element, field_id: str) -> None:
    assert "govuk-form-group--error" not in form_group_of(doc, field_id).classes
    assert "govuk-input--error" not in doc.by_id(field_id).classes
    assert not doc.has_id(f"{field_id}-error")
    assert f"{field_id}-error" not in doc.by_id(field_id).attrs.get("aria-describedby", "")


@pytest.mark.parametrize(
    ("hours", "staff", "wrong", "problem"),
    [
        ("two", "10", "hours", hours_problem("teachers")),
        ("600", "10", "hours", hours_problem("teachers")),
        ("1.234", "10", "hours", hours_problem("teachers")),
        ("", "10", "hours", hours_problem("teachers")),
        ("2", "-1", "staff", staff_problem("teachers")),
        ("2", "many", "staff", staff_problem("teachers")),
        ("2", "1.5", "staff", staff_problem("teachers")),
        ("2", "", "staff", staff_problem("teachers")),
    ],
    ids=[
        *("hours-word", "hours-600", "hours-3dp", "hours-empty"),
        *("staff-minus", "staff-word", "staff-fraction", "staff-empty"),
    ],
)
def test_an_invalid_workload_number_is_shown_next_to_that_field_and_kept(
    client: TestClient,
    session: Session,
    draft: AssessmentVersion,
    hours: str,
    staff: str,
    wrong: str,
    problem: str,
) -> None:
    changes = {
        "hours-teachers": hours,
        "staff-teachers": staff,
        "hours-support-staff": "1",
        "staff-support-staff": "3",
    }

    response = submit(client, open_workload(client, draft), workload_url(draft), changes)

    assert response.status_code == 422
    doc = page(response)
    assert title(doc).startswith(f"Error: {RUBRIC.workload.title}")
    assert_field_in_error(doc, f"{wrong}-teachers", problem)
    assert error_summary(doc) == [(problem, f"#{wrong}-teachers")]
    right = {"hours": "staff", "staff": "hours"}[wrong]
    for field_id in (f"{right}-teachers", "note-teachers", "hours-support-staff"):
        assert_field_not_in_error(doc, field_id)
    assert field_value(doc, "hours-teachers") == hours
    assert field_value(doc, "staff-teachers") == staff
    assert field_value(doc, "hours-support-staff") == "1"
    assert estimate_rows(session, draft) == {"support-staff": (Decimal(1), 3)}


def test_workload_errors_name_their_staff_group_and_link_to_each_field_in_page_order(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    changes = {
        "hours-support-staff": "1",
        "staff-support-staff": "lots",
        "hours-teachers": "lots",
        "staff-teachers": "-3",
        "hours-early-career-teachers": "2",
        "staff-early-career-teachers": "4",
        "note-early-career-teachers": "x" * 2001,
    }

    response = submit(client, open_workload(client, draft), workload_url(draft), changes)

    assert response.status_code == 422
    doc = page(response)
    note = "The note about early-career teachers must be 2000 characters or fewer"
    expected = [
        (hours_problem("teachers"), "#hours-teachers"),
        (staff_problem("teachers"), "#staff-teachers"),
        (note, "#note-early-career-teachers"),
        (staff_problem("support staff"), "#staff-support-staff"),
    ]
    assert error_summary(doc) == expected
    for message, href in expected:
        assert_field_in_error(doc, href.removeprefix("#"), message)
    for field_id in ("hours-early-career-teachers", "hours-support-staff"):
        assert_field_not_in_error(doc, field_id)
    assert field_value(doc, "note-early-career-teachers") == "x" * 2001
    assert field_value(doc, "staff-support-staff") == "lots"
    assert estimate_rows(session, draft) == {}


def test_a_workload_row_changed_by_someone_else_meanwhile_is_not_overwritten(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2", 10)
    doc = open_workload(client, draft)
    save_estimate(session, draft, "teachers", "3", 12)  # someone else, after the page opened

    response = submit(client, doc, workload_url(draft), {"hours-teachers": "1"})

    assert response.status_code == 422
    page_ = page(response)
    message = error_for(page_, "hours-teachers")  # shown on the group's hours field
    assert STALE in message
    assert_field_in_error(page_, "hours-teachers", message)
    assert_field_not_in_error(page_, "staff-teachers")
    assert error_summary(page_) == [(message, "#hours-teachers")]
    assert field_value(page_, "hours-teachers") == "1"
    assert estimate_rows(session, draft) == {"teachers": (Decimal(3), 12)}


def test_emptying_a_row_someone_else_changed_meanwhile_keeps_their_estimate(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2", 10)
    doc = open_workload(client, draft)
    save_estimate(session, draft, "teachers", "3", 12)  # someone else, after the page opened

    response = submit(
        client, doc, workload_url(draft), {"hours-teachers": "", "staff-teachers": ""}
    )

    assert response.status_code == 422
    page_ = page(response)
    assert STALE in error_for(page_, "hours-teachers")
    assert [href for _, href in error_summary(page_)] == ["#hours-teachers"]
    assert estimate_rows(session, draft) == {"teachers": (Decimal(3), 12)}


# The summary --------------------------------------------------------------------------------


def table_rows(table: Element) -> list[list[str]]:
    return [
        [cell.text for cell in row.find_all() if cell.tag in {"th", "td"}]
        for row in table.find("tbody").find_all("tr")
    ]


def test_summary_shows_scores_rating_and_the_answers_needing_mitigation(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    # weight 2 x impact 4, weight 1 x impact 0 (about the change); weight 1 x impact 3 (flexible)
    answer(session, draft, "change-and-offset", "nothing-stopped")
    answer(session, draft, "staff-groups-affected", "none")
    answer(session, draft, "holiday-deadlines", "yes")

    response = client.get(f"{base_url(draft)}/summary")

    assert response.status_code == 200
    doc = page(response)
    assert title(doc) == "Summary: Homework policy – Workload Impact Register"
    overall = doc.by_id("overall")
    assert overall.find(cls="app-rating").text == "High impact"
    assert doc.by_id("overall-score").text == "Score 68.8 out of 100"
    scores = {row[0]: row[1:] for row in table_rows(doc.by_id("section-scores"))}
    assert scores["About the change"] == ["2 of 8", "66.7", "High impact"]
    flexible = RUBRIC.section("flexible-working")
    assert flexible is not None
    assert scores[flexible.title] == [f"1 of {len(flexible.questions)}", "75.0", "Very high impact"]
    assert scores[SECTIONS[-1].title] == [
        f"0 of {len(SECTIONS[-1].questions)}",
        "–",
        "Not yet rated",
    ]
    flagged_table = doc.find_all("table")[1]
    change = RUBRIC.question("change-and-offset")
    holiday = RUBRIC.question("holiday-deadlines")
    assert change is not None and holiday is not None
    assert table_rows(flagged_table) == [
        [" ".join(change.text.split()), change.label_for("nothing-stopped"), "4"],
        [" ".join(holiday.text.split()), "Yes", "3"],
    ]
    link = flagged_table.find(
        "a", href=f"{base_url(draft)}/sections/about-the-change#question-change-and-offset"
    )
    assert link.text == change.text
    required = sum(1 for q in RUBRIC.questions() if q.required)
    missing = doc.by_id("missing").find_all("li")
    assert len(missing) == required - 3
    assert f"{required - 3} required questions still to answer" in doc.find("main").text


def test_summary_shows_net_hours_per_staff_group_per_year(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2.5", 10)
    save_estimate(session, draft, "support-staff", "-1", 4)

    doc = page(client.get(f"{base_url(draft)}/summary"))

    assert table_rows(doc.by_id("workload")) == [
        ["Teachers", "2.5", "10", "7.5", "75.0"],
        ["Support staff", "-1", "4", "-3.0", "-12.0"],
        ["All staff groups", "63.0"],
    ]


def test_summary_of_an_assessment_with_nothing_answered(
    client: TestClient, draft: AssessmentVersion
) -> None:
    doc = page(client.get(f"{base_url(draft)}/summary"))

    assert doc.by_id("overall").find(cls="app-rating").text == "Not yet rated"
    assert not doc.find_all(id="overall-score")
    assert "No answer so far is at or above the mitigation threshold" in doc.find("main").text
    assert doc.by_id("workload").find("a", href=workload_url(draft))
    heading, current, _ = progress(doc)
    assert heading == f"Step {STEP_COUNT} of {STEP_COUNT}"
    assert current == [f"{base_url(draft)}/summary"]


# What does not exist -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/assessments/999999"),
        ("GET", "/assessments/999999/sections/about-the-change"),
        ("GET", "/assessments/999999/workload"),
        ("GET", "/assessments/999999/summary"),
        ("POST", "/assessments/999999/sections/about-the-change"),
        ("POST", "/assessments/999999/answers/change-and-offset"),
        ("POST", "/assessments/999999/workload"),
        ("GET", "{draft}/sections/no-such-section"),
        ("POST", "{draft}/sections/no-such-section"),
        ("POST", "{draft}/answers/no-such-question"),
    ],
)
def test_an_unknown_version_section_or_question_is_page_not_found(
    client: TestClient, session: Session, draft: AssessmentVersion, method: str, path: str
) -> None:
    url = path.format(draft=base_url(draft))
    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, {"answer-no-such-question": "x"})

    assert response.status_code == 404
    doc = page(response)
    assert doc.find("h1").text == "Page not found"
    assert saved_answers(session, draft) == {}


# A version that has left draft ---------------------------------------------------------------


@pytest.fixture
def submitted(session: Session, draft: AssessmentVersion) -> AssessmentVersion:
    """A version sent for approval (set directly: submitting is not built yet)."""
    answer(session, draft, TEXT_QUESTION.id, "As submitted")
    draft.status = VersionStatus.SUBMITTED
    session.add(draft)
    session.flush()
    return draft


def test_a_submitted_version_cannot_be_changed(
    client: TestClient, session: Session, submitted: AssessmentVersion
) -> None:
    doc = open_section(client, submitted, SECTIONS[0])
    attempts: Mapping[str, httpx2.Response] = {
        "section": submit(
            client,
            doc,
            section_url(submitted, SECTIONS[0]),
            {f"answer-{TEXT_QUESTION.id}": "Changed after submission"},
        ),
        "autosave": autosave(client, doc, submitted, TEXT_QUESTION, "Changed after submission"),
        "workload": post_form(
            client, workload_url(submitted), {"hours-teachers": "1", "staff-teachers": "1"}
        ),
    }

    for name, response in attempts.items():
        assert response.status_code == 409, name
        assert "Version 1 is submitted and can no longer be changed" in response.text, name
    # The refused autosave replaces the whole page, not the one question it was sent from.
    assert attempts["autosave"].headers["HX-Retarget"] == "body"
    assert "HX-Retarget" not in attempts["section"].headers
    assert saved_answers(session, submitted) == {TEXT_QUESTION.id: "As submitted"}
    assert estimate_rows(session, submitted) == {}


def test_a_submitted_version_can_still_be_read(
    client: TestClient, session: Session, submitted: AssessmentVersion
) -> None:
    assert client.get(f"{base_url(submitted)}/summary").status_code == 200
    policy = repository.policy_of_version(session, submitted)
    row = page(client.get(f"/policies/{policy.id}")).find("tbody").find("tr")
    assert "Submitted" in row.text
    assert not row.find_all("a", href=base_url(submitted))  # no "Continue"
    assert row.find_all("a", href=f"{base_url(submitted)}/summary")


def test_a_submitted_version_reads_as_read_only(
    client: TestClient, submitted: AssessmentVersion
) -> None:
    for url in (section_url(submitted, SECTIONS[0]), workload_url(submitted)):
        doc = page(client.get(url))
        assert "it can be read but no longer changed" in doc.by_id("read-only").text, url
        form = doc.find("form", method="post")
        outer = next(
            child
            for child in form.children
            if isinstance(child, Element) and child.tag == "fieldset"
        )
        assert "disabled" in outer.attrs, url  # every field inside is disabled with it
        assert not doc.find_all("button"), url  # no "Save and continue"
        assert "hx-post" not in client.get(url).text, url
