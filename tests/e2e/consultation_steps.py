"""What the staff consultation journey's steps share (test_consultation_journey.py, issue
18): the draft consulted on, who is asked and what they say, and the themes its author draws
from it; `served`, a server on a copy of the demo database with Alex Author's complete draft
(made through the use-cases) and `wia worker` delivering its email to a mail server of the
test's own (aiosmtpd); the emails that arrive and the staff member's link in each; and the
steps the journey takes or checks more than once: signing in, a summary list's value and a
table's row, a staff link's page, answering it, answered and closed, what was done, and the
author opening the consultation, reading the whole only, and answering with themes."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import select

from assessments.kernel.clock import today
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.models import MessageStatus, OutboxMessage
from assessments.operations import demo
from assessments.rubrics.scoring import WorkloadInput
from tests import databases, servers
from tests.e2e.conftest import _check_the_log, _open, fill_date, screenshot, sign_in
from tests.e2e.journeys import expect_confirmation, expect_heading, expect_refused
from tests.e2e.test_action_progress_journey import complete_an_assessment
from tests.mailbox import Mailbox, smtp_server

REFERENCE, TITLE = "WB-018", "Marking and feedback: fortnightly marking"
# 13 hours a term for each teacher, 6.5 saved for each assistant: 1 and -0.5 hours a week.
WORKLOAD = [
    WorkloadInput("teachers", Decimal(13), 30),
    WorkloadInput("teaching-assistants", Decimal("-6.5"), 12),
]
TEACHER, ASSISTANT = "sam.jones@northfield.example", "kim.lee@northfield.example"
SECOND_TEACHER = "ravi.patel@northfield.example"
STAFF = f"{TEACHER}, Teachers\n{ASSISTANT}, Teaching assistants\n{SECOND_TEACHER}, Teachers\n"
ASKED = (TEACHER, ASSISTANT, SECOND_TEACHER)
ADMIN = "admin@demo-trust.example"
SUMMARY = "Marking moves from weekly to fortnightly, with a whole-class feedback sheet between."
OPENS, CLOSES = today(), today() + timedelta(days=21)  # the server's today: none earlier
TOO_LATE = OPENS + timedelta(days=93)  # a consultation lasts 92 days at most
TEACHER_CONCERN = "Fortnightly marking would land on Fridays, our planning afternoon."
TEACHER_IDEA = "Let each year team choose its own marking day."
ASSISTANT_CONCERN = "We would be the ones photocopying the feedback sheets."
THEMES = (  # what staff raised, its gist, whether the draft changed, and the author's answer
    (
        "Marking on Fridays",
        "Fortnightly marking would fall on a planning afternoon.",
        True,
        "Each year team now chooses its own marking day.",
    ),
    (
        "Photocopying the feedback sheets",
        "Assistants expect to copy the sheets for each class.",
        False,
        "The office prints the sheets, as it does now: there is nothing for assistants to copy.",
    ),
)
INVITED_SUBJECT = f"Your views on a draft: {TITLE}"
TOLD_SUBJECT = f"What we did with your feedback: {TITLE}"
MAIL_SECONDS = 30  # for the worker to deliver (well under a second, normally)
SCHOOL = demo.SCHOOLS[0]  # Northfield Primary School, Alex Author's and the policy's


@dataclass(frozen=True)
class Served:
    server: str
    database: str
    version_id: int
    mailbox: Mailbox
    worker_log: Path


def long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"  # british_date's "long" style


def _complete_draft(url: str) -> int:
    """Alex Author's complete draft, not submitted, its hours estimated for the two groups."""
    engine = create_db_engine(url)
    try:
        with unit_of_work(engine) as session:
            return complete_an_assessment(
                session, reference=REFERENCE, title=TITLE, workload_estimates=WORKLOAD
            )
    finally:
        engine.dispose()


@contextmanager
def _delivering(url: str, smtp_url: str, base_url: str, log: Path) -> Iterator[None]:
    """`wia worker` on the server's database, in a process of its own, sending through
    `smtp_url` emails whose links lead into `base_url`; stopped (SIGTERM) afterwards."""
    env = servers.environment(
        url, WIA_SMTP_URL=smtp_url, WIA_BASE_URL=base_url, WIA_WORKER_POLL_SECONDS="0.2"
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*servers.WIA, "worker"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def served(database_url: str, demo_database: str, tmp_path: Path) -> Iterator[Served]:
    """`live_server`'s server on a copy of the demo database with Alex Author's complete
    draft, and a worker delivering its email to a mail server of the test's own."""
    log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
    with databases.scratch_database(database_url, tmp_path, copy_of=demo_database) as url:
        version_id = _complete_draft(url)
        with (
            servers.serving(servers.environment(url), log) as [server],
            smtp_server() as (mailbox, smtp_url),
            _delivering(url, smtp_url, server.url, worker_log),
        ):
            yield Served(server.url, url, version_id, mailbox, worker_log)
    _check_the_log(log)


def _given_up(served: Served, address: str) -> list[str]:
    """Why the outbox gave up its messages to `address`, if it has (the worker tries no more)."""
    engine = create_db_engine(served.database)
    try:
        with unit_of_work(engine, read_only=True) as session:
            to = select(OutboxMessage).where(OutboxMessage.to_address == address)
            failed = to.where(OutboxMessage.status == MessageStatus.FAILED)
            return [message.last_error for message in session.exec(failed)]
    finally:
        engine.dispose()


def emailed(served: Served, address: str, subject: str) -> str:
    """The plain text of the one email to `address` with `subject`, once it has arrived."""
    deadline = time.monotonic() + MAIL_SECONDS
    while not (found := [m for m in served.mailbox.to(address) if m["Subject"] == subject]):
        given_up = _given_up(served, address)
        if given_up or time.monotonic() > deadline:
            arrived = [(str(m["To"]), str(m["Subject"])) for m in served.mailbox.messages]
            pytest.fail(
                f"No email {subject!r} to {address} (the outbox gave up: {given_up}); only"
                f" {arrived} arrived. The worker said:\n{served.worker_log.read_text()}"
            )
        time.sleep(0.2)
    [message] = found
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(served: Served, text: str) -> str:
    """The email's link of the staff member's own, into the server."""
    found = re.findall(rf"^{re.escape(served.server)}/consult/\S+$", text, re.MULTILINE)
    assert len(found) == 1, text
    return str(found[0])


@contextmanager
def signed_in(browser: Browser, base_url: str, email: str) -> Iterator[Page]:
    with contextmanager(_open)(browser, base_url, javascript=True) as page:
        page.goto("/")
        sign_in(page, email)
        yield page


def value(page: Page, summary_list: str, key: str) -> Locator:
    """The value of a GOV.UK summary list's row, by the row's key."""
    key_cell = page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    return (
        page.locator(f"{summary_list} .govuk-summary-list__row").filter(has=key_cell).locator("dd")
    )


def row(page: Page, table: str, header: str) -> Locator:
    """A table's body row by its row header, for its cells."""
    return page.locator(f"{table} tbody tr").filter(
        has=page.get_by_role("rowheader", name=header, exact=True)
    )


def status(page: Page, status: str) -> None:
    expect(page.locator("#workflow strong").first).to_have_text(status)


def expect_staff_page(page: Page) -> None:
    """A staff link's page: the draft asked about, needing no account."""
    expect_heading(page, f"Your views on a draft: {TITLE}")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{demo.TRUST}, {SCHOOL}")
    expect(page.locator("#summary")).to_have_text(SUMMARY)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def answer(page: Page, direction: str, hours: str, agreement: str, concern: str) -> None:
    """Fill in the staff form (what would make it work is left to the caller)."""
    page.get_by_role("group", name="What would the change do to your working time?").get_by_label(
        direction, exact=True
    ).check()
    page.get_by_label("How many hours a week?").fill(hours)
    page.get_by_role("group", name="How far do you agree with the change?").get_by_label(
        agreement, exact=True
    ).check()
    page.get_by_label("What concerns you about it? (optional)").fill(concern)


def expect_answered(page: Page) -> None:
    expect(page.get_by_role("heading", name="Your answer is in")).to_be_visible()
    expect(page.locator("#standing")).to_contain_text(f"It closes on {long(CLOSES)}")
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)


def expect_closed(page: Page) -> None:
    expect(page.locator("#standing")).to_have_text(
        "This consultation closed early: it takes no more answers. Thank you for yours."
    )
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)


def expect_what_was_done(page: Page) -> None:
    """The link's page once staff are told: each theme, whether the draft changed, and why."""
    expect(page.get_by_role("heading", name="What was done with what staff said")).to_be_visible()
    rows = page.locator("#themes .govuk-summary-list__row")
    expect(rows).to_have_count(len(THEMES))
    for row, (title, said, changed, response) in zip(rows.all(), THEMES, strict=True):
        expect(row.locator("dt")).to_have_text(title)
        expect(row.locator("dd")).to_contain_text(said)
        expect(row.locator(".govuk-tag")).to_have_text("Changed" if changed else "Not changed")
        expect(row.locator("dd")).to_contain_text(response)


def open_the_consultation(author: Page, version_id: int) -> None:
    """From the draft's summary: the form, a last day too far off refused, then opened."""
    author.goto(f"/assessments/{version_id}/summary")
    expect(author.locator("#no-consultation")).to_have_text(
        "Staff have not been consulted on this version through the register."
    )
    author.get_by_role("link", name="Consult staff on this draft").click()
    expect_heading(author, "Consult staff on the draft")
    fill_date(author, "First day", OPENS)
    fill_date(author, "Last day", TOO_LATE)
    summary = author.get_by_label("What would change, in plain words for staff")
    summary.fill(SUMMARY)
    staff = author.get_by_label("Staff to ask")
    staff.fill(STAFF)
    opening = author.get_by_role("button", name="Open the consultation and email the staff")
    opening.click()
    expect_heading(author, "Consult staff on the draft")
    too_long = "Enter a last day within 92 days of its first"
    expect_refused(author, "closes_on", too_long, javascript=True, date=True)
    expect(summary).to_have_value(SUMMARY)
    expect(staff).to_have_value(STAFF)
    screenshot(author, "110-consult-staff-refused")

    fill_date(author, "Last day", CLOSES)
    opening.click()
    expect_heading(author, "What staff said")
    expect_confirmation(author, "The consultation is open. Each person asked is emailed")
    expect(value(author, "#consultation", "Open")).to_have_text(f"{long(OPENS)} to {long(CLOSES)}")
    expect(value(author, "#consultation", "Where it stands")).to_have_text("Open")
    expect(value(author, "#consultation", "Asked")).to_have_text(str(len(ASKED)))
    expect(value(author, "#consultation", "Answered")).to_have_text("0 (0%)")


def choose_the_fewest_answers_shown(admin: Page, fewest: int) -> None:
    """The trust's admin, under People: the fewest answers a consultation is shown with."""
    admin.goto("/admin/users")
    admin.get_by_role("link", name="Staff consultations").click()
    expect_heading(admin, "Staff consultations")
    field = admin.get_by_label("Fewest answers a school or staff group is shown with")
    expect(field).to_have_value("5")
    field.fill(str(fewest))
    admin.get_by_role("button", name="Save").click()
    expect_confirmation(admin, "Saved. Consultations' results are shown by it from now on.")
    expect(field).to_have_value(str(fewest))
    screenshot(admin, "109-consultation-settings")


def expect_nothing_shown_yet(author: Page) -> None:
    """While it is open: how many answered, and nothing of what they said."""
    expect(value(author, "#consultation", "Answered")).to_have_text("3 (100%)")
    expect(author.locator("#not-shown")).to_contain_text(
        "What staff said is shown once the consultation has closed"
    )
    expect(author.locator("#by-group, #by-school, #comments")).to_have_count(0)


def expect_the_whole_only(author: Page) -> None:
    """Closed, three answers, as many as the trust's 3: everyone's figures and what they
    wrote, and the school's (the whole); no staff group's, as 1 assistant is too few and the
    2 teachers would be the whole less them."""
    expect(author.locator("#hours-overall")).to_have_text(
        "Everyone who answered: 1.0 hours a week (a negative number: time saved)."
    )
    hidden = "Too few to show"
    for group, estimate in (("Teachers", "1.0"), ("Teaching assistants", "-0.5")):
        cells = row(author, "#by-group", group).get_by_role("cell")
        expect(cells).to_have_text([hidden, hidden, estimate, hidden])
    expect(row(author, "#by-school", SCHOOL).get_by_role("cell")).to_have_text(["3", "1.0", "3.0"])
    expect(author.get_by_text("shown only where at least 3 people answered")).to_be_visible()
    agreed = {"Agree": "1", "Neither agree nor disagree": "1", "Disagree": "1"}
    for label in ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree"):
        expect(value(author, "#agreement", label)).to_have_text(agreed.get(label, "0"))
    comments = author.locator("#comments")
    for said in (TEACHER_CONCERN, TEACHER_IDEA, ASSISTANT_CONCERN):
        expect(comments).to_contain_text(said)


def answer_with_themes(author: Page) -> None:
    """Each theme of what staff said, and its answer, added on the consultation's page."""
    for title, said, changed, response in THEMES:
        author.get_by_label("What staff raised").fill(title)
        author.get_by_label("What they said (optional)").fill(said)
        author.get_by_role("group", name="Did the draft change for it?").get_by_label(
            "Yes, it changed" if changed else "No, not changed", exact=True
        ).check()
        author.get_by_label("What changed, or why it did not").fill(response)
        author.get_by_role("button", name="Add theme").click()
        expect(author.locator("#theme-list dt").last).to_have_text(title)
    expect(author.locator("#theme-list dt")).to_have_text([t[0] for t in THEMES])
