"""A governor opens the report of the demo's approved assessment from its summary, downloads its
PDF, and prints it: on paper only the report itself is left."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, screenshot, sign_in

pytestmark = pytest.mark.e2e

APPROVER = "approver@demo-trust.example"  # Priya Approver, trust-wide
REFERENCE, TITLE = "MK-001", "Marking and feedback policy"  # approved by `wia demo`


def test_a_governor_reads_downloads_and_prints_the_report(page: Page) -> None:
    page.goto("/sign-in")
    sign_in(page, APPROVER)
    page.goto("/register?status=approved")
    page.locator("#results tbody a", has_text=REFERENCE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of the impact assessment")
    page.get_by_role("link", name="Print or download the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{REFERENCE} {TITLE}")
    expect(page.locator("#report-decision")).to_contain_text("Approved by Priya Approver")
    expect(page.locator("#report-history")).to_contain_text("Version 1 (this report)")
    screenshot(page, "report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF of this report").click()
    assert download.value.suggested_filename == f"{REFERENCE}-v1-impact-assessment.pdf"
    assert download.value.failure() is None

    page.emulate_media(media="print")
    for chrome in (".app-header", ".govuk-breadcrumbs", ".govuk-footer", "#report-links"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.locator(".govuk-skip-link")).not_to_be_in_viewport()  # off screen, as ever
    assert page.locator(".govuk-skip-link").evaluate("e => getComputedStyle(e).display") == "none"
    for content in ("h1", "#report-policy", "#report-consultation", "#report-history"):
        expect(page.locator(content)).to_be_visible()
    # A web address is printed after a link to another site (a path within the service is not).
    after = "e => getComputedStyle(e, '::after').content"
    assert "https://" in page.locator(".app-report__sources a").first.evaluate(after)
    page.screenshot(path=SCREENSHOTS / "report-print.png", full_page=True)  # for reviewers
    page.emulate_media(media="screen")
    expect(page.locator(".app-header")).to_be_visible()
