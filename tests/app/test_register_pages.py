"""The register page: every version in the person's scope, filtered, sorted and in pages, and
the htmx fragment of its results."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.inputs import DAY_PARTS
from app.settings import Settings
from assessments.workflow import transitions as workflow
from tests.app.pages import Element, error_for, fragment_roots, is_fragment, page
from tests.factories.decisions import (
    Register,
    make_register,
    open_page,
    other_trusts_draft,
    table_rows,
)
from tests.factories.sign_in import sign_in_as
from tests.factories.versions import make_draft


@pytest.fixture
def register(session: Session, rubric_published: None, monkeypatch: pytest.MonkeyPatch) -> Register:
    return make_register(session, monkeypatch)


def listed(doc: Element) -> list[list[str]]:
    """The register's rows, as shown (none when it says that no version matches)."""
    rows = table_rows(doc.by_id("results").find("table"))
    return [] if rows == [["No version matches."]] else rows


def total(doc: Element) -> str:
    """The line above the results: how many versions match."""
    return doc.by_id("results").find_all("p")[0].text.split(".")[0]


def references(doc: Element) -> list[str]:
    return [row[0].split(":")[0] for row in listed(doc)]


def test_the_register_lists_every_version_with_its_status_rating_hours_and_open_actions(
    client: TestClient, session: Session, register: Register
) -> None:
    other_trusts_draft(session, "XT-001")

    doc = open_page(client, "/register")

    today = datetime.now(UTC).date()
    due = workflow.add_months(today, 12)
    assert total(doc) == "4 versions"
    assert listed(doc) == [
        [
            "RG-001: Attendance policy (v1)Prepared by Alex Author; approved by Ama Approver",
            "Trust-wide",
            "Approved",
            "Low impact (3.7)",
            "15 Jan 2020",
            "15 Jan 2021 Overdue",
            "Low impact",
            "Low impact",
            "54.0",
            "1",
            "No",
        ],
        [
            "RG-002: Behaviour policy (v1)Prepared by Alex Author; approved by Ama Approver",
            "North School",
            "Approved",
            "Low impact (3.7)",
            f"{today:%-d %b %Y}",
            f"{due:%-d %b %Y}",
            "Low impact",
            "Low impact",
            "54.0",
            "1",
            "No",
        ],
        [
            "RG-003: Curriculum policy (v1)Prepared by Sol South",
            "South School",
            "Submitted",
            "Low impact (3.7)",
            "–",
            "–",
            "Low impact",
            "Low impact",
            "54.0",
            "1",
            "No",
        ],
        [
            "RG-004: Data policy (v1)Prepared by Alex Author",
            "North School",
            "Draft",
            "High impact (68.8)",
            "–",
            "–",
            "High impact",
            "High impact",
            "0.0",
            "0",
            "No",
        ],
    ]
    overdue = doc.by_id("results").find_all("tr", cls="app-register__row--overdue")
    assert [row.find("a").text for row in overdue] == ["RG-001: Attendance policy"]
    links = [a.attrs["href"] for a in doc.by_id("results").find("tbody").find_all("a")]
    versions = (register.old, register.approved, register.submitted, register.draft)
    assert links == [f"/assessments/{version.id}/summary" for version in versions]


FILTERS = [
    ("school={north}", ["RG-002", "RG-004"]),
    ("school={south}", ["RG-003"]),
    ("status=submitted", ["RG-003"]),
    ("status=approved&school={north}", ["RG-002"]),
    ("rating=high", ["RG-004"]),
    ("rating=very-high", []),
    ("overdue=yes", ["RG-001"]),
    ("q=behaviour", ["RG-002"]),
    ("q=RG-00", ["RG-001", "RG-002", "RG-003", "RG-004"]),
    ("q=sol+south", ["RG-003"]),
    ("q=%25", []),  # a literal %, not a wildcard
    ("q=_", []),
    ("from=2020-01-15&to=2020-01-15", ["RG-001"]),
    ("from=2020-01-16", ["RG-002"]),
    ("from=15/1/2020&to=15/01/2020", ["RG-001"]),  # typed the British way, no date picker
    ("to=2020-01-14", []),
]


def test_each_filter_narrows_the_register(
    client: TestClient, register: Register, subtests: pytest.Subtests
) -> None:
    for query, expected in FILTERS:
        with subtests.test(query):
            query = query.format(north=register.north.id, south=register.south.id)

            doc = open_page(client, f"/register?{query}")

            assert references(doc) == expected
            assert total(doc) == f"{len(expected)} version{'' if len(expected) == 1 else 's'}"


DATE_MESSAGE = "Enter a real date from 1900 to 2999, like 31/03/2027"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=approved&from=2020-02-30", "from", DATE_MESSAGE),
        ("status=approved&from=30/02/2020", "from", DATE_MESSAGE),
        ("status=approved&to=yesterday", "to", DATE_MESSAGE),
        ("status=bogus&school={north}", "status", "Choose a status from the list"),
    ],
)
def test_an_invalid_filter_is_shown_next_to_its_field_and_the_rest_still_applies(
    client: TestClient, register: Register, query: str, field: str, message: str
) -> None:
    response = client.get(f"/register?{query.format(north=register.north.id)}")

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, field) == message
    if field == "status":
        assert references(doc) == ["RG-002", "RG-004"]
    else:
        assert references(doc) == ["RG-001", "RG-002"]
        sent = dict(pair.split("=") for pair in query.split("&"))
        if field in ("from", "to"):  # a date is shown in its day, month and year fields
            parts = [doc.by_id(f"{field}-{p}").attrs.get("value", "") for p in DAY_PARTS]
            assert parts == (["30", "2", "2020"] if "2020" in sent[field] else ["", "", ""])
        else:
            assert doc.by_id(field).attrs["value"] == sent[field]


def test_the_register_sorts_by_a_column_and_descending(
    client: TestClient, register: Register
) -> None:
    doc = open_page(client, "/register")
    links = {a.text: a.attrs["href"] for a in doc.by_id("results").find("thead").find_all("a")}

    by_score = open_page(client, links["Rating"])
    header = next(th for th in by_score.find_all("th") if th.text == "Rating")
    again = open_page(client, header.find("a").attrs["href"])

    assert references(by_score) == ["RG-001", "RG-002", "RG-003", "RG-004"]
    assert header.attrs["aria-sort"] == "ascending"
    assert references(again) == ["RG-004", "RG-001", "RG-002", "RG-003"]  # ties by reference
    assert references(open_page(client, "/register?sort=reference&order=desc")) == [
        "RG-004",
        "RG-003",
        "RG-002",
        "RG-001",
    ]


def test_the_register_comes_in_pages_of_50(
    client: TestClient, session: Session, rubric_published: None
) -> None:
    for number in range(51):
        make_draft(session, reference=f"PG-{number:03d}")

    first = open_page(client, "/register?q=PG-")
    pages = first.find("nav", cls="govuk-pagination")
    next_page = pages.find("a", rel="next").attrs["href"]
    second = open_page(client, next_page)

    assert total(first) == "51 versions"
    assert references(first) == [f"PG-{n:03d}" for n in range(50)]
    assert "Page 1 of 2" in pages.text and not pages.find_all("a", rel="prev")
    assert "q=PG-" in next_page and references(second) == ["PG-050"]  # the filter kept
    assert "Page 2 of 2" in second.find("nav", cls="govuk-pagination").text
    assert references(open_page(client, "/register?page=99")) == ["PG-050"]  # the last there is
    open_page(client, "/register?page=0", 422)  # not a page: said so, not page 1 instead


def test_an_htmx_request_gets_only_the_results(client: TestClient, register: Register) -> None:
    response = client.get("/register?status=submitted", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    doc = page(response)
    assert is_fragment(doc)
    assert [element.id for element in fragment_roots(doc)] == ["results"]
    assert references(doc) == ["RG-003"]
    assert not doc.find_all("form")


def test_an_author_of_one_school_sees_only_it_and_trust_wide_policies(
    client: TestClient, session: Session, settings: Settings, register: Register
) -> None:
    other_trusts_draft(session, "XT-001")
    sign_in_as(client, session, settings, register.north_author)

    everything = open_page(client, "/register")
    south = open_page(client, f"/register?school={register.south.id}")
    searched = open_page(client, "/register?q=curriculum")

    assert references(everything) == ["RG-001", "RG-002", "RG-004"]
    assert references(south) == references(searched) == []
    schools = [option.text for option in everything.by_id("school").find_all("option")]
    assert "South School" not in schools


def test_the_decision_dates_are_typed_as_day_month_and_year(
    client: TestClient, register: Register
) -> None:
    query = "from-day=1&from-month=1&from-year=2020&to-day=31&to-month=1&to-year=2020"

    doc = open_page(client, f"/register?{query}")

    assert references(doc) == ["RG-001"]  # decided 15 January 2020
    assert [doc.by_id(f"to-{p}").attrs["value"] for p in DAY_PARTS] == ["31", "1", "2020"]
    exported = client.get(f"/register.csv?{query}").text.removeprefix("\ufeff").splitlines()
    assert len(exported) == 2 and ",RG-001," in exported[1]
