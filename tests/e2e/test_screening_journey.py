"""The screening, in Chromium, with JavaScript and without: the author answers the rubric's
screening questions. "Don't know" to one of them means the full assessment; answered so that
each screens the change out, it needs none, and the draft is the screening and its summary
only, submitted once the author says why. The approver sends it back for the full assessment,
saying why (refused without a reason); the author reads why, makes changes, and finds the
full assessment's pages after the screening. The draft is started through the use-cases before
the server starts (as test_action_progress_journey.py prepares its assessment)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session

from assessments.drafting import editing
from assessments.operations import demo
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics.schema import Rubric
from tests.e2e.conftest import _open, screenshot, sign_in
from tests.e2e.journeys import (
    BOTH_WAYS,
    ERROR_TITLE,
    expect_confirmation,
    expect_heading,
    expect_refused,
)
from tests.e2e.test_action_progress_journey import _actor, serving_prepared
from tests.e2e.test_approval_journey import APPROVER, AUTHOR
from tests.factories.trusts import default_rubric

pytestmark = pytest.mark.e2e

REFERENCE, TITLE = "WB-013", "Staff handbook: new job titles"
NO_FULL = "Only the job titles change, to the trust's new ones: nobody's duties or hours move."
FULL = "The new titles come with new line managers, so appraisal meetings move: assess it."
NEEDS_REASON = "Say why this change needs no full assessment"
NEEDS_FULL_REASON = "Say why it needs the full assessment, for its authors (up to 2000 characters)"
SUMMARY_HEADING = "Summary of the impact assessment"


@pytest.fixture
def drafted(database_url: str, demo_database: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A server whose database has Alex Author's new draft, nothing answered; its id."""
    made: list[int] = []

    def prepare(session: Session) -> None:
        author = _actor(session, AUTHOR)
        school = trust_schools.school_named(session=session, actor=author, name=demo.SCHOOLS[0])
        policy = catalogue.create_policy(
            session=session,
            actor=author,
            data=PolicyCreate(
                reference=REFERENCE,
                title=TITLE,
                category="teaching-and-learning",
                owner_user_id=author.user_id,
                school_id=school.id,
                review_cycle_months=12,
            ),
        )
        assert policy.id is not None
        version = editing.start_assessment(
            session=session, actor=author, policy_id=policy.id, rubric_id=default_rubric().id
        )
        assert version.id is not None
        made.append(version.id)

    for url in serving_prepared(database_url, demo_database, tmp_path, prepare):
        yield url, made[0]


@contextmanager
def _signed_in(browser: Browser, base_url: str, email: str, javascript: bool) -> Iterator[Page]:
    with contextmanager(_open)(browser, base_url, javascript=javascript) as page:
        page.goto("/")
        sign_in(page, email)
        yield page


def _steps(page: Page) -> Locator:
    """The progress list's steps, by their links' names."""
    return page.get_by_role("navigation", name="Assessment steps").get_by_role("link")


def _status(page: Page, status: str) -> None:
    expect(page.locator("#workflow strong").first).to_have_text(status)


def _screen(page: Page, rubric: Rubric, *, dont_know: str | None = None) -> None:
    """Answer every screening question so that it screens the change out, except `dont_know`'s
    question (by its id), answered "Don't know"."""
    assert rubric.screening is not None
    for question in rubric.screening.questions:
        out = "No" if question.full_if == "yes" else "Yes"
        answer = "Don't know" if question.id == dont_know else out
        group = page.get_by_role("group", name=question.text, exact=True)
        group.get_by_label(answer, exact=True).check()


@BOTH_WAYS
def test_a_change_is_screened_out_then_sent_back_for_the_full_assessment(
    browser: Browser, drafted: tuple[str, int], javascript: bool
) -> None:
    server, version_id = drafted
    rubric = default_rubric()
    assert rubric.screening is not None
    screening = rubric.screening.title
    first = rubric.sections[0]
    assert first.title == "About the change"
    full_steps = [screening, *(s.title for s in rubric.sections), rubric.workload.title, "Summary"]
    unsure = rubric.screening.questions[0]
    base = f"{server}/assessments/{version_id}"
    shot = "" if javascript else "-no-js"  # axe runs with JavaScript only (see `screenshot`)

    with ExitStack() as people:
        # 1. "Don't know" to one question, the others answered to screen it out: the full one.
        author = people.enter_context(_signed_in(browser, server, AUTHOR, javascript))
        author.goto(f"{base}/screening")
        expect_heading(author, screening)
        expect(author.get_by_role("button", name="Save and continue")).to_be_visible()
        screenshot(author, f"94-screening{shot}")
        _screen(author, rubric, dont_know=unsure.id)
        author.get_by_role("button", name="Save and continue").click()
        expect(author).to_have_url(f"{base}/sections/{first.id}")
        expect_heading(author, first.title)
        expect(_steps(author)).to_have_text(full_steps)

        # 2. Back on the screening, that answer changed: screened out, two steps only.
        author.get_by_role("link", name=f"Back to {screening}").click()
        expect_heading(author, screening)
        expect(author.locator("#screening-outcome")).to_contain_text(
            "Your answers call for the full assessment"
        )
        group = author.get_by_role("group", name=unsure.text, exact=True)
        expect(group.get_by_label("Don't know", exact=True)).to_be_checked()
        _screen(author, rubric)
        author.get_by_role("button", name="Save and continue").click()
        expect(author).to_have_url(f"{base}/summary")
        expect_heading(author, SUMMARY_HEADING)
        expect(_steps(author)).to_have_text([screening, "Summary"])
        expect(author.get_by_role("heading", name="Step 2 of 2")).to_be_visible()
        card = author.locator("#screening-summary")
        expect(card).to_contain_text(f"{screening}: no full assessment needed")
        expect(card.locator("#screening-reason")).to_have_text(
            "Say why no full assessment is needed"
        )
        expect(author.locator("#overall")).to_have_count(0)  # nothing is rated
        _status(author, "Version 1: Draft")

        # 3. Submitted without saying why: refused, with where to put it right.
        author.get_by_role("button", name="Submit for approval").click()
        problems = author.locator(".govuk-error-summary")
        expect(problems).to_contain_text("There is a problem")
        link = problems.get_by_role("link", name=NEEDS_REASON)
        expect(link).to_have_attribute("href", "#screening-reason")
        expect(author).to_have_title(ERROR_TITLE)
        if javascript:  # GOV.UK's pattern: the summary takes the focus, and is read out first
            expect(problems).to_be_focused()
        _status(author, "Version 1: Draft")
        screenshot(author, f"95-screened-out-submit-error{shot}")

        # 4. The reason, on the screening page; then submitted.
        card.get_by_role("link", name="Change the screening").click()
        expect_heading(author, screening)
        expect(author.locator("#screening-outcome")).to_contain_text(
            "Your answers screen the change out"
        )
        author.get_by_label("If no full assessment is needed, why not?").fill(NO_FULL)
        author.get_by_role("button", name="Save and continue").click()
        expect(author).to_have_url(f"{base}/summary")
        expect(card.locator("#screening-reason")).to_have_text(NO_FULL)
        screenshot(author, f"96-screened-out-summary{shot}")
        author.get_by_role("button", name="Submit for approval").click()
        _status(author, "Version 1: Submitted")
        expect_confirmation(author, "Sent for approval.")
        expect(author.locator(".govuk-error-summary")).to_have_count(0)

        # 5. The approver reads the screening, and sends it back for the full assessment:
        # first with no reason (refused, by the field), then saying why.
        approver = people.enter_context(_signed_in(browser, server, APPROVER, javascript))
        approver.get_by_role("link", name="Approvals", exact=True).click()
        expect_heading(approver, "Awaiting your decision")
        approver.get_by_role("link", name=f"{REFERENCE}: {TITLE}").click()
        expect_heading(approver, "Review the impact assessment")
        expect(approver.locator("#screening-summary")).to_contain_text(NO_FULL)
        expect(approver.get_by_role("heading", name="Answers", exact=True)).to_have_count(0)
        send_back = approver.get_by_role("button", name="Send back for a full assessment")
        send_back.click()
        expect_heading(approver, "Review the impact assessment")
        expect_refused(approver, "full-reason", NEEDS_FULL_REASON, javascript=javascript)
        screenshot(approver, f"97-review-require-full-error{shot}")
        why = approver.get_by_label("Or send it back for the full assessment: why is one needed?")
        why.fill(FULL)
        send_back.click()
        expect_heading(approver, "Awaiting your decision")
        expect(approver).to_have_url(f"{server}/approvals")
        expect_confirmation(approver, "Returned to its authors with your reason.")
        expect(approver.get_by_role("link", name=f"{REFERENCE}: {TITLE}")).to_have_count(0)

        # 6. The author reads why, makes changes, and finds the full assessment's pages.
        author.goto(f"{base}/summary")
        _status(author, "Version 1: Returned")
        expect(author.locator("#returned-reason")).to_have_text(
            f"Returned by Priya Approver: “{FULL}”"
        )
        expect(author.locator("#full-required-note")).to_have_text(
            "An approver asked for the full assessment of this version."
        )
        author.get_by_role("button", name="Make changes").click()
        _status(author, "Version 1: Draft")
        expect_confirmation(author, "It is a draft again.")
        expect(_steps(author)).to_have_text(full_steps)
        expect(author.locator("#screening-summary")).to_contain_text(
            f"{screening}: the full assessment, as an approver asked"
        )
        expect(author.locator("#overall")).to_be_visible()
        author.get_by_role("link", name="Change the screening").click()
        expect_heading(author, screening)
        expect(author.locator("#full-required")).to_contain_text(
            "An approver asked for the full assessment"
        )
        banner = author.locator("#returned-banner")
        expect(banner).to_contain_text("Priya Approver returned it on")
        expect(banner).to_contain_text(f"“{FULL}”")
        expect(banner).to_contain_text("An approver asked for the full assessment of this version")
        expect(_steps(author)).to_have_text(full_steps)
        screenshot(author, f"98-screening-full-required{shot}")
        author.get_by_role("button", name="Save and continue").click()  # the answers as they were
        expect(author).to_have_url(f"{base}/sections/{first.id}")
        expect_heading(author, first.title)
