"""An assessment goes through its whole approval workflow in Chromium, one person a browser:
the author submits it with mitigation, the approver returns it, the author puts it right, the
approver approves it, and an auditor exports it from the register as CSV."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, TimeoutError as PlaywrightTimeoutError, expect

from assessments.register.schemas import COLUMNS
from assessments.rubrics.schema import AnswerKind, Question, Rubric
from assessments.rubrics.scoring import Results, WorkloadInput, compute_results
from assessments.workflow.transitions import add_months
from tests.e2e.conftest import (
    OWNER_NAME,
    OWNER_PERSON,
    _open,
    fill_date,
    screenshot,
    sign_in,
)
from tests.e2e.journeys import screen_for_the_full_assessment
from tests.e2e.test_assessment_journey import _give
from tests.factories.trusts import default_rubric

pytestmark = pytest.mark.e2e

AUTHOR = "author@demo-trust.example"  # Alex Author, Northfield Primary School
APPROVER = "approver@demo-trust.example"  # Priya Approver, trust-wide
AUDITOR = "auditor@demo-trust.example"  # Omar Auditor, trust-wide
REFERENCE, TITLE = "WB-007", "Parent consultation evenings policy"
# The three answers at or above the mitigation threshold; every other answer is kept low.
HIGH = {
    "change-and-offset": "nothing-stopped",  # gets a mitigating action
    "new-task-pattern": "heavy",  # justified
    "meetings": "new-on-top",  # justified
}
ACTED_ON = "change-and-offset"
WORKLOAD = [WorkloadInput("teachers", Decimal(1), 30)]  # 1 h a term, 3 terms, 30 teachers: 90 h


class DownloadDidNotStart(AssertionError):
    """The register's "Download as CSV" link started no download."""


def _answer_for(question: Question) -> str:
    """A low-impact answer, except for the few that must be mitigated."""
    if question.id in HIGH:
        return HIGH[question.id]
    match question.kind:
        case AnswerKind.CHOICE:
            return max((o for o in question.options if o.impact <= 1), key=lambda o: o.impact).value
        case AnswerKind.YES_NO:
            return "yes" if (question.yes_impact or 0) <= (question.no_impact or 0) else "no"
        case AnswerKind.NUMBER:
            return "0"
        case _:
            return f"Agreed with the staff forum: {question.id}"


@contextmanager
def _signed_in(browser: Browser, base_url: str, email: str) -> Iterator[Page]:
    """A browser context of its own for one person (with `_open`'s error checks)."""
    with contextmanager(_open)(browser, base_url, javascript=True) as page:
        page.goto("/")
        sign_in(page, email)
        yield page


def _draft(page: Page, rubric: Rubric, answers: dict[str, str]) -> str:
    """Add the policy, answer every section and the workload; returns the summary's URL."""
    page.get_by_role("button", name="Add a policy").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Category").select_option("teaching-and-learning")
    page.get_by_label("Which school is it for?").select_option(label="Northfield Primary School")
    page.get_by_label(OWNER_PERSON, exact=True).select_option(label="Alex Author")  # an account
    page.get_by_label("Review cycle").fill("12")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("button", name="Start impact assessment").click()
    screen_for_the_full_assessment(page, rubric)
    for section in rubric.sections:
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        for question in section.questions:
            _give(page, question, answers[question.id])
        page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(rubric.workload.title)
    for estimate in WORKLOAD:
        page.locator(f"#hours-{estimate.staff_group}").fill(str(estimate.hours_per_term))
        page.locator(f"#staff-{estimate.staff_group}").fill(str(estimate.staff_count))
    page.get_by_role("button", name="Save and see summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of the impact assessment")
    return page.url


def _expect_ratings(page: Page, before: Results, after: Results) -> None:
    assert before.rating is not None and after.rating is not None
    expect(page.locator("#overall")).to_contain_text(before.rating.label)
    expect(page.locator("#overall-score")).to_have_text(f"Score {before.overall_score} out of 100")
    expect(page.locator("#overall-after")).to_contain_text(after.rating.label)
    expect(page.locator("#overall-after")).to_contain_text(f"score {after.overall_score} out of")


def _expect_status(page: Page, status: str) -> None:
    expect(page.locator("#workflow strong").first).to_have_text(f"Version 1: {status}")


def _save_action(page: Page, description: str, residual: int) -> None:
    page.get_by_label("What will be done?").fill(description)
    page.get_by_label(OWNER_NAME).fill("Deputy Headteacher")  # someone without an account
    fill_date(page, "Due date", date(2027, 3, 31))
    page.locator(f"input[name='residual_impact'][value='{residual}']").check()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of the impact assessment")


def _justify(page: Page, question_id: str, text: str) -> None:
    cell = page.locator(f"#mitigation-{question_id}")
    cell.locator(f"#justification-{question_id}").fill(text)
    cell.get_by_role("button", name="Save justification").click()
    expect(page.locator(f"#mitigation-{question_id}")).to_contain_text(f"No action needed: {text}")


def _open_review(page: Page, shot: str | None = None) -> None:
    page.get_by_role("link", name="Approvals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Awaiting your decision")
    queue = page.locator("#queue tbody tr")
    expect(queue).to_have_count(1)
    expect(queue).to_contain_text("Alex Author")
    if shot:
        screenshot(page, shot)
    page.get_by_role("link", name=f"{REFERENCE}: {TITLE}").click()
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()


def _expect_confirmation(page: Page, before: Results, after: Results) -> None:
    """The page confirming an approval (no reason needed: rated below high after its actions)."""
    assert before.rating is not None and after.rating is not None
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve version 1?")
    ratings = page.locator("#confirm-ratings")
    expect(ratings).to_contain_text(f"Rating as answered {before.rating.label}")
    expect(ratings).to_contain_text(f"After the planned actions {after.rating.label}")
    expect(page.get_by_label("Why is it approved? (optional)")).to_be_visible()


def _expect_empty_queue(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Awaiting your decision")
    expect(page.get_by_text("Nothing is waiting for your decision.")).to_be_visible()


def _download_register(page: Page, tmp_path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with page.expect_download(timeout=5_000) as download_info:
            page.get_by_role("link", name="Download as CSV").click()
        download = download_info.value
    except PlaywrightTimeoutError:
        raise DownloadDidNotStart(f"no download; the page is now {page.url}") from None
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]  # UTF-8 with a BOM, for spreadsheets
    reader = csv.reader(data.decode("utf-8-sig").splitlines())
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def test_an_assessment_is_returned_fixed_approved_and_exported(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    rubric = default_rubric()
    answers = {q.id: _answer_for(q) for q in rubric.questions()}
    titles = {q.id: q.text for q in rubric.questions()}
    before = compute_results(rubric, answers, WORKLOAD)
    assert [f.question.id for f in before.flagged] == list(HIGH)
    # One action leaving an impact of 1 brings the rating down a band.
    after = compute_results(rubric, answers, WORKLOAD, {ACTED_ON: 1})
    assert before.rating and before.rating.id == "medium", before.overall_score
    assert after.rating and after.rating.id == "low", after.overall_score

    with ExitStack() as people:
        # 1. The author drafts the assessment; submitting lists what is not yet mitigated.
        author = people.enter_context(_signed_in(browser, live_server, AUTHOR))
        summary = _draft(author, rubric, answers)
        _expect_status(author, "Draft")
        _expect_ratings(author, before, before)  # no action yet
        author.get_by_role("button", name="Submit for approval").click()
        problems = author.locator(".govuk-error-summary li")
        expect(problems).to_have_count(len(HIGH))
        for qid in HIGH:
            expect(author.locator(".govuk-error-summary")).to_contain_text(
                f"Add a mitigating action for “{titles[qid]}”, or say why none is needed"
            )
        _expect_status(author, "Draft")
        screenshot(author, "10-submit-errors")

        author.get_by_role("link", name=f"Add an action for “{titles[ACTED_ON]}”").click()
        expect(author.get_by_role("heading", level=1)).to_have_text("Add a mitigating action")
        chosen = author.locator("input[name='question_ids']:checked")
        expect(chosen).to_have_count(1)
        expect(chosen).to_have_value(ACTED_ON)
        screenshot(author, "10b-action-form")
        _save_action(author, "Stop the termly written department report", residual=1)
        for qid in HIGH:
            if qid != ACTED_ON:
                _justify(author, qid, f"Agreed with the union reps: {qid} is time-limited")
        expect(author.locator("#flagged")).not_to_contain_text("Needs an action")
        _expect_ratings(author, before, after)
        screenshot(author, "10c-mitigated")
        author.get_by_role("button", name="Submit for approval").click()
        _expect_status(author, "Submitted")
        expect(author.get_by_role("button", name="Submit for approval")).to_have_count(0)

        # 2. The approver returns it, with a reason (which is required).
        approver = people.enter_context(_signed_in(browser, live_server, APPROVER))
        awaiting = approver.locator("table[aria-labelledby='awaiting'] tbody tr")  # home page
        expect(awaiting).to_have_count(1)
        expect(awaiting).to_contain_text(f"{REFERENCE}: {TITLE}")
        screenshot(approver, "11a-home-approver")
        _open_review(approver, "11-approvals")
        _expect_ratings(approver, before, after)
        approver.get_by_role("button", name="Return to the author").click()
        expect(approver.locator("#reason-error")).to_contain_text("Say why it is returned")
        reason = "The action needs an owner in the senior team and a smaller residual impact."
        approver.get_by_label("Or return it to the author: what needs to change?").fill(reason)
        screenshot(approver, "12-review")
        approver.get_by_role("button", name="Return to the author").click()
        _expect_empty_queue(approver)

        # 3. The author reads why, makes changes and submits again.
        author.goto(summary)
        _expect_status(author, "Returned")
        expect(author.locator("#returned-reason")).to_have_text(
            f"Returned by Priya Approver: “{reason}”"
        )
        screenshot(author, "12b-returned")
        author.goto("/")  # the home page says what came back, and why
        mine = author.locator("table[aria-labelledby='my-assessments'] tbody tr")
        expect(mine.filter(has_text=REFERENCE)).to_contain_text(f"Returned: “{reason}”")
        screenshot(author, "12a-home-author-returned")
        author.goto(summary)
        author.get_by_role("button", name="Make changes").click()
        _expect_status(author, "Draft")
        author.get_by_role(
            "link", name="Change “Stop the termly written department report”"
        ).click()
        # The form opens in place, under the actions on the summary (htmx).
        expect(author.locator("#action-editor h2")).to_have_text("Change a mitigating action")
        expect(author.get_by_role("heading", level=1)).to_have_text(
            "Summary of the impact assessment"
        )
        screenshot(author, "12c-change-in-place")
        _save_action(author, "Stop the termly report and the weekly briefing", residual=0)
        expect(author.locator(f"#mitigation-{ACTED_ON}")).to_contain_text("weekly briefing")
        after = compute_results(rubric, answers, WORKLOAD, {ACTED_ON: 0})
        _expect_ratings(author, before, after)
        author.get_by_role("button", name="Submit for approval").click()
        _expect_status(author, "Submitted")

        # 4. The approver approves it, confirmed on a page of its own, and the queue is empty.
        approver.reload()
        _open_review(approver)
        approver.get_by_role("button", name="Approve version 1").click()  # a link, to confirm
        _expect_confirmation(approver, before, after)
        approver.get_by_role("button", name="Yes, approve version 1").click()
        _expect_empty_queue(approver)
        expect(approver.locator(".govuk-notification-banner--success")).to_contain_text("Approved.")
        author.reload()
        _expect_status(author, "Approved")
        expect(author.locator("#workflow")).to_contain_text("approved by Priya Approver")
        screenshot(author, "12c-approved")

        # 5. The auditor filters the register and downloads it as CSV.
        auditor = people.enter_context(_signed_in(browser, live_server, AUDITOR))
        auditor.get_by_role("link", name="Register", exact=True).click()
        expect(auditor.get_by_role("heading", level=1)).to_have_text(
            "Register of impact assessments"
        )
        auditor.get_by_label("Status").select_option("draft")
        auditor.get_by_role("button", name="Apply filters").click()
        expect(auditor).to_have_url(re.compile(r"status=draft"))
        expect(auditor.locator("#results")).not_to_contain_text(REFERENCE)
        auditor.get_by_label("Status").select_option("approved")
        auditor.get_by_label("Policy, reference or who prepared it").fill(REFERENCE)
        auditor.get_by_role("button", name="Apply filters").click()
        expect(auditor).to_have_url(re.compile(r"status=approved"))
        rows = auditor.locator("#results tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(f"{REFERENCE}: {TITLE}")
        expect(rows).to_contain_text("approved by Priya Approver")
        screenshot(auditor, "13-register")
        header, lines = _download_register(auditor, tmp_path)

    assert header == list(COLUMNS)
    assert len(lines) == 1, lines
    (row,) = lines
    assert before.rating and after.rating
    today = datetime.now(UTC).date()
    assert row["policy_reference"] == REFERENCE
    assert row["policy_title"] == TITLE
    assert row["school"] == "Northfield Primary School"
    assert row["version"] == "1"
    assert row["status"] == "approved"
    assert row["rubric"] == f"{rubric.id}@{rubric.version}"
    assert Decimal(row["overall_score"]) == before.overall_score
    assert row["rating"] == before.rating.id
    assert row["rating_after_mitigation"] == after.rating.id
    assert Decimal(row["net_hours_per_year"]) == Decimal(90)
    assert row["open_actions"] == "1"
    assert row["author"] == "Alex Author"
    assert row["approver"] == "Priya Approver"
    assert datetime.fromisoformat(row["decided_at"]).date() == today
    assert row["decision_reason"] == ""
    assert row["review_due"] == add_months(today, 12).isoformat()
    assert row["overdue"] == "false"
    signed_head = r"wia-audit-v1:trust-\d+:\d+:[0-9a-f]{64}:[0-9a-f]{16}:[0-9a-f]{32}"
    assert re.fullmatch(signed_head, row["audit_chain_head"]), row["audit_chain_head"]
