"""A page left open while its assessment moved on elsewhere: the next autosave is refused, and
the refusal replaces the whole page, not just the question it came from."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e

DRAFT = "/assessments/2"  # the demo's draft (MT-002), by Alex Author


def test_an_autosave_on_a_withdrawn_draft_shows_the_refusal_as_the_page(page: Page) -> None:
    page.goto("/")
    sign_in(page, "author@demo-trust.example")
    page.goto(f"{DRAFT}/sections/about-the-change")
    expect(page.get_by_role("heading", level=1)).to_have_text("About the change")

    elsewhere = page.context.new_page()  # another tab of the same person
    elsewhere.goto(f"{DRAFT}/summary")
    elsewhere.get_by_role("button", name="Withdraw").click()
    expect(elsewhere.locator("#workflow")).to_contain_text("Withdrawn")
    elsewhere.close()

    # click, not check: check() would look for the radio again after the page was replaced
    page.locator("input[type=radio]").first.click()  # an autosave from the stale page
    expect(page.get_by_role("heading", level=1)).to_have_text("That cannot be done now")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)  # one page, not nested
    expect(page.locator("form[action$='/sections/about-the-change']")).to_have_count(0)
    screenshot(page, "40-stale-autosave-refused")
