"""What the policy schedule's page tests share: files to upload, the requests a browser
sends with them, what the pages show, and the school and owner the files name."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.clock import today
from assessments.models import (
    Policy,
    ScheduleUpload,
    School,
)
from assessments.policies import queries as policy_queries
from assessments.policies.schedule_import import Change
from tests.app.pages import (
    Element,
    csrf_cookie,
    page,
    post_form,
)
from tests.factories.people import make_person
from tests.factories.trusts import LOCAL_TRUST_ID, make_school

HEADER = "reference,title,category,review_cycle_months,school,owner,next_review_date"
IMPORTED = (
    "The schedule is imported: its policies are below, and each one added or changed is in the "
    "audit trail."
)
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Files and requests -------------------------------------------------------------------------
def schedule_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def day(offset: int) -> date:
    """A date `offset` days from today (UTC, the schedule's today)."""
    return today() + timedelta(days=offset)


def shown_day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"  # british_date("short")


def upload(
    client: TestClient,
    content: bytes,
    filename: str = "schedule.csv",
    media: str = "text/csv",
) -> httpx2.Response:
    return client.post(
        "/schedule/import",
        data={"csrf_token": csrf_cookie(client)},
        files={"file": (filename, content, media)},
    )


def uploaded(client: TestClient, content: bytes, filename: str = "schedule.csv") -> str:
    """The preview's URL of a file the service kept."""
    media = XLSX_MEDIA if filename.endswith(".xlsx") else "text/csv"
    response = upload(client, content, filename, media)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/schedule/import/\d+", location), location
    return location


def preview(client: TestClient, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, response.text
    return page(response)


def do_import(client: TestClient, url: str) -> httpx2.Response:
    return post_form(client, url, {})


def counts(doc: Element) -> dict[str, int]:
    return {change.value: int(doc.by_id(f"count-{change.value}").text) for change in Change}


def cell_text(element: Element) -> str:
    """An element's text as a reader sees it, a line break a space."""
    parts = [
        child if isinstance(child, str) else " " if child.tag == "br" else cell_text(child)
        for child in element.children
    ]
    return " ".join("".join(parts).split())


def body_rows(table: Element) -> list[list[str]]:
    rows = table.find("tbody").find_all("tr")
    return [[cell_text(cell) for cell in row.find_all("td")] for row in rows]


def problems(doc: Element) -> list[tuple[str, str, str, str]]:
    """The preview's refused rows: (line, reference, column, problem)."""
    return [(a, b, c, d) for a, b, c, d in body_rows(doc.by_id("refused"))]


def changes(doc: Element) -> list[tuple[str, str, str, str]]:
    """The preview's other rows: (line, reference, title, change)."""
    return [(a, b, c, d) for a, b, c, d in body_rows(doc.by_id("changes"))]


def import_buttons(doc: Element) -> list[Element]:
    return [
        form
        for form in doc.find_all("form")
        if form.attrs.get("action", "").startswith("/schedule/import/")
    ]


def schedule_rows(doc: Element) -> list[list[str]]:
    return body_rows(doc.by_id("schedule"))


def schedule_page(client: TestClient, query: str = "", status: int = 200) -> Element:
    response = client.get(f"/schedule{query}")
    assert response.status_code == status, response.text
    return page(response)


def policies(session: Session) -> dict[str, Policy]:
    session.expire_all()
    return {
        policy.reference: policy
        for policy in policy_queries.policies_by_reference(session, LOCAL_TRUST_ID).values()
    }


def upload_count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(ScheduleUpload)).one()


def csv_of(response: httpx2.Response) -> list[list[str]]:
    assert response.headers["content-type"].startswith("text/csv"), response.headers
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def oak(session: Session) -> School:
    return make_school(session, "Oak Primary")


@pytest.fixture
def elm(session: Session) -> School:
    return make_school(session, "Elm Academy")


@pytest.fixture
def nia(session: Session, oak: School) -> Actor:
    """An author at Oak Primary, who owns policies (nia.owner@accounts.example)."""
    return make_person(session, "Nia Owner", Grant(Role.AUTHOR, oak.id))


def good_rows() -> list[str]:
    return [
        f"TL-001,Marking and feedback,Assessment and marking,12,oak primary,Nia Owner,"
        f"{day(-10).isoformat()}",
        f"TL-002,Staff code of conduct,people-and-hr,24,,nia.owner@accounts.example,"
        f"{day(30):%d/%m/%Y}",
        "TL-003,Home learning,Teaching and learning,36,,Deputy Head,",
        f"TL-004,Behaviour for learning,behaviour,12,Oak Primary,Head of Year 7,"
        f"{day(400).isoformat()}",
    ]
