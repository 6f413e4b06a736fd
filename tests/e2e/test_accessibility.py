"""The pages the journeys do not pass through, checked like theirs: axe finds no WCAG 2.2 A or
AA violation, and a picture of each is kept at desktop and mobile widths (`screenshot`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OWNER_NAME, OWNER_PERSON, screenshot, sign_in

pytestmark = pytest.mark.e2e

DEMO_DRAFT = "/assessments/2"  # the demo's draft (MT-002), by Alex Author


def _visit(page: Page, path: str, heading: str, shot: str, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, path
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    screenshot(page, shot)


def test_a_trust_admins_pages(page: Page) -> None:
    page.goto("/sign-in")
    sign_in(page, "admin@demo-trust.example")
    _visit(page, "/admin/users", "People and roles", "20-admin-people")
    _visit(page, "/admin/users/new", "Add a person", "21-admin-add-person")
    page.get_by_role("button", name="Add person").click()  # nothing filled in: the errors
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK's pattern
    screenshot(page, "22-admin-add-person-errors")
    page.goto("/admin/users")
    page.get_by_role("link", name="Alex Author").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Author")
    screenshot(page, "23-admin-person")
    _visit(page, "/admin/schools", "Schools", "24-admin-schools")
    _visit(page, "/account/tokens", "API tokens", "25-api-tokens")


def test_an_authors_owner_fields(page: Page) -> None:
    """The policy form and the action form, each choosing its owner from the trust's people
    or by name (the action page's own states are in test_action_progress_journey.py)."""
    page.goto("/sign-in")
    sign_in(page, "author@demo-trust.example")
    _visit(page, "/policies/new", "Add a policy", "26-policy-form")
    _visit(page, f"{DEMO_DRAFT}/actions/new", "Add a mitigating action", "27-action-form")
    page.get_by_label(OWNER_PERSON, exact=True).select_option(label="Priya Approver")
    page.get_by_label(OWNER_NAME).fill("Deputy Headteacher")  # both: the owner's error
    page.get_by_role("button", name="Save action").click()
    expect(page.locator("#owner-error")).to_contain_text("not both")
    expect(page.locator("#owner_user_id option:checked")).to_have_text("Priya Approver")
    expect(page.get_by_label(OWNER_NAME)).to_have_value("Deputy Headteacher")
    screenshot(page, "27-action-form-owner-error")


def test_an_auditors_pages_and_the_error_pages(page: Page) -> None:
    page.goto("/sign-in")
    sign_in(page, "auditor@demo-trust.example")
    _visit(page, "/", "Home", "28-home-auditor")  # overdue lists and the charts
    page.locator(".app-chart__figures summary").first.click()  # a chart's figures as a table
    screenshot(page, "28-home-auditor-figures")
    _visit(page, "/policies", "Policies", "29-policies")
    _visit(page, "/register", "Register of impact assessments", "30-register-all")
    _visit(
        page,
        "/register?from=31-02-2026",
        "Register of impact assessments",
        "31-register-filter-error",
        status=422,
    )
    _visit(page, "/audit", "Audit trail", "32-audit")
    page.goto("/register?status=approved")
    page.locator("#results tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "33-approved-summary")
    _visit(page, "/policies/999999", "Page not found", "34-not-found", status=404)
    _visit(page, "/admin/users", "You cannot do that", "35-not-allowed", status=403)
