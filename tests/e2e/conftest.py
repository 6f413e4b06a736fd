"""A real server in its own process on a scratch database, and Debian's Chromium driven by
Playwright (test tools cannot download browsers here, so the system one is used)."""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from app.settings import get_settings
from assessments.operations import demo
from tests import databases, servers
from tests.e2e import axe
from tests.factories.cli import wia

CHROMIUM = os.environ.get("WIA_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Chromium's background services reach for the network, which is closed here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--lang=en-GB",  # as on a school laptop in England: date fields read dd/mm/yyyy
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The owner of a policy or an action (templates/_owner.html), in a fieldset "Owner": one of the
# trust's people from a select, or the name of someone without an account typed in.
OWNER_PERSON = "Person"
OWNER_NAME = "Or the name of someone without an account"


@pytest.fixture(scope="session")
def demo_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database set up the way `make run` sets one up, with `wia demo`'s people: made once
    per worker, then copied for each test's server. The three commands run in this process
    (typer's runner), which spares starting an interpreter and the app's imports for each."""
    with databases.scratch_database(database_url, tmp_path_factory.mktemp("demo")) as url:
        # The commands' settings are in the environment only while they run.
        with pytest.MonkeyPatch.context() as patch:
            for name, value in servers.environment(url).items():
                if name.startswith("WIA_"):
                    patch.setenv(name, value)
            get_settings.cache_clear()
            for args in (["db", "upgrade"], ["rubric", "publish"], ["demo"]):
                result = wia(*args)
                assert result.exit_code == 0, f"wia {' '.join(args)} failed:\n{result.output}"
        get_settings.cache_clear()
        yield url


@pytest.fixture
def live_server(database_url: str, demo_database: str, tmp_path: Path) -> Iterator[str]:
    """`wia serve` on a fresh copy of the demo database: no test sees another's changes."""
    log = tmp_path / "server.log"
    with (
        databases.scratch_database(database_url, tmp_path, copy_of=demo_database) as url,
        servers.serving(servers.environment(url), log) as [server],
    ):
        yield server.url
    _check_the_log(log)


def _check_the_log(log: Path) -> None:
    """What the server wrote is structured: a JSON object a line, each with its UTC time."""
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert all(record["time"].endswith("+00:00") for record in records), records
    assert any(record["event"] == "request" and record["status"] == 200 for record in records)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is needed at {CHROMIUM}: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_WITHOUT_JAVASCRIPT: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def _is_problem(message: ConsoleMessage) -> bool:
    # Chromium logs every 4xx as "Failed to load resource"; a 422 for a form error is expected.
    # Failed responses are judged by their status instead (server_errors below).
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _open(browser: Browser, base_url: str, *, javascript: bool) -> Iterator[Page]:
    """A fresh browser context; script errors and 5xx responses fail the test."""
    context = browser.new_context(
        base_url=base_url,
        java_script_enabled=javascript,
        viewport=DESKTOP,
        locale="en-GB",  # as on a school laptop in England: dates read day/month/year
        timezone_id="Europe/London",
    )
    if not javascript:
        _WITHOUT_JAVASCRIPT.add(context)
    errors: list[str] = []
    # Every Content-Security-Policy violation on any page of the journey is reported here.
    context.expose_function("reportCspViolation", lambda what: errors.append(f"CSP: {what}"))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI))"
    )
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if _is_problem(message):
            errors.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 500:
            errors.append(f"{response.status} from {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    yield page
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _open(browser, live_server, javascript=True)


@pytest.fixture
def page_without_javascript(browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _open(browser, live_server, javascript=False)


def sign_in(page: Page, email: str) -> None:
    """Sign in through the page, as a demo person (`wia demo`), from wherever the page is."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def fill_date(page: Page, legend: str, day: date) -> None:
    """A GOV.UK date input (templates/_date.html): its day, month and year fields, typed."""
    group = page.get_by_role("group", name=legend)
    for label, part in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        group.get_by_label(label, exact=True).fill(str(part))


# The elements that make the page scroll sideways (any in a scroll box do not).
TOO_WIDE = """() => document.documentElement.scrollWidth <= innerWidth ? [] : [
  document.documentElement.scrollWidth + " px",
  ...[...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > innerWidth && !e.closest(".app-scroll-box"))
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
               + (e.classList.length ? "." + [...e.classList].join(".") : ""))]"""
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 375, "height": 740}


def screenshot(page: Page, name: str) -> None:
    """Check the page as it is now with axe (no WCAG 2.2 A or AA violation), and keep pictures
    of it at desktop and mobile widths for reviewers (tests/e2e/screenshots/, ignored by git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for width, size in (("", DESKTOP), ("-mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}{width}.png", full_page=True)
        # axe needs the page's timers, which do not run without JavaScript; the journeys with
        # JavaScript check the same pages.
        if page.context not in _WITHOUT_JAVASCRIPT:
            assert axe.violations(page) == [], f"{name} at {size['width']} px"
        # Only a wide table may scroll sideways, inside its own box; never the page.
        too_wide = page.evaluate(TOO_WIDE)
        assert not too_wide, f"{name} is wider than {size['width']} px: {too_wide}"
    page.set_viewport_size(DESKTOP)
