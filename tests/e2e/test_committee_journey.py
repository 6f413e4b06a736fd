"""An approving body decides by its rule, in Chromium, with JavaScript and without: the demo's
admin adds a trust-wide committee that approves once two of its members have, and makes two
trust-wide approvers its members; a trust-wide author names it on a policy (correcting its
details); the policy's author sees who approves it, not a choice, and submits its complete
assessment. The first member approves it with the meeting's date and minute: it still awaits
the committee, their approval is on the review page, and it has left their queue. An approver
who is not a member may read it but not approve it. The second member finds it "1 of 2
approvals" in their queue, is refused a meeting date to come (next to the date, what they typed
kept), and approves it: approved by the committee and both members; and the admin's list of
bodies gives the committee's rule in words. The complete draft and the second and third
approvers are made through the use-cases before the server starts (as
test_action_progress_journey.py prepares its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Grant, Role
from assessments.kernel.clock import today
from assessments.operations import demo
from assessments.people import accounts
from tests.e2e.conftest import _open, fill_date, screenshot, sign_in
from tests.e2e.journeys import BOTH_WAYS, expect_confirmation, expect_heading, expect_refused, shot
from tests.e2e.test_action_progress_journey import (
    complete_an_assessment,
    serving_prepared,
)
from tests.e2e.test_approval_journey import APPROVER, AUTHOR

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo-trust.example"  # Ada Admin, trust-wide
FIRST = "Priya Approver"  # APPROVER, the demo's trust-wide approver: the first member
SECOND = "Bea Governor"
SECOND_EMAIL = "governor@demo-trust.example"  # a trust-wide approver, made here
OUTSIDER_EMAIL = "trustee@demo-trust.example"  # Olu Trustee: trust-wide approver, no member
LEAD_EMAIL = "lead@demo-trust.example"  # Lee Lead: a trust-wide author, who keeps the schedule
BODY = "Standards committee"
REFERENCE, TITLE = "WB-021", "Curriculum planning policy"
MEETING = today() - timedelta(days=7)  # not in the future, wherever the browser is
SECOND_MEETING = today() - timedelta(days=1)
TO_COME = today() + timedelta(days=30)
FIRST_MINUTE, SECOND_MINUTE = "SC 2026/07", "SC 2026/09"
SECOND_REASON = "The committee accepts the plan, with a termly check by the staff forum."
MEMBER_APPROVED = (
    "Your approval is recorded. It is approved once enough of the body's members have "
    "approved it; until then it waits for them."
)
APPROVED = "Approved. It is now the policy's assessment in force"
NOT_TO_COME = "Enter the date the meeting was held: not a date to come"
MEETING_LEGEND = "Date of the meeting that decided (optional)"


@dataclass(frozen=True)
class Prepared:
    server: str
    policy_id: int
    version_id: int


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"  # british_date's "long" style


def _complete_draft(session: Session) -> tuple[int, int]:
    """Alex Author's policy (naming no body yet) and its assessment, complete but not
    submitted: the policy's and the version's ids."""
    version_id = complete_an_assessment(session, reference=REFERENCE, title=TITLE)
    policy = version_queries.policy_of_version(
        session, version_queries.get_version(session, version_id)
    )
    assert policy.id is not None
    return policy.id, version_id


@pytest.fixture
def prepared(database_url: str, demo_database: str, tmp_path: Path) -> Iterator[Prepared]:
    """A server whose database has two more trust-wide approvers and a trust-wide author (who
    sign in with the demo's password) and Alex Author's complete draft."""
    made: list[tuple[int, int]] = []

    def prepare(session: Session) -> None:
        operator = accounts.operator_of_trust(session=session, trust_name=demo.TRUST)
        assert operator.trust_id is not None
        made_here = (
            (SECOND_EMAIL, SECOND, Role.APPROVER),
            (OUTSIDER_EMAIL, "Olu Trustee", Role.APPROVER),
            (LEAD_EMAIL, "Lee Lead", Role.AUTHOR),
        )
        for email, name, role in made_here:
            accounts.create_user(
                session=session,
                actor=operator,
                trust_id=operator.trust_id,
                email=email,
                name=name,
                password=demo.PASSWORD,
                grants=[Grant(role, None)],
            )
        made.append(_complete_draft(session))

    for url in serving_prepared(database_url, demo_database, tmp_path, prepare):
        policy_id, version_id = made[0]
        yield Prepared(url, policy_id, version_id)


@contextmanager
def _signed_in(browser: Browser, base_url: str, email: str, javascript: bool) -> Iterator[Page]:
    with contextmanager(_open)(browser, base_url, javascript=javascript) as page:
        page.goto("/")
        sign_in(page, email)
        yield page


def _status(page: Page, status: str) -> None:
    expect(page.locator("#workflow strong").first).to_have_text(status)


def _standing(page: Page) -> Locator:
    """The box of where the version stands with the committee (one: a strict locator)."""
    return page.locator("#body-standing")


def _expect_as_member(page: Page) -> None:
    """The confirmation page says the approval is one of the committee's (its words for how
    many more are needed are left to app/pages/workflow.py's _as_member)."""
    said = page.locator("main p", has_text="You approve it")
    expect(said).to_have_count(1)
    expect(said).to_contain_text(f"{BODY}, which approves it once 2 members have")


def _queue_row(page: Page) -> Locator:
    """The approvals page's row of the policy, from the header's link."""
    page.get_by_role("link", name="Approvals", exact=True).click()
    expect_heading(page, "Awaiting your decision")
    return page.locator("#queue tbody tr", has_text=REFERENCE)


def _expect_decided_by(row: Locator, approvals: str) -> None:
    """The queue's "Decided by" cell: the body, and its approvals so far of those it needs."""
    cell = row.get_by_role("cell").nth(4)
    expect(cell).to_contain_text(BODY)
    expect(cell.locator(".govuk-body-s")).to_have_text(approvals)


def _add_the_committee(page: Page) -> None:
    """As the admin: the committee, trust-wide, deciding when two of its members approve."""
    header = page.get_by_role("navigation", name="Account")
    header.get_by_role("link", name="Bodies", exact=True).click()
    expect_heading(page, "Approving bodies")
    expect(page.get_by_text("The trust has no approving bodies yet.")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(BODY)
    page.get_by_role("group", name="What kind of body is it?").get_by_label(
        "Committee", exact=True
    ).check()
    page.get_by_label("Where does it decide?").select_option(label="Trust-wide")
    rule = page.get_by_role("group", name="How many of its members must approve?")
    rule.get_by_label("A number of members", exact=True).check()
    page.get_by_label("Number of members, by the rule Number").fill("2")
    page.get_by_role("button", name="Add body").click()
    expect_heading(page, BODY)
    expect_confirmation(page, "Approving body added.")
    expect(page.locator("#body-rule")).to_contain_text(
        "A version is approved once 2 members approve it"
    )
    expect(page.locator("#too-few")).to_be_visible()  # no members yet
    expect(page.get_by_text("It has no members yet.")).to_be_visible()

    for name, email in ((FIRST, APPROVER), (SECOND, SECOND_EMAIL)):
        page.get_by_label("Add a member").select_option(label=f"{name} ({email})")
        page.get_by_role("button", name="Add member").click()
        expect_heading(page, BODY)
        expect_confirmation(page, "Its members are saved.")
    members = page.locator("#member-list li")
    expect(members).to_have_count(2)
    expect(members).to_contain_text([SECOND, FIRST])  # by name
    expect(page.get_by_role("button", name=f"Remove {SECOND}")).to_be_visible()
    expect(page.locator("#too-few")).to_have_count(0)


@BOTH_WAYS
def test_a_committee_approves_once_two_members_have(
    browser: Browser, prepared: Prepared, javascript: bool
) -> None:
    server, version_id = prepared.server, prepared.version_id
    review, summary = f"/assessments/{version_id}/review", f"/assessments/{version_id}/summary"
    policy = f"{REFERENCE}: {TITLE}"

    with ExitStack() as people:
        # 1. The admin adds the committee and its two members.
        admin = people.enter_context(_signed_in(browser, server, ADMIN, javascript))
        _add_the_committee(admin)
        if javascript:  # the same pages without JavaScript; one journey's pictures are enough
            screenshot(admin, "100-approving-bodies")

        # 2. A trust-wide author names it on the policy (its school's author may not choose
        # who decides on their work: their form shows who does), then the author submits.
        lead = people.enter_context(_signed_in(browser, server, LEAD_EMAIL, javascript))
        lead.goto(f"/policies/{prepared.policy_id}")
        expect_heading(lead, TITLE)
        lead.get_by_role("link", name="Change the policy's details").click()
        expect_heading(lead, "Change the policy's details")
        who = lead.get_by_label("Who approves its assessments?")
        expect(who).to_have_value("")  # "Any one approver for its school"
        who.select_option(label=BODY)
        lead.get_by_role("button", name="Save changes").click()
        expect_heading(lead, TITLE)
        expect_confirmation(lead, "The policy's details are saved")

        author = people.enter_context(_signed_in(browser, server, AUTHOR, javascript))
        author.goto(f"/policies/{prepared.policy_id}/edit")
        expect_heading(author, "Change the policy's details")
        expect(author.locator("#approving-body")).to_contain_text(BODY)
        expect(author.get_by_label("Who approves its assessments?")).to_have_count(0)
        author.goto(summary)
        _status(author, "Version 1: Draft")
        author.get_by_role("button", name="Submit for approval").click()
        _status(author, "Version 1: Submitted")

        # 3. The first member: in their queue, decided by the committee, none of 2 so far.
        first = people.enter_context(_signed_in(browser, server, APPROVER, javascript))
        row = _queue_row(first)
        expect(row).to_have_count(1)
        _expect_decided_by(row, "0 of 2 approvals")
        row.get_by_role("link", name=policy).click()
        expect_heading(first, "Review the impact assessment")
        standing = _standing(first)
        expect(standing).to_contain_text(f"{BODY} decides:")
        expect(standing).to_contain_text("No member has approved it yet.")
        first.get_by_role("button", name="Approve version 1").click()  # a link, to confirm
        expect_heading(first, "Approve version 1?")
        _expect_as_member(first)
        fill_date(first, MEETING_LEGEND, MEETING)
        first.get_by_label("Minute reference (optional)").fill(FIRST_MINUTE)
        first.get_by_role("button", name="Yes, approve version 1").click()

        # Recorded, still awaiting the committee; gone from their queue; theirs on the review.
        expect(first).to_have_url(f"{server}/approvals")
        expect_heading(first, "Awaiting your decision")
        expect_confirmation(first, MEMBER_APPROVED)
        expect(first.get_by_role("link", name=policy)).to_have_count(0)
        first.goto(review)
        _status(first, "Version 1: Submitted")
        expect(standing).to_contain_text("1 of 2 so far.")
        approvals = standing.locator("#member-approvals li")
        expect(approvals).to_have_text(
            [
                f"Approved by {FIRST} on {_long(today())} "
                f"(meeting of {_long(MEETING)}, minute {FIRST_MINUTE})"
            ]
        )
        expect(first.locator("#approve-link")).to_have_count(0)  # they have approved it
        screenshot(first, shot("101-committee-standing", javascript))

        # 4. An approver who is no member may read it, but has it neither queued nor to approve.
        outsider = people.enter_context(_signed_in(browser, server, OUTSIDER_EMAIL, javascript))
        expect(_queue_row(outsider)).to_have_count(0)
        outsider.goto(review)
        expect_heading(outsider, "Review the impact assessment")
        expect(_standing(outsider)).to_contain_text("1 of 2 so far.")
        expect(outsider.locator("#approve-link")).to_have_count(0)

        # 5. The second member: 1 of 2 approvals in their queue.
        second = people.enter_context(_signed_in(browser, server, SECOND_EMAIL, javascript))
        row = _queue_row(second)
        expect(row).to_have_count(1)
        _expect_decided_by(row, "1 of 2 approvals")
        if javascript:
            screenshot(second, "102-approvals-decided-by")
        row.get_by_role("link", name=policy).click()
        expect_heading(second, "Review the impact assessment")
        expect(_standing(second).locator("#member-approvals li")).to_have_count(1)
        second.get_by_role("button", name="Approve version 1").click()
        expect_heading(second, "Approve version 1?")
        _expect_as_member(second)

        # A meeting still to come: refused next to the date, nothing approved, nothing lost.
        reason = second.get_by_label("Why is it approved? (optional)")
        reason.fill(SECOND_REASON)
        fill_date(second, MEETING_LEGEND, TO_COME)
        minute = second.get_by_label("Minute reference (optional)")
        minute.fill(SECOND_MINUTE)
        second.get_by_role("button", name="Yes, approve version 1").click()
        expect_heading(second, "Approve version 1?")
        expect_refused(second, "meeting_date", NOT_TO_COME, javascript=javascript, date=True)
        expect(reason).to_have_value(SECOND_REASON)
        expect(minute).to_have_value(SECOND_MINUTE)
        group = second.get_by_role("group", name=MEETING_LEGEND)
        for label, part in (("Day", TO_COME.day), ("Month", TO_COME.month), ("Year", TO_COME.year)):
            expect(group.get_by_label(label, exact=True)).to_have_value(str(part))
        screenshot(second, shot("103-committee-meeting-to-come", javascript))
        author.reload()  # the author's summary: still awaiting the committee
        _status(author, "Version 1: Submitted")
        expect(_standing(author)).to_contain_text("1 of 2 so far.")

        # The meeting's real date: approved, by the committee and both of its members.
        fill_date(second, MEETING_LEGEND, SECOND_MEETING)
        second.get_by_role("button", name="Yes, approve version 1").click()
        expect(second).to_have_url(f"{server}/approvals")
        expect_confirmation(second, APPROVED)
        expect(second.get_by_role("link", name=policy)).to_have_count(0)
        author.reload()
        _status(author, "Version 1: Approved")
        workflow = author.locator("#workflow")
        expect(workflow).to_contain_text(f"approved by {BODY}: {FIRST}, {SECOND} on")
        expect(workflow.locator("#approved-reason")).to_have_text(
            f"Approved because: “{SECOND_REASON}”"
        )
        first.goto(review)
        _status(first, "Version 1: Approved")
        expect(first.locator("#body-standing")).to_have_count(0)  # decided: no longer awaiting

        # 6. The admin's list of bodies: the committee, its rule in words, and its members.
        admin.get_by_role("link", name="Approving bodies").click()  # the breadcrumb
        expect_heading(admin, "Approving bodies")
        row = admin.locator("#bodies tbody tr")
        expect(row).to_have_count(1)
        cells = row.get_by_role("cell")
        expect(cells.first.get_by_role("link")).to_have_text(BODY)
        expect(cells.first.locator(".govuk-body-s")).to_have_text("Committee")
        expect(cells.nth(1)).to_have_text("2 members")  # its rule, in words
        expect(cells.nth(2)).to_have_text("2")  # its members
