"""Putting right what was entered wrongly, in Chromium, with JavaScript and without: an author
corrects a policy's title, an admin renames a school and corrects a person's name, email and
roles. Each refused form shows GOV.UK's error summary and the message by its field, keeping
what was typed (tests/e2e/journeys.py); each saved one, its confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.journeys import (
    BOTH_WAYS,
    expect_confirmation,
    expect_heading,
    expect_refused,
    page_for,
    shot,
)

pytestmark = pytest.mark.e2e

ADMIN, AUTHOR = "admin@demo-trust.example", "author@demo-trust.example"
OLD_TITLE, NEW_TITLE = "Staff meetings policy", "Staff meetings and briefings policy"  # MT-002
OLD_SCHOOL, NEW_SCHOOL = "Northfield Primary School", "Northfield Park Primary School"


def _menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("link", name=item).click()


@BOTH_WAYS
def test_an_author_corrects_a_policys_title(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto("/policies")
    sign_in(page, AUTHOR)
    page.get_by_role("link", name=OLD_TITLE).click()
    expect_heading(page, OLD_TITLE)
    page.get_by_role("link", name="Change the policy's details").click()
    expect_heading(page, "Change the policy's details")
    expect(page.locator(".govuk-caption-l")).to_have_text("MT-002")
    title, cycle = page.get_by_label("Title"), page.get_by_label("Review cycle")
    expect(title).to_have_value(OLD_TITLE)
    expect(cycle).to_have_value("24")
    screenshot(page, shot("70-policy-correct-form", javascript))

    # Too short a title: refused by its field, and what was typed in the form is kept.
    title.fill("St")
    cycle.fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect_refused(
        page,
        "title",
        "Enter the policy's title (3 to 200 characters)",
        javascript=javascript,
        whole_page=not javascript,  # htmx swaps in the form alone (see test_error_titles_*)
    )
    expect(title).to_have_value("St")
    expect(cycle).to_have_value("12")
    screenshot(page, shot("71-policy-correct-error", javascript))

    title.fill(NEW_TITLE)
    page.get_by_role("button", name="Save changes").click()
    expect_heading(page, NEW_TITLE)
    expect(page).to_have_url(re.compile(r"/policies/2$"))
    expect_confirmation(
        page, "The policy's details are saved, and the change is in the audit trail."
    )
    cycle_row = page.locator(".govuk-summary-list__row").filter(has_text="Review cycle")
    expect(cycle_row.locator("dd")).to_have_text("12 months")
    screenshot(page, shot("72-policy-corrected", javascript))
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Policies").click()
    expect(page.get_by_role("link", name=NEW_TITLE, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=OLD_TITLE, exact=True)).to_have_count(0)
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)  # shown once only


@BOTH_WAYS
def test_an_admin_renames_a_school_but_not_to_another_schools_name(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto("/admin/schools")
    sign_in(page, ADMIN)
    expect_heading(page, "Schools")
    page.get_by_role("link", name=f"Change the name of {OLD_SCHOOL}").click()
    expect_heading(page, "Change the school's name")
    name = page.get_by_label("School name")
    expect(name).to_have_value(OLD_SCHOOL)
    name.fill(NEW_SCHOOL)
    page.get_by_role("button", name="Save name").click()
    expect_heading(page, "Schools")
    expect_confirmation(page, "The school's name is changed everywhere it is shown.")
    expect(page.locator("#schools li")).to_contain_text([NEW_SCHOOL, "Riverside Academy"])
    screenshot(page, shot("73-schools-renamed", javascript))

    # The same name but for case and spacing is the same school: refused by the field.
    page.get_by_role("link", name="Change the name of Riverside Academy").click()
    expect_heading(page, "Change the school's name")
    expect(name).to_have_value("Riverside Academy")
    typed = "  northfield park   PRIMARY school"
    name.fill(typed)
    page.get_by_role("button", name="Save name").click()
    expect_heading(page, "Change the school's name")
    expect_refused(
        page,
        "name",
        f"The trust already has a school called “{NEW_SCHOOL}”",
        javascript=javascript,
    )
    expect(name).to_have_value(typed)
    screenshot(page, shot("74-school-rename-duplicate", javascript))

    # Everywhere: the people page names the school's roles by its new name.
    _menu(page, "People")
    author = page.get_by_role("row").filter(has=page.get_by_role("link", name="Alex Author"))
    expect(author).to_contain_text(f"Author – {NEW_SCHOOL}")
    _menu(page, "Schools")
    expect(page.locator("#schools li")).to_contain_text([NEW_SCHOOL, "Riverside Academy"])


@BOTH_WAYS
def test_an_admin_corrects_a_persons_details_and_roles(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto("/admin/users")
    sign_in(page, ADMIN)
    expect_heading(page, "People and roles")
    page.get_by_role("link", name="Omar Auditor").click()
    expect_heading(page, "Omar Auditor")
    name, email = page.get_by_label("Full name"), page.get_by_label("Email address")

    # A mistyped email: refused by its field, keeping both fields as typed.
    name.fill("Omar Auditor-Khan")
    email.fill("omar.khan at demo-trust.example")
    page.get_by_role("button", name="Save name and email").click()
    expect_refused(
        page,
        "email",
        "Enter an email address in the correct format, like name@school.org.uk",
        javascript=javascript,
    )
    expect(name).to_have_value("Omar Auditor-Khan")
    expect(email).to_have_value("omar.khan at demo-trust.example")
    expect_heading(page, "Omar Auditor")  # nothing is saved yet
    screenshot(page, shot("75-person-email-error", javascript))
    email.fill("omar.khan@demo-trust.example")
    page.get_by_role("button", name="Save name and email").click()
    expect_heading(page, "Omar Auditor-Khan")
    expect_confirmation(page, "Their details are saved.")
    details = page.locator(".govuk-summary-list__row").filter(has_text="Email address")
    expect(details.locator("dd")).to_have_text("omar.khan@demo-trust.example")

    # A role more, at one school; the same again is refused; then the old role goes.
    roles = page.locator("#held-roles tbody tr")
    expect(roles).to_have_count(1)
    expect(roles.first.locator("td").nth(0)).to_have_text("Auditor")
    add = page.locator("#add-role")
    for attempt in range(2):
        add.get_by_label("Author", exact=True).check()
        add.get_by_label("Where").select_option(label="Riverside Academy")
        add.get_by_role("button", name="Add role").click()
        if attempt == 0:
            expect_confirmation(
                page, "Their roles are saved. They were signed out, so the new roles apply"
            )
            expect(roles).to_have_count(2)
            expect(roles.nth(1).locator("td").nth(0)).to_have_text("Author")
            expect(roles.nth(1).locator("td").nth(1)).to_have_text("Riverside Academy")
    expect_refused(page, "role", "They already have that role there", javascript=javascript)
    expect(add.get_by_label("Author", exact=True)).to_be_checked()
    expect(add.locator("#place option:checked")).to_have_text("Riverside Academy")
    screenshot(page, shot("76-person-role-refused", javascript))
    page.get_by_role("button", name="Remove auditor – Trust-wide").click()
    expect_confirmation(page, "Their roles are saved.")
    expect(roles).to_have_count(1)
    expect(roles.first.locator("td").nth(0)).to_have_text("Author")
    expect(roles.first.locator("td").nth(1)).to_have_text("Riverside Academy")
    screenshot(page, shot("77-person-roles-changed", javascript))

    _menu(page, "People")
    person = page.get_by_role("row").filter(has=page.get_by_role("link", name="Omar Auditor-Khan"))
    expect(person).to_contain_text("omar.khan@demo-trust.example")
    expect(person).to_contain_text("Author – Riverside Academy")
    expect(person).not_to_contain_text("Auditor –")
