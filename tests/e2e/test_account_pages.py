"""A person's own pages and the trust's email page, in Chromium, with axe at both widths: their
account, notifications (choices saved), calendar, changing their password (a refusal shown
by its field), the reset form; an admin's Email and reminders (a refusal, then saved)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_persons_account_pages(page: Page) -> None:
    page.goto("/sign-in")
    sign_in(page, "approver@demo-trust.example")
    page.get_by_role("link", name="your account").click()
    _heading(page, "Your account")
    screenshot(page, "86-account")

    page.get_by_role("link", name="Notifications").click()
    _heading(page, "Notifications")
    group = page.get_by_role("group", name="Assessments awaiting your decision")
    group.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your choices are saved"
    )
    expect(group.get_by_label("A daily digest")).to_be_checked()
    screenshot(page, "87-notifications")

    page.goto("/account/calendar")
    _heading(page, "Calendar")
    screenshot(page, "88-calendar")

    page.goto("/account/password")
    _heading(page, "Change your password")
    page.get_by_label("Your current password").fill("not the password at all")
    page.get_by_label("New password").fill("kettle meadow twelve lantern")
    page.get_by_label("Enter it again").fill("kettle meadow twelve lantern")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current-error")).to_contain_text("Your current password is not right")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    screenshot(page, "89-change-password-error")


def test_the_reset_form_answers_the_same_for_anyone(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    _heading(page, "Reset your password")
    screenshot(page, "90-forgotten-password")
    page.get_by_label("Email address").fill("nobody@demo-trust.example")
    page.get_by_role("button", name="Send the link").click()
    _heading(page, "Check your email")
    screenshot(page, "91-check-your-email")


def test_an_admins_email_and_reminders(page: Page) -> None:
    page.goto("/sign-in")
    sign_in(page, "admin@demo-trust.example")
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Email and reminders").click()
    _heading(page, "Email and reminders")
    page.get_by_label("Days before a review falls due").fill("90, soon")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.locator("#review_days-error")).to_contain_text("Enter up to 6 numbers")
    screenshot(page, "92-email-and-reminders-error")
    page.get_by_label("Days before a review falls due").fill("90, 30, 7")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The reminders are saved"
    )
    expect(page.get_by_label("Days before a review falls due")).to_have_value("90, 30, 7")
    screenshot(page, "93-email-and-reminders")
