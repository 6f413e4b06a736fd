"""Decisions confirmed, and undone, in Chromium, with JavaScript and without: an approver
returns a version with a reason; its author, after "Make changes", sees why on every page of
the draft, changes an answer and submits it again; the approver's review shows what changed
since it was returned, and approving it, rated high even after its planned actions, needs a
reason on the confirmation page. Then a draft is withdrawn, saying why, and started again as
version 2. The submitted assessment is made through the use-cases before the server starts
(test_action_progress_journey.py's, with more hours: 60 a teacher a year reach the rubric's
floor for a high rating, which no action lowers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session

from assessments.rubrics.scoring import WorkloadInput, compute_results
from tests.e2e.conftest import _open, screenshot, sign_in
from tests.e2e.test_action_progress_journey import serving_prepared, submit_an_assessment
from tests.e2e.test_approval_journey import ACTED_ON, APPROVER, AUTHOR, _answer_for
from tests.factories.trusts import default_rubric
from tests.factories.versions import UNCONSULTED_REASON

pytestmark = pytest.mark.e2e

REFERENCE, TITLE = "WB-012", "Homework policy"
HEAVY = [WorkloadInput("teachers", Decimal(20), 30)]  # 20 h a term, 3 terms: 60 h a teacher
DEMO_DRAFT = "/assessments/2"  # the demo's draft (MT-002), by Alex Author
RETURNED = "Say which staff groups it reaches: more than one small team sets the homework."
APPROVED = "Governors accept the load for one year, with a termly check by the staff forum."
WITHDRAWN = "The homework policy is merged into the teaching and learning policy."
NEEDS_REASON = "Say why a policy rated high impact after mitigation is approved"


@pytest.fixture
def submitted(database_url: str, demo_database: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A server whose database has Alex Author's assessment submitted; and the version's id."""
    made: list[int] = []

    def prepare(session: Session) -> None:
        made.append(
            submit_an_assessment(
                session, reference=REFERENCE, title=TITLE, workload_estimates=HEAVY
            )
        )

    for url in serving_prepared(database_url, demo_database, tmp_path, prepare):
        yield url, made[0]


@contextmanager
def _signed_in(browser: Browser, base_url: str, email: str, javascript: bool) -> Iterator[Page]:
    with contextmanager(_open)(browser, base_url, javascript=javascript) as page:
        page.goto("/")
        sign_in(page, email)
        yield page


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _status(page: Page, status: str) -> None:
    expect(page.locator("#workflow strong").first).to_have_text(status)


def _banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def _follows(first: Locator, then: Locator) -> bool:
    """Whether `then` comes after `first` in the page."""
    return bool(
        first.evaluate(
            "(a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
            then.element_handle(),
        )
    )


def _open_review(page: Page) -> None:
    page.get_by_role("link", name="Approvals", exact=True).click()
    _heading(page, "Awaiting your decision")
    page.get_by_role("link", name=f"{REFERENCE}: {TITLE}").click()
    _heading(page, "Review the impact assessment")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_version_is_returned_changed_and_approved_with_a_reason_and_a_draft_restarted(
    browser: Browser, submitted: tuple[str, int], javascript: bool
) -> None:
    server, version_id = submitted
    rubric = default_rubric()
    answers = {q.id: _answer_for(q) for q in rubric.questions()}
    after = compute_results(rubric, answers, HEAVY, {ACTED_ON: 1})
    assert after.rating and after.rating.id == "high"  # the workload floor, after the action
    first = rubric.sections[0]
    changed = next(q for q in first.questions if q.options and q.id != ACTED_ON)
    was = answers[changed.id]
    now = next(o.value for o in changed.options if o.value != was and o.impact < 3)
    shot = "" if javascript else "-no-js"  # axe runs with JavaScript only (see `screenshot`)
    summary = f"/assessments/{version_id}/summary"

    with ExitStack() as people:
        # 1. The approver reads the whole assessment, decides at its end, and returns it.
        approver = people.enter_context(_signed_in(browser, server, APPROVER, javascript))
        _open_review(approver)
        decision = approver.get_by_role("heading", name="Your decision")
        assert _follows(approver.get_by_role("heading", name="Answers", exact=True), decision)
        expect(approver.locator("#approve-link")).to_have_text("Approve version 1")
        screenshot(approver, f"60-review{shot}")
        approver.get_by_label("Or return it to the author: what needs to change?").fill(RETURNED)
        approver.get_by_label("Minute reference (optional)").fill("FGB 2027/3")
        approver.get_by_role("button", name="Return to the author").click()
        _heading(approver, "Awaiting your decision")
        expect(_banner(approver)).to_contain_text("Returned to its authors with your reason.")
        screenshot(approver, f"61-returned-success-banner{shot}")

        # 2. The author makes changes: the reason is on every page of the draft.
        author = people.enter_context(_signed_in(browser, server, AUTHOR, javascript))
        author.goto(summary)
        _status(author, "Version 1: Returned")
        author.get_by_role("button", name="Make changes").click()
        _status(author, "Version 1: Draft")
        expect(_banner(author)).to_contain_text("It is a draft again.")
        returned = author.locator("#returned-banner")
        expect(returned).to_contain_text("Returned for changes")
        expect(returned).to_contain_text("Priya Approver returned it on")
        expect(returned).to_contain_text(f"“{RETURNED}”")
        for section in reversed(rubric.sections):  # ending on the first, to change it
            author.goto(f"/assessments/{version_id}/sections/{section.id}")
            _heading(author, section.title)
            expect(returned).to_contain_text(RETURNED)
        screenshot(author, f"62-returned-banner-section{shot}")
        author.locator(f"input[name='answer-{changed.id}'][value='{now}']").check()
        author.get_by_role("button", name="Save and continue").click()
        _heading(author, rubric.sections[1].title)
        expect(returned).to_contain_text(RETURNED)
        author.goto(summary)
        # Rated high, it asks for staff to be consulted: submitted again, it asks again why not.
        author.get_by_label("Why were staff not consulted?").fill(UNCONSULTED_REASON)
        author.get_by_role("button", name="Submit for approval").click()
        _status(author, "Version 1: Submitted")
        expect(_banner(author)).to_contain_text("Sent for approval.")
        expect(returned).to_have_count(0)  # submitting clears it

        # 3. The approver sees what changed since, and approves it, saying why (it is high).
        approver.reload()
        _open_review(approver)
        expect(approver.locator("#unconsulted-reason")).to_contain_text(UNCONSULTED_REASON)
        expect(approver.locator("#changes-since-returned")).to_have_text(
            "Changes since it was returned by Priya Approver"
        )
        row = approver.get_by_role("row").filter(
            has=approver.get_by_role("rowheader", name=changed.text, exact=True)
        )
        expect(row).to_have_count(1)
        expect(row.locator("td")).to_have_text([changed.label_for(was), changed.label_for(now)])
        expect(approver.get_by_role("columnheader", name="When returned").first).to_be_visible()
        screenshot(approver, f"63-review-changes-since-returned{shot}")
        approver.get_by_role("button", name="Approve version 1").click()  # a link, to confirm
        _heading(approver, "Approve version 1?")
        expect(approver.locator("#confirm-ratings")).to_contain_text(after.rating.label)
        reason = approver.get_by_label("Why is it approved?", exact=True)
        expect(reason).to_be_visible()
        expect(approver.locator("#reason-hint")).to_contain_text("needs a recorded reason")
        screenshot(approver, f"64-approve-confirm{shot}")
        approver.get_by_role("button", name="Yes, approve version 1").click()
        problems = approver.locator(".govuk-error-summary")
        expect(problems.locator("li").first).to_contain_text(NEEDS_REASON)
        expect(approver.locator("#reason-error")).to_contain_text(NEEDS_REASON)
        assert _follows(problems, approver.get_by_role("heading", level=1))  # the summary first
        if javascript:  # GOV.UK's pattern: the summary takes the focus, and is read out first
            expect(problems).to_be_focused()
        screenshot(approver, f"65-approve-confirm-error{shot}")
        problems.get_by_role("link", name=NEEDS_REASON).click()
        if javascript:
            expect(reason).to_be_focused()
        reason.fill(APPROVED)
        approver.get_by_label("Minute reference (optional)").fill("FGB 2027/4")
        approver.get_by_role("button", name="Yes, approve version 1").click()
        _heading(approver, "Awaiting your decision")
        expect(_banner(approver)).to_contain_text("Approved.")
        expect(approver.get_by_text("Nothing is waiting for your decision.")).to_be_visible()
        author.goto(summary)
        _status(author, "Version 1: Approved")
        expect(author.locator("#approved-reason")).to_have_text(f"Approved because: “{APPROVED}”")

        # 4. The author withdraws the demo's draft, saying why, and starts it again.
        author.goto(f"{DEMO_DRAFT}/summary")
        author.get_by_role("link", name="Withdraw this assessment").click()
        _heading(author, "Withdraw version 1?")
        screenshot(author, f"66-withdraw-confirm{shot}")
        author.get_by_role("button", name="Yes, withdraw version 1").click()
        expect(author.locator("#reason-error")).to_contain_text("Say why it is withdrawn")
        author.get_by_label("Why is it withdrawn?").fill(WITHDRAWN)
        author.get_by_role("button", name="Yes, withdraw version 1").click()
        _status(author, "Version 1: Withdrawn")
        expect(_banner(author)).to_contain_text("Withdrawn.")
        expect(author.locator("#withdrawn-reason")).to_contain_text(f"“{WITHDRAWN}”")
        screenshot(author, f"67-withdrawn-success-banner{shot}")
        author.get_by_role("button", name="Start again (version 2)").click()
        _heading(author, "Summary of the impact assessment")
        _status(author, "Version 2: Draft")
        expect(_banner(author)).to_contain_text("A new draft has started")
        expect(author.get_by_role("button", name="Submit for approval")).to_be_visible()
