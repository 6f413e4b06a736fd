"""The author → approver → auditor journey with the keyboard alone (tests/e2e/keyboard.py):
every control reached with Tab and its focus visible, error summaries focused on submit; and
the same journey again with JavaScript switched off (plain forms and links, no htmx)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from assessments.operations import demo
from assessments.rubrics.schema import AnswerKind, Rubric
from assessments.rubrics.scoring import compute_results
from tests.e2e.conftest import OWNER_NAME, OWNER_PERSON, _open
from tests.e2e.keyboard import Keyboard
from tests.e2e.test_approval_journey import (
    ACTED_ON,
    APPROVER,
    AUDITOR,
    AUTHOR,
    HIGH,
    REFERENCE,
    TITLE,
    WORKLOAD,
    _answer_for,
    _expect_confirmation,
    _expect_empty_queue,
    _expect_ratings,
    _expect_status,
)
from tests.factories.trusts import default_rubric

pytestmark = pytest.mark.e2e


@contextmanager
def _signed_in(
    browser: Browser, base_url: str, email: str, *, javascript: bool
) -> Iterator[tuple[Page, Keyboard]]:
    with contextmanager(_open)(browser, base_url, javascript=javascript) as page:
        keys = Keyboard(page)
        page.goto("/")
        keys.type_into(page.get_by_label("Email address"), email)
        keys.type_into(page.get_by_label("Password"), demo.PASSWORD)
        keys.activate(page.get_by_role("button", name="Sign in"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        yield page, keys


def _heading(page: Page, text: str) -> None:
    # "Save and continue" first waits for the autosaves the arrow keys queued: on a busy
    # machine that can take longer than expect's usual 5 seconds.
    expect(page.get_by_role("heading", level=1)).to_have_text(text, timeout=20_000)


def _draft(page: Page, keys: Keyboard, rubric: Rubric) -> None:
    keys.activate(page.get_by_role("button", name="Add a policy"))
    _heading(page, "Add a policy")
    keys.type_into(page.get_by_label("Title"), TITLE)
    keys.type_into(page.get_by_label("Reference"), REFERENCE)
    keys.select(page.get_by_label("Category"), "Teaching and learning")
    keys.select(page.get_by_label("Which school is it for?"), "Northfield Primary School")
    keys.type_into(page.get_by_label(OWNER_NAME), "Headteacher")
    keys.type_into(page.get_by_label("Review cycle"), "12")
    keys.activate(page.get_by_role("button", name="Save policy"))
    _heading(page, TITLE)
    keys.activate(page.get_by_role("button", name="Start impact assessment"))
    assert rubric.screening is not None  # answered so that it calls for the full assessment
    _heading(page, rubric.screening.title)
    for asked in rubric.screening.questions:
        group = page.locator(f"input[name='answer-{asked.id}']")
        keys.choose(group, group.and_(page.locator(f"[value='{asked.full_if}']")))
    keys.activate(page.get_by_role("button", name="Save and continue"))
    for section in rubric.sections:
        _heading(page, section.title)
        for question in section.questions:
            answer = _answer_for(question)
            if question.kind in (AnswerKind.CHOICE, AnswerKind.YES_NO):
                group = page.locator(f"input[name='answer-{question.id}']")
                keys.choose(group, group.and_(page.locator(f"[value='{answer}']")))
            else:
                keys.type_into(page.locator(f"#answer-{question.id}"), answer)
        keys.activate(page.get_by_role("button", name="Save and continue"))
    _heading(page, rubric.workload.title)
    keys.type_into(page.locator("#hours-teachers"), "1")
    keys.type_into(page.locator("#staff-teachers"), "30")
    keys.activate(page.get_by_role("button", name="Save and see summary"))
    _heading(page, "Summary of the impact assessment")


def _mitigate(page: Page, keys: Keyboard, rubric: Rubric) -> None:
    titles = {q.id: q.text for q in rubric.questions()}
    keys.activate(page.get_by_role("link", name=f"Add an action for “{titles[ACTED_ON]}”"))
    _heading(page, "Add a mitigating action")
    keys.type_into(page.get_by_label("What will be done?"), "Stop the termly department report")
    keys.select(page.get_by_label(OWNER_PERSON, exact=True), "Alex Author")  # an account
    residual = page.locator("input[name='residual_impact']")
    keys.choose(residual, residual.and_(page.locator("[value='1']")))
    keys.activate(page.get_by_role("button", name="Save action"))
    _heading(page, "Summary of the impact assessment")
    for qid in HIGH:
        if qid != ACTED_ON:
            cell = page.locator(f"#mitigation-{qid}")
            keys.type_into(cell.locator(f"#justification-{qid}"), "Agreed with the union reps")
            keys.activate(cell.get_by_role("button", name="Save justification"))
            expect(cell).to_contain_text("No action needed: Agreed with the union reps")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_whole_journey_with_the_keyboard_alone(
    browser: Browser, live_server: str, tmp_path: Path, javascript: bool
) -> None:
    rubric = default_rubric()
    with ExitStack() as people:
        author, keys = people.enter_context(
            _signed_in(browser, live_server, AUTHOR, javascript=javascript)
        )
        _draft(author, keys, rubric)
        # Every answer was saved as chosen, however fast the arrow keys went.
        answers = {q.id: _answer_for(q) for q in rubric.questions()}
        before = compute_results(rubric, answers, WORKLOAD)
        _expect_ratings(author, before, before)
        keys.activate(author.get_by_role("button", name="Submit for approval"))
        if javascript:  # GOV.UK's pattern: the summary takes the focus, and is read out first
            expect(author.locator(".govuk-error-summary")).to_be_focused()
        expect(author.locator(".govuk-error-summary li")).to_have_count(len(HIGH))
        _mitigate(author, keys, rubric)
        after = compute_results(rubric, answers, WORKLOAD, {ACTED_ON: 1})
        keys.activate(author.get_by_role("button", name="Submit for approval"))
        _expect_status(author, "Submitted")

        approver, keys = people.enter_context(
            _signed_in(browser, live_server, APPROVER, javascript=javascript)
        )
        _heading(approver, "Home")  # which lists what awaits their decision
        keys.activate(approver.get_by_role("link", name=f"{REFERENCE}: {TITLE}"))
        keys.activate(approver.get_by_role("button", name="Approve version 1"))  # a link
        _expect_confirmation(approver, before, after)
        keys.activate(approver.get_by_role("button", name="Yes, approve version 1"))
        _expect_empty_queue(approver)

        auditor, keys = people.enter_context(
            _signed_in(browser, live_server, AUDITOR, javascript=javascript)
        )
        keys.activate(auditor.get_by_role("link", name="Register", exact=True))
        _heading(auditor, "Register of impact assessments")
        keys.type_into(auditor.get_by_label("Policy, reference or who prepared it"), REFERENCE)
        keys.select(auditor.get_by_label("Status"), "Approved")
        keys.activate(auditor.get_by_role("button", name="Apply filters"))
        rows = auditor.locator("#results tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("approved by Priya Approver")
        with auditor.expect_download() as download:
            keys.activate(auditor.get_by_role("link", name="Download as CSV"))
        saved = tmp_path / "register.csv"
        download.value.save_as(saved)
        assert REFERENCE in saved.read_text(encoding="utf-8-sig")
