"""Pages left open while their assessment moved on elsewhere: a move from a stale page is
refused. The withdrawal's confirmation page opened twice: the second "Yes" is refused; and the
next autosave of a section page left open is refused, the refusal replacing the whole page,
not just the question it came from."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e

DRAFT = "/assessments/2"  # the demo's draft (MT-002), by Alex Author
WHY = "Why is it withdrawn?"


def test_moves_from_pages_left_open_on_a_withdrawn_draft_are_refused(page: Page) -> None:
    page.goto("/")
    sign_in(page, "author@demo-trust.example")
    page.goto(f"{DRAFT}/sections/about-the-change")
    expect(page.get_by_role("heading", level=1)).to_have_text("About the change")
    # Other tabs of the same person: the withdrawal's confirmation, opened twice.
    stale = page.context.new_page()
    stale.goto(f"{DRAFT}/withdraw")
    expect(stale.get_by_role("heading", level=1)).to_have_text("Withdraw version 1?")

    elsewhere = page.context.new_page()
    elsewhere.goto(f"{DRAFT}/summary")
    elsewhere.get_by_role("link", name="Withdraw this assessment").click()
    elsewhere.get_by_label(WHY).fill("The staff meetings policy is merged into another")
    elsewhere.get_by_role("button", name="Yes, withdraw version 1").click()
    expect(elsewhere.locator("#workflow")).to_contain_text("Withdrawn")
    elsewhere.close()

    stale.get_by_label(WHY).fill("Withdrawn twice")
    stale.get_by_role("button", name="Yes, withdraw version 1").click()
    expect(stale.get_by_role("heading", level=1)).to_have_text("That cannot be done now")
    stale.close()

    # click, not check: check() would look for the radio again after the page was replaced
    page.locator("input[type=radio]").first.click()  # an autosave from the stale page
    expect(page.get_by_role("heading", level=1)).to_have_text("That cannot be done now")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)  # one page, not nested
    expect(page.locator("form[action$='/sections/about-the-change']")).to_have_count(0)
    screenshot(page, "40-stale-autosave-refused")
