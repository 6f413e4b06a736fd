"""A school leader creates a policy and answers its whole impact assessment in Chromium."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from assessments.rubrics.schema import AnswerKind, Question
from assessments.rubrics.scoring import WorkloadInput, compute_results
from tests.e2e.conftest import OWNER_NAME, screenshot, sign_in
from tests.e2e.journeys import screen_for_the_full_assessment
from tests.factories.trusts import default_rubric

pytestmark = pytest.mark.e2e


def _answer_for(question: Question) -> str:
    """The answer the journey gives: the second option where there is a choice."""
    match question.kind:
        case AnswerKind.CHOICE:
            return question.options[1].value
        case AnswerKind.YES_NO:
            return "yes"
        case AnswerKind.NUMBER:
            return "2"
        case _:
            return f"Discussed with staff: {question.id}"


def _give(page: Page, question: Question, value: str) -> None:
    if question.kind in (AnswerKind.CHOICE, AnswerKind.YES_NO):
        page.locator(f"input[name='answer-{question.id}'][value='{value}']").check()
    else:
        page.locator(f"#answer-{question.id}").fill(value)


def test_a_leader_assesses_a_policy_from_start_to_summary(page: Page) -> None:
    rubric = default_rubric()
    page.goto("/")  # no one is signed in yet: the sign-in page, then back here
    screenshot(page, "00-sign-in")
    sign_in(page, "author.riverside@demo-trust.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    screenshot(page, "01-home")
    page.get_by_role("button", name="Add a policy").click()

    # A mistake first: the error is shown next to the field and what was typed is kept.
    page.get_by_label("Title").fill("Marking and feedback policy")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#reference-error")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Marking and feedback policy")
    screenshot(page, "02-policy-form-errors")

    page.get_by_label("Reference").fill("TL-004")
    page.get_by_label("Category").select_option("assessment-and-marking")
    page.get_by_label("Which school is it for?").select_option(label="Riverside Academy")
    page.get_by_label(OWNER_NAME).fill("Deputy Headteacher")
    page.get_by_label("Review cycle").fill("12")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marking and feedback policy")
    expect(page.get_by_text("Riverside Academy")).to_be_visible()
    screenshot(page, "03-policy")
    page.get_by_role("button", name="Start impact assessment").click()
    screen_for_the_full_assessment(page, rubric)

    answers: dict[str, str] = {}
    for number, section in enumerate(rubric.sections, start=2):  # the screening was step 1
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        expect(page.locator(".app-progress")).to_contain_text(
            f"Step {number} of {len(rubric.sections) + 3}"
        )
        for question in section.questions:
            answers[question.id] = _answer_for(question)
            _give(page, question, answers[question.id])
        if number == 2:
            # Answers save as they are given: leaving and coming back loses nothing.
            last = section.questions[-1]
            page.locator(f"#answer-{last.id}").blur()
            expect(page.locator(f"#question-{last.id} .app-save-status")).to_have_text("Saved")
            screenshot(page, "04-section-saved")
            page.reload()
            for question in section.questions:
                if question.kind in (AnswerKind.CHOICE, AnswerKind.YES_NO):
                    expect(
                        page.locator(
                            f"input[name='answer-{question.id}'][value='{answers[question.id]}']"
                        )
                    ).to_be_checked()
                else:
                    expect(page.locator(f"#answer-{question.id}")).to_have_value(
                        answers[question.id]
                    )
        page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(rubric.workload.title)
    page.locator("#hours-teachers").fill("2")
    page.locator("#staff-teachers").fill("40")
    page.locator("#hours-support-staff").fill("-1.5")
    page.locator("#staff-support-staff").fill("10")
    screenshot(page, "05-workload")
    page.get_by_role("button", name="Save and see summary").click()

    expected = compute_results(
        rubric,
        answers,
        [
            WorkloadInput("teachers", Decimal(2), 40),
            WorkloadInput("support-staff", Decimal("-1.5"), 10),
        ],
    )
    assert expected.rating is not None and expected.complete
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of the impact assessment")
    expect(page.locator("#overall")).to_contain_text(expected.rating.label)
    expect(page.locator("#overall-score")).to_have_text(
        f"Score {expected.overall_score} out of 100"
    )
    rows = page.locator("#section-scores tbody tr")
    expect(rows).to_have_count(len(rubric.sections))
    for row, result in zip(rows.all(), expected.sections, strict=True):
        expect(row).to_contain_text(result.title)
        expect(row).to_contain_text(f"{result.questions} of {result.questions}")
        expect(row).to_contain_text(str(result.score))
    # 2 h a term, 3 terms, 40 teachers = 240; -1.5 h, 3 terms, 10 support staff = -45; net 195.
    expect(page.locator("#workload")).to_contain_text("240.0")
    expect(page.locator("#workload")).to_contain_text("-45.0")
    expect(page.locator("#workload")).to_contain_text("195.0")
    flagged = page.locator("#flagged tbody tr")
    expect(flagged).to_have_count(len(expected.flagged))
    for flag in expected.flagged:
        expect(page.get_by_role("link", name=flag.question.text, exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"still to answer"))).to_have_count(0)
    screenshot(page, "06-summary")


def test_without_javascript_every_form_still_saves(page_without_javascript: Page) -> None:
    page = page_without_javascript
    rubric = default_rubric()
    first, second = rubric.sections[0], rubric.sections[1]
    page.goto("/policies/new")
    sign_in(page, "author@demo-trust.example")
    page.get_by_label("Title").fill("Homework policy")
    page.get_by_label("Reference").fill("TL-010")
    page.get_by_label("Category").select_option("teaching-and-learning")
    page.get_by_label("Which school is it for?").select_option(label="Northfield Primary School")
    page.get_by_label(OWNER_NAME).fill("Headteacher")
    page.get_by_label("Review cycle").fill("24")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Homework policy")
    page.get_by_role("button", name="Start impact assessment").click()
    screen_for_the_full_assessment(page, rubric)

    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    answers = {question.id: _answer_for(question) for question in first.questions}
    for question in first.questions:
        _give(page, question, answers[question.id])
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)

    # A bad number is refused next to its field, keeping what was typed; the rest is saved.
    number = next(q for q in second.questions if q.kind is AnswerKind.NUMBER)
    choice = next(q for q in second.questions if q.kind is AnswerKind.CHOICE)
    _give(page, choice, choice.options[0].value)
    page.locator(f"#answer-{number.id}").fill("lots")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(f"#answer-{number.id}-error")).to_contain_text("Enter a number")
    expect(page.locator(f"#answer-{number.id}")).to_have_value("lots")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    screenshot(page, "07-section-error-no-js")

    page.get_by_role("link", name=first.title).first.click()
    for question in first.questions:
        if question.kind in (AnswerKind.CHOICE, AnswerKind.YES_NO):
            checked = page.locator(f"input[name='answer-{question.id}']:checked")
            expect(checked).to_have_value(answers[question.id])
        else:
            expect(page.locator(f"#answer-{question.id}")).to_have_value(answers[question.id])
    page.get_by_role("link", name=second.title).first.click()
    expect(page.locator(f"input[name='answer-{choice.id}']:checked")).to_have_value(
        choice.options[0].value
    )
