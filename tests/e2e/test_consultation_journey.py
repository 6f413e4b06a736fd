"""Consulting staff on a draft (issue 18), in Chromium: Alex Author opens a consultation from
the draft's summary (a last day too far off is refused by its field, what was typed kept), and
each of the three staff asked is emailed a link of their own, which `wia worker` delivers to a
mail server the test runs (aiosmtpd); the trust's admin has chosen to show results from three
answers. None signs in: a teacher answers with JavaScript (a missing number of hours refused
first), a teaching assistant without, a second teacher with. While it is open the author sees
only how many answered; closed, the whole: the mean hours and how far staff agree, no staff
group's figures (one assistant is too few). The author closes it early (the links then say
so), groups what staff said into two themes and answers each, and tells staff: all are emailed
again, and their links now show what was done. Submitted, the approver finds the consultation on the
review page: its dates, how many were asked and answered, the rate, and the themes. axe checks
every staff page (the form, its refusal, the answer taken, closed, and what was done) at both
widths. The complete draft is made through the use-cases before the server starts (as
test_action_progress_journey.py prepares its own); the dates typed are the server's today
(UTC) and after, as the form allows."""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager

import pytest
from playwright.sync_api import Browser, expect

from app.pages.staff_voice import HOURS_MESSAGE
from assessments.kernel.clock import today
from assessments.operations import demo
from tests.e2e.conftest import _open, screenshot
from tests.e2e.consultation_steps import (
    ADMIN,
    ASKED,
    ASSISTANT,
    ASSISTANT_CONCERN,
    CLOSES,
    INVITED_SUBJECT,
    OPENS,
    REFERENCE,
    SECOND_TEACHER,
    SUMMARY,
    TEACHER,
    TEACHER_CONCERN,
    TEACHER_IDEA,
    THEMES,
    TITLE,
    TOLD_SUBJECT,
    Served,
    answer,
    answer_with_themes,
    choose_the_fewest_answers_shown,
    emailed,
    expect_answered,
    expect_closed,
    expect_nothing_shown_yet,
    expect_staff_page,
    expect_the_whole_only,
    expect_what_was_done,
    link_in,
    long,
    open_the_consultation,
    row,
    served,
    signed_in,
    status,
    value,
)
from tests.e2e.journeys import expect_confirmation, expect_heading, expect_refused
from tests.e2e.test_approval_journey import APPROVER, AUTHOR

__all__ = ["served"]  # the fixture

pytestmark = pytest.mark.e2e


def test_staff_are_consulted_and_told_what_was_done_and_the_approver_sees_it(
    browser: Browser, served: Served
) -> None:
    with ExitStack() as people:
        # 0. The trust's admin lets three answers be shown (the fewest allowed).
        admin = people.enter_context(signed_in(browser, served.server, ADMIN))
        choose_the_fewest_answers_shown(admin, 3)

        # 1. The author opens the consultation from the draft's summary.
        author = people.enter_context(signed_in(browser, served.server, AUTHOR))
        open_the_consultation(author, served.version_id)
        found = re.search(r"/consultations/(\d+)$", author.url)
        assert found, author.url
        consultation = found.group(1)

        # 2. Each is emailed a link of their own, into the server.
        invited = {a: emailed(served, a, INVITED_SUBJECT) for a in ASKED}
        for text in invited.values():
            assert f"{demo.TRUST} is consulting staff on a draft: {REFERENCE}: {TITLE}." in text
            assert SUMMARY in text
            assert f"anonymously, by {long(CLOSES)}:" in text
        links = {address: link_in(served, text) for address, text in invited.items()}
        assert len(set(links.values())) == len(ASKED)  # each their own

        # 3. The teacher, with JavaScript and no account: the change, the author's hours a
        # week (theirs marked), and the form; no hours given is refused by its field.
        teacher = people.enter_context(
            contextmanager(_open)(browser, served.server, javascript=True)
        )
        teacher.goto(links[TEACHER])
        expect_staff_page(teacher)
        expect(teacher.locator("#standing")).to_have_text(f"Open until the end of {long(CLOSES)}.")
        expect(row(teacher, "#predictions", "Teachers Yours").get_by_role("cell")).to_have_text(
            "1.0"
        )
        expect(
            row(teacher, "#predictions", "Teaching assistants").get_by_role("cell")
        ).to_have_text("-0.5")
        screenshot(teacher, "111-consult-answer-form")
        answer(teacher, "It would add to my work", "", "Agree", TEACHER_CONCERN)
        teacher.get_by_label("What would make it work? (optional)").fill(TEACHER_IDEA)
        teacher.get_by_role("button", name="Send my answer").click()
        expect_refused(teacher, "hours", HOURS_MESSAGE, javascript=True)
        expect(teacher.get_by_label("What concerns you about it? (optional)")).to_have_value(
            TEACHER_CONCERN
        )
        expect(teacher.get_by_label("Agree", exact=True)).to_be_checked()
        screenshot(teacher, "112-consult-answer-refused")
        teacher.get_by_label("How many hours a week?").fill("1.5")
        teacher.get_by_role("button", name="Send my answer").click()
        expect_answered(teacher)
        screenshot(teacher, "113-consult-answer-in")
        teacher.reload()  # the link, used: it takes no second answer
        expect_answered(teacher)

        # 4. The teaching assistant, without JavaScript: time saved, and they disagree.
        assistant = people.enter_context(
            contextmanager(_open)(browser, served.server, javascript=False)
        )
        assistant.goto(links[ASSISTANT])
        expect_staff_page(assistant)
        expect(
            row(assistant, "#predictions", "Teaching assistants Yours").get_by_role("cell")
        ).to_have_text("-0.5")
        answer(assistant, "It would save me time", "0.5", "Disagree", ASSISTANT_CONCERN)
        assistant.get_by_role("button", name="Send my answer").click()
        expect_answered(assistant)
        screenshot(assistant, "113-consult-answer-in-no-js")

        # A second teacher answers too, with JavaScript.
        second = people.enter_context(
            contextmanager(_open)(browser, served.server, javascript=True)
        )
        second.goto(links[SECOND_TEACHER])
        answer(second, "It would add to my work", "2", "Neither agree nor disagree", "")
        second.get_by_role("button", name="Send my answer").click()
        expect_answered(second)

        # 5. While it is open, the author sees how many answered, and nothing of what.
        author.reload()
        expect_heading(author, "What staff said")
        expect_nothing_shown_yet(author)

        # 6. Closed early: both links say so, and take no more answers.
        author.get_by_role("button", name="Close it now").click()
        expect_heading(author, "What staff said")
        expect_confirmation(author, "The consultation is closed: its links take no more answers.")
        expect(value(author, "#consultation", "Where it stands")).to_have_text(
            f"Closed early, on {long(today())}"
        )
        expect(author.get_by_role("button", name="Close it now")).to_have_count(0)
        for staff in (teacher, assistant):
            staff.reload()
            expect_staff_page(staff)
            expect_closed(staff)
        screenshot(teacher, "115-consult-closed")
        # Closed, what staff said is shown: the whole, as no group is big enough.
        expect_the_whole_only(author)
        screenshot(author, "114-consult-what-staff-said")

        # 7. You said, we did: two themes answered, then staff are told.
        answer_with_themes(author)
        author.get_by_role("button", name="Tell staff what was done").click()
        expect_heading(author, "What staff said")
        expect_confirmation(author, "Everyone asked is being emailed what was done")
        expect(author.locator("#told")).to_have_text(
            f"Staff were told what was done on {long(today())}."
        )
        expect(author.get_by_role("button", name="Add theme")).to_have_count(0)
        expect(author.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)

        # 8. Each is emailed again, with the same link, which now shows what was done.
        for address in ASKED:
            text = emailed(served, address, TOLD_SUBJECT)
            assert f"{REFERENCE}: {TITLE}: 3 of 3 asked gave their views." in text
            assert link_in(served, text) == links[address]
        for staff, address in ((teacher, TEACHER), (assistant, ASSISTANT)):
            staff.goto(links[address])
            expect_staff_page(staff)
            expect_closed(staff)
            expect_what_was_done(staff)
        screenshot(teacher, "116-consult-what-was-done")
        screenshot(assistant, "116-consult-what-was-done-no-js")

        # 9. Submitted; the approver finds the consultation on the review page.
        author.goto(f"/assessments/{served.version_id}/summary")
        author.get_by_role("button", name="Submit for approval").click()
        status(author, "Version 1: Submitted")
        expect_confirmation(author, "Sent for approval.")

        approver = people.enter_context(signed_in(browser, served.server, APPROVER))
        approver.get_by_role("link", name="Approvals", exact=True).click()
        expect_heading(approver, "Awaiting your decision")
        approver.get_by_role("link", name=f"{REFERENCE}: {TITLE}").click()
        expect_heading(approver, "Review the impact assessment")
        expect(approver.get_by_role("heading", name="Staff consultation")).to_be_visible()
        record = f"#consultation-{consultation}"
        dates = f"{long(OPENS)} to {long(CLOSES)}"
        expect(value(approver, record, "Staff consulted")).to_have_text(f"{dates}: closed")
        expect(value(approver, record, "Answered")).to_have_text("3 of 3 asked (100%)")
        done = value(approver, record, "You said, we did")
        expect(done.get_by_role("heading", level=4)).to_have_text([t[0] for t in THEMES])
        for _, said, _, response in THEMES:
            expect(done).to_contain_text(said)
            expect(done).to_contain_text(response)
        expect(done.locator(".govuk-tag")).to_have_text(["Changed", "Not changed"])
        expect(done).to_contain_text(f"Staff were told on {long(today())}.")
        screenshot(approver, "117-review-consultation")

        # The consultation's own page: the approver reads it, and may change nothing.
        approver.locator(record).get_by_role("link", name=dates).click()
        expect_heading(approver, "What staff said")
        expect(value(approver, "#consultation", "Answered")).to_have_text("3 (100%)")
        expect(approver.locator("#theme-list dt")).to_have_text([t[0] for t in THEMES])
        for action in ("Close it now", "Add theme", "Tell staff what was done"):
            expect(approver.get_by_role("button", name=action)).to_have_count(0)
