"""Finding things, in Chromium, with JavaScript and without: the audit trail and the register
filtered by dates typed in GOV.UK's three fields (a reversed or impossible date refused, linked
to its day field), the policies searched, and a workload estimate counted per week or per year
and shown per term, as the rubric counts it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import fill_date, screenshot, sign_in
from tests.e2e.journeys import (
    BOTH_WAYS,
    ERROR_TITLE,
    expect_heading,
    expect_refused,
    page_for,
    shot,
)

pytestmark = pytest.mark.e2e

AUDITOR, AUTHOR = "auditor@demo-trust.example", "author@demo-trust.example"
APPROVED = "MK-001: Marking and feedback policy"  # the demo's approved assessment, version 1
DRAFT = "/assessments/2"  # the demo's draft (MT-002), by Alex Author
LONG_AGO = (date(2020, 9, 1), date(2021, 7, 31))
IMPOSSIBLE = "Enter a real date from 1900 to 2999, like 31/03/2027"


def _today() -> date:
    """The demo was made today, in UTC: the day the trail and the register date it."""
    return datetime.now(UTC).date()


def _filter(page: Page, dates: tuple[date, date], legends: tuple[str, str]) -> None:
    for legend, day in zip(legends, dates, strict=True):
        fill_date(page, legend, day)
    page.get_by_role("button", name="Apply filters").click()


@BOTH_WAYS
def test_an_auditor_filters_the_audit_trail_by_dates(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto("/audit")
    sign_in(page, AUDITOR)
    expect_heading(page, "Audit trail")
    expect(page.locator("#verdict")).to_contain_text("Intact")
    total = page.locator("#events-total")
    expect(total).to_contain_text(re.compile(r"^\d+ events, newest first"))
    everything = int(total.inner_text().split()[0])
    legends = ("From", "To")

    _filter(page, LONG_AGO, legends)
    expect(total).to_contain_text("0 events, newest first.")
    expect(page.get_by_role("cell", name="No event matches.")).to_be_visible()
    around_today = (_today() - timedelta(days=1), _today() + timedelta(days=1))
    _filter(page, around_today, legends)
    expect(total).to_contain_text(f"{everything} events, newest first.")
    approval = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Assessment version 1", exact=True)
    )
    approved = approval.filter(has=page.get_by_role("cell", name="Approved", exact=True))
    expect(approved).to_contain_text("Priya Approver")
    expect(page).to_have_url(re.compile(r"from-day="))  # the filter is in the address
    screenshot(page, shot("78-audit-filtered", javascript))

    # The same events as a file, by the link under the filter.
    csv = page.get_by_role("link", name="Download these events as CSV")
    href = csv.get_attribute("href") or ""
    assert href.startswith("/audit.csv?"), href
    start, end = (day.isoformat() for day in around_today)
    assert f"from={start}" in href and f"to={end}" in href, href
    download = page.request.get(href)
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    lines = download.text().lstrip("\ufeff").splitlines()
    assert lines[0] == "seq,occurred_at,actor,entity,entity_id,action,details,hash"
    assert len(lines) == everything + 1, lines
    assert any(",Priya Approver,assessment_version,1,approved," in line for line in lines)

    # A reversed range, then a day that does not exist: each refused by its day field.
    _filter(page, (around_today[1], around_today[0]), legends)
    reversed_range = "The date to must be the same as or after the date from"
    # With JavaScript htmx swaps the results alone: the summary is among them, the fields not.
    refused = {"javascript": javascript, "date": True, "whole_page": not javascript}
    expect_refused(page, "to", reversed_range, by_the_field=not javascript, **refused)
    expect(total).to_contain_text(f"{everything} events")  # the dates are left out
    group = page.get_by_role("group", name="From")
    group.get_by_label("Day", exact=True).fill("31")
    group.get_by_label("Month", exact=True).fill("2")
    page.get_by_role("button", name="Apply filters").click()
    expect_refused(page, "from", IMPOSSIBLE, by_the_field=not javascript, **refused)
    expect(group.get_by_label("Day", exact=True)).to_have_value("31")
    expect(group.get_by_label("Month", exact=True)).to_have_value("2")
    screenshot(page, shot("79-audit-date-error", javascript))


@BOTH_WAYS
def test_the_register_is_filtered_by_its_decision_dates(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto("/register")
    sign_in(page, AUDITOR)
    expect_heading(page, "Register of impact assessments")
    results = page.locator("#results")
    expect(results).to_contain_text("2 versions.")
    legends = ("Decided from", "Decided to")

    _filter(page, (_today() - timedelta(days=1), _today() + timedelta(days=1)), legends)
    expect(results).to_contain_text("1 version.")
    expect(page.get_by_role("link", name=APPROVED)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^MT-002"))).to_have_count(0)  # undecided
    screenshot(page, shot("80-register-decided-dates", javascript))
    _filter(page, LONG_AGO, legends)
    expect(results).to_contain_text("0 versions.")
    expect(page.get_by_role("cell", name="No version matches.")).to_be_visible()

    _filter(page, (_today(), _today() - timedelta(days=7)), legends)
    expect_refused(
        page,
        "to",
        "The end of the decision dates must be on or after their start",
        javascript=javascript,
        date=True,
        by_the_field=not javascript,  # htmx swaps the results alone, and the summary in them
        whole_page=not javascript,
    )
    expect(page.locator("#filter-refused")).to_have_text(
        "Put the filter right to see the versions it finds."
    )
    screenshot(page, shot("81-register-date-error", javascript))


@BOTH_WAYS
def test_the_policies_are_searched_by_title(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto("/policies")
    sign_in(page, AUTHOR)
    expect_heading(page, "Policies")
    search = page.get_by_label("Search the policies")
    titles = page.locator("#results tbody tr td:nth-child(2)")
    expect(titles).to_have_text(["Marking and feedback policy", "Staff meetings policy"])

    search.fill("meetings")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results caption")).to_have_text("1 policy matches “meetings”")
    expect(titles).to_have_text(["Staff meetings policy"])
    expect(page).to_have_url(re.compile(r"/policies\?q=meetings$"))
    screenshot(page, shot("82-policies-search", javascript))

    search.fill("homework")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results")).to_have_text("No policy matches “homework”. See every policy.")
    expect(page.locator("#results table")).to_have_count(0)
    screenshot(page, shot("83-policies-no-match", javascript))
    page.get_by_role("link", name="See every policy").click()
    expect(page.locator("#results caption")).to_have_text("All policies")
    expect(titles).to_have_count(2)


@BOTH_WAYS
def test_workload_hours_counted_per_week_or_year_are_shown_per_term(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    page = page_for(request, javascript)
    page.goto(DRAFT)
    sign_in(page, AUTHOR)
    steps = page.get_by_role("navigation", name="Assessment steps")
    steps.get_by_role("link", name="Workload estimate").click()
    expect_heading(page, "Workload estimate")
    expect(page.get_by_text("39 teaching weeks make a year.").first).to_be_visible()
    teachers = page.get_by_role("group", name="Teachers", exact=True)
    assistants = page.get_by_role("group", name="Teaching assistants", exact=True)
    hours = "Hours added per person (use a minus sign for hours removed)"

    # Hours that are not a number: refused by the field, keeping them and their unit.
    teachers.get_by_label(hours).fill("2 or 3")
    teachers.get_by_label("Counted per").select_option("week")
    teachers.get_by_label("Number of staff affected").fill("12")
    page.get_by_role("button", name="Save and see summary").click()
    expect_refused(
        page,
        "hours-teachers",
        "Enter the hours added or removed per person for teachers, a number with up to 2 "
        "decimal places (a minus sign for hours removed)",
        javascript=javascript,
    )
    expect(teachers.get_by_label(hours)).to_have_value("2 or 3")
    expect(teachers.locator("select option:checked")).to_have_text("week")
    expect(teachers.get_by_label("Number of staff affected")).to_have_value("12")

    # 2.5 h a week for 39 weeks in 3 terms is 32.5 h a term; 6 h a year is 2 h a term.
    teachers.get_by_label(hours).fill("2.5")
    assistants.get_by_label(hours).fill("6")
    assistants.get_by_label("Counted per").select_option("year")
    assistants.get_by_label("Number of staff affected").fill("10")
    screenshot(page, shot("84-workload-per-week-and-year", javascript))
    page.get_by_role("button", name="Save and see summary").click()
    expect_heading(page, "Summary of the impact assessment")
    rows = page.locator("#workload tbody tr")
    expect(rows).to_have_count(3)
    # Per person per term, staff, per person per year (x 3 terms), net a year (x staff).
    expect(rows.nth(0).locator("th, td")).to_have_text(["Teachers", "32.5", "12", "97.5", "1170.0"])
    expect(rows.nth(1).locator("th, td")).to_have_text(
        ["Teaching assistants", "2", "10", "6.0", "60.0"]
    )
    expect(rows.nth(2).locator("th, td")).to_have_text(["All staff groups", "1230.0"])
    screenshot(page, shot("85-summary-workload-converted", javascript))

    # Back on the page, the hours read as they are kept: per term.
    steps.get_by_role("link", name="Workload estimate").click()
    expect_heading(page, "Workload estimate")
    expect(teachers.get_by_label(hours)).to_have_value("32.5")
    expect(teachers.locator("select option:checked")).to_have_text("term")
    expect(assistants.get_by_label(hours)).to_have_value("2")


def test_error_titles_after_an_htmx_swap(page: Page) -> None:
    """With JavaScript, each refused form's title starts "Error:", as without (htmx sets the
    title from the one ahead of the fragment it swaps in)."""
    page.goto("/policies/2/edit")
    sign_in(page, AUTHOR)
    page.get_by_label("Title").fill("St")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#title-error")).to_be_visible()
    titles = {"policy form": page.title()}
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")  # signed out first
    page.goto("/audit")
    sign_in(page, AUDITOR)  # the trail is for trust-wide auditors and admins
    for path, legends in (
        ("/audit", ("From", "To")),
        ("/register", ("Decided from", "Decided to")),
    ):
        page.goto(path)
        _filter(page, (_today(), _today() - timedelta(days=1)), legends)
        expect(page.locator("#results .govuk-error-summary")).to_be_visible()
        titles[path] = page.title()
    assert all(ERROR_TITLE.match(title) for title in titles.values()), titles
