"""The policy schedule, in Chromium, with JavaScript and without: the demo's admin opens it
from the header and imports the trust's schedule from a CSV file (a plain multipart form, so
the same either way). Uploaded with no file, the form is refused by its field; a file with a
bad row is previewed with each problem by line and column, and nothing can be imported; the
file put right previews three policies added, is imported, and the schedule lists them with
their reviews tagged overdue or coming up, filtered to the overdue one (and downloaded so).
Last, the statutory policies of an academy trust are added from the import page (refused when
no kind of trust is chosen), tagged "Statutory" on the schedule."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from app.pages.schedule_import import england_catalogue
from assessments.kernel.clock import today
from assessments.operations import demo
from assessments.policies.policy_catalogue import TrustKind, schedule_for
from assessments.policies.schedule import SCHEDULE_COLUMNS
from assessments.policies.schedule_rows import COLUMNS
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

ADMIN = "admin@demo-trust.example"  # Ada Admin, trust-wide: may import the schedule
RIVERSIDE = "author.riverside@demo-trust.example"  # Rita Rivers, an owner by her email
SCHOOL = demo.SCHOOLS[0]  # Northfield Primary School
DEMO_POLICIES = len(demo.DEMO_POLICIES)  # on the schedule before anything is imported
HEADER = "reference,title,category,review_cycle_months,owner,school,next_review_date"
UNKNOWN_SCHOOL = "Hogwarts School"
NO_FILE = "Choose a CSV or Excel file to upload"
NO_KIND = "Choose whether the trust is an academy trust or a maintained school"
BAD_CYCLE = "Enter the review cycle as a whole number of months from 1 to 60"
IMPORTED = "The schedule is imported: its policies are below"
STARTED = "The statutory policies are in the schedule."
# The corrected file's three policies, as the schedule links them.
COMING_UP, OVERDUE, UNDATED = (
    "TL-101: Homework policy",
    "TL-102: Staff wellbeing policy",
    "TL-103: Parents' evenings policy",
)


def _day(offset: int) -> date:
    """`offset` days from today, in UTC: the schedule's today."""
    return today() + timedelta(days=offset)


def _shown(day: date) -> str:
    return f"{day.day} {day:%b %Y}"  # british_date("short"), as the schedule's table has it


def _file(folder: Path, name: str, *rows: str) -> Path:
    """A CSV file of the schedule, as a spreadsheet saves it (CRLF lines)."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode())
    return path


def _good_rows() -> list[str]:
    return [
        f"TL-101,Homework policy,Teaching and learning,12,Deputy Headteacher,{SCHOOL},"
        f"{_day(10).isoformat()}",
        f"TL-102,Staff wellbeing policy,people-and-hr,24,Head of HR,,{_day(-30):%d/%m/%Y}",
        f"TL-103,Parents' evenings policy,communications,36,{RIVERSIDE},,",
    ]


def _bad_rows() -> list[str]:
    """The first good row, and a second whose school is unknown and whose cycle is 0."""
    return [
        _good_rows()[0],
        f"TL-102,Staff wellbeing policy,people-and-hr,0,Head of HR,{UNKNOWN_SCHOOL},",
    ]


def _row(page: Page, policy: str) -> Locator:
    """The schedule's row of the policy, by its link."""
    link = page.get_by_role("link", name=policy, exact=True)
    return page.locator("#schedule tbody tr").filter(has=link)


def _expect_row(page: Page, policy: str, cycle: int, cells: list[str], tags: list[str]) -> None:
    """The policy's row: its link and cycle, then school, owner, last approved, assessment and
    review due (each as read), and the tags it carries."""
    row = _row(page, policy)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").first).to_contain_text(f"Every {cycle} months")
    for index, text in enumerate(cells, start=1):
        expect(row.get_by_role("cell").nth(index)).to_have_text(text)
    expect(row.locator(".govuk-tag")).to_have_text(tags)


def _open_schedule(page: Page) -> None:
    """The schedule, whole, by its link in the header."""
    header = page.get_by_role("navigation", name="Account")
    header.get_by_role("link", name="Schedule", exact=True).click()
    expect(page).to_have_url(re.compile(r"/schedule$"))
    expect_heading(page, "Policy schedule")


def _upload(page: Page, path: Path) -> None:
    page.get_by_label("The schedule").set_input_files(path)
    page.get_by_role("button", name="Upload and preview").click()


def _import_button(page: Page) -> Locator:
    return page.get_by_role("button", name=re.compile(r"^Import the schedule"))


@BOTH_WAYS
def test_an_admin_imports_the_schedule_and_adds_the_statutory_policies(
    request: pytest.FixtureRequest, javascript: bool, tmp_path: Path
) -> None:
    page = page_for(request, javascript)
    files = tmp_path / "upload"
    academy = schedule_for(england_catalogue(), TrustKind.ACADEMY_TRUST)
    statutory = [entry for entry in academy if entry.statutory]
    assert statutory and len(statutory) < len(academy)

    # 1. The schedule, from the header: the demo's two policies, and the way to import.
    page.goto("/")
    sign_in(page, ADMIN)
    _open_schedule(page)
    count = page.locator("#schedule-count")
    expect(count).to_contain_text(f"{DEMO_POLICIES} policies.")
    expect(page.locator("#schedule tbody tr")).to_have_count(DEMO_POLICIES)
    page.get_by_role("link", name="Import the schedule from a spreadsheet").click()
    expect_heading(page, "Import the policy schedule")
    expect(page.locator("#columns dt")).to_have_text(list(COLUMNS))
    template = page.get_by_role("link", name="Download the template (CSV)")
    download = page.request.get(template.get_attribute("href") or "")
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.text().lstrip("\ufeff").splitlines()[0] == ",".join(COLUMNS)

    # 2. Uploaded with no file chosen: refused, by the file field.
    page.get_by_role("button", name="Upload and preview").click()
    expect_heading(page, "Import the policy schedule")
    expect_refused(page, "file", NO_FILE, javascript=javascript)
    screenshot(page, shot("99-schedule-import-no-file", javascript))

    # 3. A file with a bad row: each of its problems by line and column; nothing to import.
    _upload(page, _file(files, "schedule.csv", *_bad_rows()))
    expect(page).to_have_url(re.compile(r"/schedule/import/\d+$"))
    expect_heading(page, "Preview the import")
    expect(page.get_by_text("schedule.csv: 2 rows.")).to_be_visible()
    expect(page.locator("#count-add")).to_have_text("1")
    expect(page.locator("#count-refused")).to_have_text("1")
    expect(page.locator("#counts dt")).to_have_text(
        ["Added", "Updated", "Unchanged", "Cannot be imported"]
    )
    expect(page.get_by_role("heading", name="Rows that cannot be imported")).to_be_visible()
    problems = page.locator("#refused tbody tr")
    expect(problems).to_have_count(2)
    school_problem = f"No school of the trust is called “{UNKNOWN_SCHOOL}”"
    expect(problems.nth(0).get_by_role("cell")).to_have_text(
        ["3", "TL-102", "school", school_problem]
    )
    expect(problems.nth(1).get_by_role("cell")).to_have_text(
        ["3", "TL-102", "review_cycle_months", BAD_CYCLE]
    )
    expect(page.locator("#changes tbody tr").get_by_role("cell")).to_have_text(
        ["2", "TL-101", "Homework policy", "Added"]
    )
    expect(_import_button(page)).to_have_count(0)
    screenshot(page, shot("99-schedule-preview-problems", javascript))

    # 4. The file put right, uploaded again: three policies added, and the button to import.
    page.get_by_role("link", name="Upload another file").click()
    expect_heading(page, "Import the policy schedule")
    _upload(page, _file(files, "schedule-corrected.csv", *_good_rows()))
    expect_heading(page, "Preview the import")
    expect(page.get_by_text("schedule-corrected.csv: 3 rows.")).to_be_visible()
    expect(page.locator("#count-add")).to_have_text("3")
    for change in ("update", "unchanged", "refused"):
        expect(page.locator(f"#count-{change}")).to_have_text("0")
    expect(page.locator("#refused")).to_have_count(0)
    expect(page.locator("#changes tbody tr td:nth-child(4)")).to_have_text(["Added"] * 3)
    button = _import_button(page)
    expect(button).to_have_text("Import the schedule (3 policies added or changed)")

    # 5. Imported: the schedule, soonest review first, each review tagged by today's date.
    button.click()
    expect(page).to_have_url(re.compile(r"/schedule$"))
    expect_heading(page, "Policy schedule")
    expect_confirmation(page, IMPORTED)
    expect(count).to_contain_text(f"{DEMO_POLICIES + 3} policies.")
    links = page.locator("#schedule tbody tr td:first-child a")
    expect(links.nth(0)).to_have_text(OVERDUE)
    expect(links.nth(1)).to_have_text(COMING_UP)
    not_started = ["–", "Not started"]
    overdue = f"{_shown(_day(-30))} Overdue"
    _expect_row(page, OVERDUE, 24, ["Trust-wide", "Head of HR", *not_started, overdue], ["Overdue"])
    coming_up = [SCHOOL, "Deputy Headteacher", *not_started, f"{_shown(_day(10))} Coming up"]
    _expect_row(page, COMING_UP, 12, coming_up, ["Coming up"])
    _expect_row(page, UNDATED, 36, ["Trust-wide", "Rita Rivers", *not_started, "–"], [])
    screenshot(page, shot("99-schedule-imported", javascript))

    # 6. Only the overdue reviews: the one; and the same as a file, by the link under it.
    review = page.get_by_label("Review", exact=True)
    review.select_option(label="Overdue")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/schedule\?.*due=overdue"))
    expect(count).to_contain_text("1 policy.")
    expect(links).to_have_text([OVERDUE])
    expect(review).to_have_value("overdue")
    href = page.get_by_role("link", name="Download as CSV").get_attribute("href") or ""
    assert href.startswith("/schedule.csv?") and "due=overdue" in href, href
    exported = page.request.get(href)
    assert exported.status == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(exported.text().lstrip("\ufeff").splitlines()))
    assert lines[0] == list(SCHEDULE_COLUMNS), lines
    assert [line[:2] for line in lines[1:]] == [["TL-102", "Staff wellbeing policy"]], lines
    assert lines[1][SCHEDULE_COLUMNS.index("review")] == "overdue", lines

    # 7. The statutory policies of an academy trust, from the import page: refused until the
    # kind of trust is chosen, then on the schedule, each owned by the admin who added them.
    _open_schedule(page)
    expect(count).to_contain_text(f"{DEMO_POLICIES + 3} policies.")
    page.get_by_role("link", name="Import the schedule from a spreadsheet").click()
    expect_heading(page, "Import the policy schedule")
    add = page.get_by_role("button", name="Add the statutory policies")
    add.click()
    expect_heading(page, "Import the policy schedule")
    expect_refused(page, "kind", NO_KIND, javascript=javascript)
    maintained = schedule_for(england_catalogue(), TrustKind.MAINTAINED_SCHOOL)
    kind = page.get_by_role("group", name="The trust is")
    expect(kind.get_by_role("radio")).to_have_count(2)
    expect(kind.get_by_label(f"A maintained school ({len(maintained)} policies)")).to_be_visible()
    kind.get_by_label(f"An academy trust ({len(academy)} policies)").check()
    add.click()
    expect(page).to_have_url(re.compile(r"/schedule$"))
    expect_confirmation(page, STARTED)
    expect(count).to_contain_text(f"{DEMO_POLICIES + 3 + len(academy)} policies.")
    tags = page.locator("#schedule tbody tr td:first-child .govuk-tag")
    expect(tags).to_have_count(len(statutory))
    expect(tags).to_have_text(["Statutory"] * len(statutory))
    first = statutory[0]
    cycle = first.review_every_years * 12
    policy = f"{first.id}: {first.title}"
    _expect_row(page, policy, cycle, ["Trust-wide", "Ada Admin", *not_started, "–"], ["Statutory"])
    not_statutory = next(entry for entry in academy if not entry.statutory)
    expect(
        _row(page, f"{not_statutory.id}: {not_statutory.title}").locator(".govuk-tag")
    ).to_have_count(0)
    _expect_row(page, OVERDUE, 24, ["Trust-wide", "Head of HR", *not_started, overdue], ["Overdue"])
