"""Where an action's progress shows once it is recorded: the assessment's summary (linking each
action to its page), the register and its CSV (the rating after the actions done) and the home
page (an overdue action no longer listed once it is done)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.app.carried_action import ACTION, Carried, carried
from tests.app.pages import Element
from tests.factories.decisions import actions_shown, open_page

__all__ = ["carried"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")


def test_the_summary_links_each_action_to_its_page_and_shows_where_it_stands_now(
    client: TestClient, session: Session, carried: Carried
) -> None:
    summary = f"/assessments/{carried.version_id}/summary"
    doc = open_page(client, summary)
    table = next(t for t in doc.find_all("table") if "Owner" in [h.text for h in t.find_all("th")])
    assert [h.text for h in table.find_all("th")][4] == "Status now"
    assert table.find("a").attrs["href"] == carried.page
    ((description, _, owner, _, status, _),) = actions_shown(doc)
    assert (description, owner, status) == (ACTION, "Olu Owner", "Planned")

    carried.done(session)

    ((_, _, _, _, status, _),) = actions_shown(open_page(client, summary))
    assert status.startswith("Done") and status.endswith(f"{carried.today:%-d %b %Y}")


def register_row(client: TestClient) -> dict[str, str]:
    doc = open_page(client, "/register?q=CA-001")
    table = doc.by_id("results").find("table")
    headers = [th.text for th in table.find("thead").find_all("th")]
    (row,) = table.find("tbody").find_all("tr")
    cells = [cell.text for cell in row.find_all() if cell.tag in {"th", "td"}]
    return dict(zip(headers, cells, strict=True))


def register_csv(client: TestClient) -> dict[str, str]:
    response = client.get("/register.csv?q=CA-001")
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    assert list(row)[-5:-3] == ["rating_after_actions_done", "assessment_kind"]
    return row


def test_the_register_and_its_csv_show_the_rating_after_the_actions_done_once_it_is_done(
    client: TestClient, session: Session, carried: Carried
) -> None:
    before = register_row(client)
    assert (before["After planned actions"], before["After actions done"]) == (
        "Low impact",
        "Medium impact",  # nothing done yet: as answered
    )
    assert before["Open actions"] == "1"
    exported = register_csv(client)
    assert (exported["rating"], exported["rating_after_actions_done"]) == ("medium", "medium")

    carried.done(session)

    after = register_row(client)
    assert (after["After actions done"], after["Open actions"]) == ("Low impact", "0")
    exported = register_csv(client)
    assert (exported["rating"], exported["rating_after_actions_done"]) == ("medium", "low")
    assert exported["open_actions"] == "0"


def overdue_actions(doc: Element) -> list[str]:
    tables = [
        t for t in doc.find_all("table") if t.attrs.get("aria-labelledby") == "overdue-actions"
    ]
    if not tables:
        return []
    return [row.find_all("td")[0].text for row in tables[0].find("tbody").find_all("tr")]


def test_the_home_page_stops_listing_an_action_as_overdue_once_it_is_done(
    client: TestClient, session: Session, carried: Carried
) -> None:
    doc = open_page(client, "/")
    assert overdue_actions(doc) == [ACTION]
    assert doc.find("a", href=carried.page).text == ACTION

    carried.done(session)

    assert overdue_actions(open_page(client, "/")) == []
