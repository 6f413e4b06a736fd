"""Hostile text in every free-text field of a staff consultation (issue 18), typed through the
pages: the consultation's summary, a staff answer's concerns and what would make it work, a
theme's title, gist and answer, a formal consultation's body, views and what was agreed, and
the reason a draft was submitted without consulting staff. Each is markup, a spreadsheet
formula, a template expression and a right-to-left override at once, and each is shown as text
wherever it shows: the consultation's page and a theme's form, the staff link, the approver's
review, the governors' report and its PDF, the invitation email and the audit trail's CSV,
whose cells are neutralised. The register's exports carry none of it (counts only)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session, col, select

from app.mail.compose import compose
from app.mail.links import consultation_path
from app.settings import Settings
from assessments.consultations import queries
from assessments.kernel.clock import today
from assessments.models import Notification, OutboxMessage
from assessments.notifications.delivery import Outgoing
from assessments.register.csv_cells import original_text
from assessments.rubrics import publishing
from tests.app.pages import field_value, submit
from tests.app.report_story import pdf_text
from tests.assessments.consultation_cases import least_group
from tests.factories.answers import QUESTIONS
from tests.factories.decisions import open_page
from tests.factories.people import Cast, make_api_token, make_cast
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, default_rubric
from tests.factories.versions import complete_draft, draft_for

pytestmark = pytest.mark.usefixtures("rubric_published")

ANN = "ann@oak.example"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it reads backwards


def hostile(field: str) -> str:
    """What is typed into `field`: a formula, markup that runs script (in an element and out
    of an attribute), a template expression, the field's name and a bidi override."""
    return (
        f'=HYPERLINK("http://evil","{field}") <script>alert(1)</script> '
        f'"><img src=x onerror=alert(1)> {{{{7*7}}}} {field}{RLO}txt.exe'
    )


# Every free-text field: the consultation's, a staff answer's, a theme's, a formal
# consultation's and a submission's.
FIELDS = (
    *("summary", "concerns", "would_help", "title", "staff_said", "response"),
    *("body", "views", "agreed", "unconsulted_reason"),
)
TYPED = {field: hostile(field) for field in FIELDS}
RAW = ("<script>alert(1)</script>", "<img src=x", "onerror=alert(1)>")
THEMED = ("title", "staff_said", "response")
FORMAL = ("body", "views", "agreed")


def shown_as_text(html: str, *fields: str) -> None:
    """The fields' text is in the HTML escaped, exactly once each or more, never as markup."""
    for raw in RAW:
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    for field in fields:
        assert str(escape(TYPED[field])) in html, field  # {{7*7}} as typed, never 49


def squeezed(text: str) -> str:
    """The text without its whitespace, as a PDF's lines may break it anywhere."""
    return "".join(text.split())


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@dataclass(frozen=True)
class Consulted:
    version_id: int
    consultation_id: int
    theme_id: int
    link: str  # the staff member's own

    @property
    def address(self) -> str:
        return f"/consultations/{self.consultation_id}"


def ok(response: httpx2.Response) -> None:
    assert response.status_code == 303, response.text[:500]


@pytest.fixture
def staff(app: FastAPI) -> Iterator[TestClient]:
    """A member of staff's browser, with no account."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as browser:
        yield browser


@pytest.fixture
def themed(
    client: TestClient, staff: TestClient, session: Session, settings: Settings, cast: Cast
) -> Consulted:
    """A complete draft whose author consulted ANN through the pages (summary typed), who
    answered (concerns, would help); closed early and a theme added, staff not yet told."""
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    least_group(session, 1)  # so that one answer is shown, with what it says
    session.commit()
    sign_in_as(client, session, settings, cast.author)
    base = f"/assessments/{version_id}"
    form = open_page(client, f"{base}/consultations/new")
    asked = {"summary": TYPED["summary"], "invitees": f"{ANN}, Teachers"}
    opened = submit(client, form, f"{base}/consultations", asked)
    ok(opened)
    consultation_id = int(opened.headers["location"].rpartition("/")[2])
    [invitation] = queries.invitations_of(session, consultation_id)
    assert invitation.id is not None
    link = consultation_path(settings, invitation.id)
    answer = {"direction": "more", "hours": "1.5", "agreement": "2"}
    answer |= {field: TYPED[field] for field in ("concerns", "would_help")}
    ok(submit(staff, open_page(staff, link), link, answer))
    address = f"/consultations/{consultation_id}"
    ok(submit(client, open_page(client, address), f"{address}/close"))
    theme = {field: TYPED[field] for field in THEMED} | {"changed": "no"}
    ok(submit(client, open_page(client, address), f"{address}/themes", theme))
    [added] = queries.themes_of(session, consultation_id)
    assert added.id is not None
    return Consulted(version_id, consultation_id, added.id, link)


@pytest.fixture
def consulted(client: TestClient, session: Session, themed: Consulted) -> Consulted:
    """The same, staff told, a formal consultation recorded and the draft submitted."""
    base = f"/assessments/{themed.version_id}"
    ok(submit(client, open_page(client, themed.address), f"{themed.address}/tell"))
    on = today()
    met = {"met_on-day": str(on.day), "met_on-month": str(on.month), "met_on-year": str(on.year)}
    said = {field: TYPED[field] for field in FORMAL} | met
    form = open_page(client, f"{base}/formal-consultations/new")
    ok(submit(client, form, f"{base}/formal-consultations", said))
    ok(submit(client, open_page(client, f"{base}/summary"), f"{base}/submit"))
    return themed


# --- the pages -------------------------------------------------------------------------------


def test_the_consultation_page_and_a_themes_form_show_what_was_typed_as_text(
    client: TestClient, themed: Consulted
) -> None:
    response = client.get(themed.address)

    assert response.status_code == 200
    shown_as_text(response.text, "summary", "concerns", "would_help", *THEMED)
    form = client.get(f"{themed.address}/themes/{themed.theme_id}")
    shown_as_text(form.text, *THEMED)
    doc = open_page(client, f"{themed.address}/themes/{themed.theme_id}")
    for field in THEMED:  # what the form sends back is what was typed
        assert field_value(doc, field) == TYPED[field], field


def test_the_staff_link_shows_the_summary_and_the_themes_told_as_text(
    staff: TestClient, consulted: Consulted
) -> None:
    response = staff.get(consulted.link)

    assert response.status_code == 200
    shown_as_text(response.text, "summary", *THEMED)
    doc = open_page(staff, consulted.link)
    assert doc.by_id("summary").raw_text == TYPED["summary"]
    assert doc.by_id("themes").find("dt").raw_text == TYPED["title"]


def test_the_approvers_review_shows_the_themes_and_the_formal_consultation_as_text(
    client: TestClient, session: Session, settings: Settings, cast: Cast, consulted: Consulted
) -> None:
    sign_in_as(client, session, settings, cast.approver)

    response = client.get(f"/assessments/{consulted.version_id}/review")

    assert response.status_code == 200, response.text[:500]
    shown_as_text(response.text, *THEMED, *FORMAL)


def test_the_report_and_its_pdf_show_what_was_typed_literally(
    client: TestClient, session: Session, settings: Settings, cast: Cast, consulted: Consulted
) -> None:
    sign_in_as(client, session, settings, cast.approver)
    base = f"/assessments/{consulted.version_id}"

    html = client.get(f"{base}/report")
    pdf = client.get(f"{base}/report.pdf")

    assert html.status_code == 200
    shown_as_text(html.text, *THEMED, *FORMAL)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = pdf_text(pdf.content)
    for field in (*THEMED, *FORMAL):  # as typed up to the override, which the PDF obeys
        assert squeezed(TYPED[field].partition(RLO)[0]) in squeezed(text), field
    # The override turns no more than its own field: the report's words after it read on.
    assert f"{today():%-d %B %Y} Views:" in text and "Recorded by Ann Author" in text


# --- the email and the exports ------------------------------------------------------------------


def invitation_email(session: Session, settings: Settings) -> EmailMessage:
    """ANN's invitation, composed as the worker composes it."""
    [message] = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == ANN)).all()
    carried = select(Notification).where(Notification.message_id == message.id)
    notifications = list(session.exec(carried.order_by(col(Notification.id))))
    parsed = message_from_bytes(
        compose(settings, Outgoing(message, notifications, None)).data, policy=policy.default
    )
    assert isinstance(parsed, EmailMessage)
    return parsed


def part(email: EmailMessage, subtype: str) -> str:
    body = email.get_body((subtype,))
    assert body is not None
    return str(body.get_content())


def test_the_invitation_email_escapes_the_summary_in_html_and_keeps_it_in_text(
    session: Session, settings: Settings, themed: Consulted
) -> None:
    email = invitation_email(session, settings)

    shown_as_text(part(email, "html"), "summary")
    assert TYPED["summary"] in part(email, "plain")  # plain text is no markup: as typed
    assert "<" not in str(email["Subject"]) and "{{" not in str(email["Subject"])


def csv_rows(response: httpx2.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:500]
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))[1:]


# A piece a spreadsheet would run: a formula start after any spaces and double quotes, at the
# cell's start or after a separator it may split on.
RUNS = re.compile(r"(?:^|(?<=[,;\t\r\n]))[ \"]*[=+\-@]")


def neutralised_details(
    client: TestClient, session: Session, settings: Settings, cast: Cast, actions: set[str]
) -> list[dict[str, object]]:
    """The details of the audit CSV's events of these kinds, each cell checked safe and read
    back as stored (an auditor's export)."""
    sign_in_as(client, session, settings, cast.auditor)
    rows = [row for row in csv_rows(client.get("/audit.csv")) if row[5] in actions]
    assert {row[5] for row in rows} == actions
    for row in rows:
        for cell in row:
            assert not RUNS.search(cell), cell
    return [json.loads(original_text(row[6])) for row in rows]


def test_the_audit_csv_neutralises_the_theme_and_the_formal_body(
    client: TestClient, session: Session, settings: Settings, cast: Cast, consulted: Consulted
) -> None:
    details = neutralised_details(
        client, session, settings, cast, {"theme-added", "formal-consultation-recorded"}
    )

    said = {str(d.get("title") or d.get("body")) for d in details}
    assert said == {TYPED["title"], TYPED["body"]}


def register_exports(client: TestClient, session: Session) -> tuple[dict[str, object], str]:
    """The register's one row as its JSON export gives it, and its CSV export's text."""
    bearer = {"Authorization": f"Bearer {make_api_token(session, AUTHOR)}"}  # trust-wide
    client.cookies.clear()
    as_json = client.get("/api/v1/register", headers=bearer)
    as_csv = client.get("/api/v1/register?format=csv", headers=bearer)
    [row] = as_json.json()["rows"]
    assert len(csv_rows(as_csv)) == 1
    return row, as_json.text + as_csv.text


def test_the_registers_exports_carry_no_consultation_text_only_its_counts(
    client: TestClient, session: Session, consulted: Consulted
) -> None:
    row, exported = register_exports(client, session)

    assert (row["consulted"], row["responses"]) == (True, 1)
    assert "HYPERLINK" not in exported and "alert(1)" not in exported and RLO not in exported


# --- submitted without consulting staff ---------------------------------------------------------


@pytest.fixture
def unconsulted(client: TestClient, session: Session, settings: Settings, cast: Cast) -> int:
    """A draft rated very high on a rubric whose very-high band asks for staff to be
    consulted, submitted through its summary page with TYPED's reason why not; its id."""
    rubric = default_rubric()
    bands = [
        band.model_copy(update={"consultation_required": band.id == "very-high"})
        for band in rubric.rating_bands
    ]
    newer = rubric.model_copy(update={"version": rubric.version + 1, "rating_bands": bands})
    publishing.publish_rubric(session=session, actor=AUTHOR, rubric=newer)
    version_id = draft_for(session, cast)
    shown = complete_draft(session, cast.author, version_id, flagged=list(QUESTIONS))
    assert shown.results.rating is not None and shown.results.rating.consultation_required
    session.commit()
    sign_in_as(client, session, settings, cast.author)
    base = f"/assessments/{version_id}"
    reason = {"unconsulted_reason": TYPED["unconsulted_reason"]}
    ok(submit(client, open_page(client, f"{base}/summary"), f"{base}/submit", reason))
    return version_id


def test_the_reason_for_not_consulting_is_text_on_the_review_and_in_the_report_and_its_pdf(
    client: TestClient, session: Session, settings: Settings, cast: Cast, unconsulted: int
) -> None:
    sign_in_as(client, session, settings, cast.approver)
    base = f"/assessments/{unconsulted}"

    for page_address in (f"{base}/review", f"{base}/report"):
        response = client.get(page_address)
        assert response.status_code == 200, page_address
        shown_as_text(response.text, "unconsulted_reason")
        said = open_page(client, page_address).by_id("unconsulted-reason")
        assert TYPED["unconsulted_reason"] in said.raw_text
    pdf = client.get(f"{base}/report.pdf")
    typed = TYPED["unconsulted_reason"].partition(RLO)[0]
    assert squeezed(typed) in squeezed(pdf_text(pdf.content))

    [details] = neutralised_details(client, session, settings, cast, {"submitted"})
    assert details["unconsulted_reason"] == TYPED["unconsulted_reason"]
