"""What the correction, search and date journeys share: each runs once with JavaScript and
once without, and reads a saved form and a refused one as a person sees them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessments.rubrics.schema import Rubric

# Each journey once as most people meet it, and once as plain forms and links (no htmx).
BOTH_WAYS = pytest.mark.parametrize(
    "javascript", [True, False], ids=["with-javascript", "without-javascript"]
)

# GOV.UK: a page with errors says so first in its title, which screen readers read out first.
ERROR_TITLE = re.compile(r"^Error: ")


def page_for(request: pytest.FixtureRequest, javascript: bool) -> Page:
    """conftest's `page`, or its `page_without_javascript`."""
    page: Page = request.getfixturevalue("page" if javascript else "page_without_javascript")
    return page


def shot(name: str, javascript: bool) -> str:
    """A screenshot's name; without JavaScript, its own (axe runs with it only)."""
    return name if javascript else f"{name}-no-js"


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def screen_for_the_full_assessment(page: Page, rubric: Rubric) -> None:
    """On a new assessment's first page, the screening: every answer the one that calls for the
    full assessment, whose first section follows."""
    assert rubric.screening is not None
    expect_heading(page, rubric.screening.title)
    for asked in rubric.screening.questions:
        group = page.get_by_role("group", name=asked.text)
        group.get_by_label("Yes" if asked.full_if == "yes" else "No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    expect_heading(page, rubric.sections[0].title)


def expect_confirmation(page: Page, text: str) -> None:
    """GOV.UK's success banner, shown once on the page a saved form leads to."""
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def expect_refused(
    page: Page,
    field: str,
    message: str,
    *,
    javascript: bool,
    date: bool = False,
    by_the_field: bool = True,
    whole_page: bool = True,
) -> None:
    """GOV.UK's pattern for a refused form: "There is a problem" at the top (taking the focus
    where scripts run), its link naming the problem and leading to the field (a date's day
    field), and the same message next to the field; a whole page's title starts "Error:".
    Ends with the focus on the field where scripts run."""
    target = f"{field}-day" if date else field
    problems = page.locator(".govuk-error-summary")
    expect(problems).to_have_count(1)
    expect(problems).to_contain_text("There is a problem")
    link = problems.get_by_role("link", name=message)
    expect(link).to_have_attribute("href", f"#{target}")
    if whole_page:
        expect(page).to_have_title(ERROR_TITLE)
    if by_the_field:
        expect(page.locator(f"#{field}-error")).to_have_text(f"Error: {message}")
    if javascript:
        expect(problems).to_be_focused()
        link.click()
        expect(page.locator(f"#{target}")).to_be_focused()
