"""Bad dates and text on every kind of route: pages, htmx fragments, the JSON API with a token,
the sign-in form signed out. Each is a 422 naming the field (404 in a path), never a 500 (on
SQLite and PostgreSQL), and nothing is saved; an export refuses before its first byte."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.app.pages import csrf_cookie, error_for, page
from tests.factories.api import API
from tests.factories.inputs import (
    BAD_DAYS,
    NUL,
    QUESTION,
    Send,
    World,
    action_body,
    json_names,
    names,
    nothing_saved,
    policy_form,
    put_raw,
    world,
)

__all__ = ["world"]  # the fixture

# Dates: the register's filter and its exports, and an action's due date. -----------------------

DAY_ROUTES: dict[str, tuple[Send, str]] = {
    "register from": (lambda w, x: w.page("/register", {"from": x}), "from"),
    "register to": (lambda w, x: w.page("/register", {"to": x}), "to"),
    "register fragment": (lambda w, x: w.page("/register", {"to": x}, htmx=True), "to"),
    "register CSV link": (lambda w, x: w.page("/register.csv", {"to": x}), "to"),
    "action form": (
        lambda w, x: w.post(f"/assessments/{w.version_id}/actions", action_body(due_date=x)),
        "due_date",
    ),
}
API_DAY_ROUTES: dict[str, tuple[Send, str, str]] = {
    "API register": (lambda w, x: w.api("GET", f"{API}/register", params={"to": x}), "query", "to"),
    "API register CSV": (
        lambda w, x: w.api("GET", f"{API}/register", params={"from": x, "format": "csv"}),
        "query",
        "from",
    ),
    "API action": (
        lambda w, x: w.api(
            "POST",
            f"{API}/assessment-versions/{w.version_id}/actions",
            json=action_body(due_date=x),
        ),
        "body",
        "due_date",
    ),
}


def _iso(day: str) -> str:
    """The API takes ISO dates only: the same bad days, written so."""
    parts = day.split("/")
    return "-".join(reversed([p.zfill(2) for p in parts])) if len(parts) == 3 else day


@pytest.mark.parametrize("bad", BAD_DAYS)
@pytest.mark.parametrize("route", DAY_ROUTES)
def test_a_page_refuses_a_date_out_of_range_naming_the_field(
    world: World, session: Session, route: str, bad: str
) -> None:
    send, field = DAY_ROUTES[route]

    response = send(world, bad)

    assert response.status_code == 422, response.text[:500]
    assert names(response, field), response.text[:3000]
    assert "text/csv" not in response.headers["content-type"]
    assert world.api("GET", f"{API}/assessment-versions/{world.version_id}").status_code == 200


@pytest.mark.parametrize("bad", BAD_DAYS)
@pytest.mark.parametrize("route", API_DAY_ROUTES)
def test_the_api_refuses_a_date_out_of_range_before_anything_is_sent(
    world: World, route: str, bad: str
) -> None:
    send, where, field = API_DAY_ROUTES[route]

    response = send(world, _iso(bad) if where == "body" else bad)

    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == "application/json"
    assert json_names(response, where, field), response.text[:500]


def test_the_last_day_of_the_years_allowed_still_filters(world: World) -> None:
    response = world.api(
        "GET", f"{API}/register", params={"from": "1900-01-01", "to": "2999-12-31"}
    )
    assert response.status_code == 200
    assert response.json()["rows"] == []  # nothing is decided yet: the filter ran to the end


# Text: a NUL (which PostgreSQL cannot store or compare), and lone surrogates in JSON. ----------

TEXT_ROUTES: dict[str, tuple[Send, str]] = {
    "register search": (lambda w, x: w.page("/register", {"q": x}), "q"),
    "register rating": (lambda w, x: w.page("/register", {"rating": x}), "rating"),
    "register fragment": (lambda w, x: w.page("/register", {"q": x}, htmx=True), "q"),
    "register CSV link": (lambda w, x: w.page("/register.csv", {"q": x}), "q"),
    "page query": (
        lambda w, x: w.page(f"/assessments/{w.version_id}/actions/new", {"question": x}),
        "question",
    ),
    "policy form": (lambda w, x: w.post("/policies", policy_form(title=x)), "title"),
    "school form": (lambda w, x: w.post("/admin/schools", {"name": x}), "name"),
    "person form": (
        lambda w, x: w.post("/admin/users", {"name": "Pat", "email": x, "password": "x" * 12}),
        "email",
    ),
    "token form": (lambda w, x: w.post("/account/tokens", {"name": x}), "name"),
    "htmx autosave": (
        lambda w, x: w.post(
            f"/assessments/{w.version_id}/answers/{QUESTION}",
            {f"revision-{QUESTION}": "", f"answer-{QUESTION}": "yes", f"comment-{QUESTION}": x},
            htmx=True,
        ),
        f"comment-{QUESTION}",
    ),
    "action form": (
        lambda w, x: w.post(f"/assessments/{w.version_id}/actions", action_body(owner=x)),
        "owner",
    ),
}
API_TEXT_ROUTES: dict[str, tuple[Send, str, str]] = {
    "API register": (lambda w, x: w.api("GET", f"{API}/register", params={"q": x}), "query", "q"),
    "API policy": (
        lambda w, x: w.api("POST", f"{API}/policies", json=policy_form(title=x)),
        "body",
        "title",
    ),
    "API answer": (
        lambda w, x: w.api(
            "PUT",
            f"{API}/assessment-versions/{w.version_id}/answers/{QUESTION}",
            json={"value": "yes", "comment": x},
        ),
        "body",
        "comment",
    ),
    "API action": (
        lambda w, x: w.api(
            "POST", f"{API}/assessment-versions/{w.version_id}/actions", json=action_body(owner=x)
        ),
        "body",
        "owner",
    ),
}


@pytest.mark.parametrize("route", TEXT_ROUTES)
def test_a_page_refuses_a_nul_naming_the_field(world: World, session: Session, route: str) -> None:
    send, field = TEXT_ROUTES[route]

    response = send(world, NUL)

    assert response.status_code == 422, response.text[:500]
    assert names(response, field), response.text[:3000]
    nothing_saved(world, session)


@pytest.mark.parametrize("route", API_TEXT_ROUTES)
def test_the_api_refuses_a_nul_naming_the_field(world: World, session: Session, route: str) -> None:
    send, where, field = API_TEXT_ROUTES[route]

    response = send(world, NUL)

    assert response.status_code == 422, response.text[:500]
    assert json_names(response, where, field), response.text[:500]
    nothing_saved(world, session)


@pytest.mark.parametrize("where", ["field", "an unknown field's name", "an enum"])
def test_a_lone_surrogate_in_json_is_a_422_that_can_be_read(
    world: World, session: Session, where: str
) -> None:
    body = {
        "field": r'{"value": "yes", "comment": "a\ud800b"}',
        "an unknown field's name": r'{"value": "yes", "\udc80": 1}',
        "an enum": r'{"value": "\ud800", "comment": "\udfff"}',
    }[where]

    response = put_raw(world, body)

    assert response.status_code == 422, response.text[:500]
    assert response.json()["detail"][0]["loc"][0] == "body"
    nothing_saved(world, session)


def test_bytes_that_are_not_utf8_in_json_are_refused(world: World, session: Session) -> None:
    response = put_raw(world, b'{"value": "\xff\xfe"}')
    assert response.status_code in {400, 422}, response.text[:500]
    assert response.json()["detail"]
    nothing_saved(world, session)


@pytest.mark.parametrize("path", [f"{API}/rubrics/a%00b/1", "/assessments/{v}/sections/a%00b"])
def test_a_nul_in_a_path_is_no_such_page(world: World, path: str) -> None:
    response = world.api("GET", path.format(v=world.version_id))
    assert response.status_code == 404, response.text[:500]


@pytest.mark.parametrize("field", ["email", "password"])
def test_the_sign_in_form_refuses_a_nul_next_to_the_field(
    anonymous_client: TestClient, field: str
) -> None:
    data = {"email": "someone@school.example", "password": "a long password", field: NUL}
    data["csrf_token"] = csrf_cookie(anonymous_client)

    response = anonymous_client.post("/sign-in", data=data)

    assert response.status_code == 422, response.text[:500]
    assert "Remove the NUL character" in error_for(page(response), field)
    assert anonymous_client.get("/").status_code == 303  # still signed out


# Sorting and the export's format: one of a list, else a 422 naming it. -------------------------


@pytest.mark.parametrize(("field", "bad"), [("sort", "password"), ("order", "sideways")])
def test_the_register_refuses_an_unknown_order_naming_the_field(
    world: World, field: str, bad: str
) -> None:
    assert names(world.page("/register", {field: bad}), field)
    response = world.api("GET", f"{API}/register", params={field: bad})
    assert response.status_code == 422 and json_names(response, "query", field)


def test_the_api_export_refuses_an_unknown_format(world: World) -> None:
    response = world.api("GET", f"{API}/register", params={"format": "xml"})
    assert response.status_code == 422 and json_names(response, "query", "format")
