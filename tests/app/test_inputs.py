"""Bad ids and whole numbers on every kind of route: pages, htmx fragments, the JSON API with a
token. Each is a 404 (an id in a path) or a 422 naming the field, never a 500 (on SQLite and
PostgreSQL), and nothing is saved."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.factories.api import API
from tests.factories.inputs import (
    BAD_IDS,
    BAD_NUMBERS,
    GROUP,
    QUESTION,
    SECTION,
    Send,
    World,
    json_names,
    names,
    nothing_saved,
    policy_form,
    put_raw,
    world,
)
from tests.factories.trusts import RUBRIC

__all__ = ["world"]  # the fixture

# Ids in a path: no such record (404), on pages, fragments and the API alike. -------------------

ID_ROUTES: dict[str, Send] = {
    "page": lambda w, x: w.page(f"/policies/{x}"),
    "page of a version": lambda w, x: w.page(f"/assessments/{x}/summary"),
    "admin page": lambda w, x: w.page(f"/admin/users/{x}"),
    "htmx fragment": lambda w, x: w.page(f"/assessments/{x}/sections/{SECTION}", htmx=True),
    "page form": lambda w, x: w.post(f"/assessments/{x}/submit", {"revision": "1"}),
    "htmx form": lambda w, x: w.post(
        f"/assessments/{w.version_id}/actions/{x}/remove", {}, htmx=True
    ),
    "page file": lambda w, x: w.page(f"/assessments/{x}/actions.csv"),
    "API read": lambda w, x: w.api("GET", f"{API}/assessment-versions/{x}"),
    "API rubric version": lambda w, x: w.api("GET", f"{API}/rubrics/{RUBRIC.id}/{x}"),
    "API write": lambda w, x: w.api(
        "PUT", f"{API}/assessment-versions/{w.version_id}/actions/{x}", json={}
    ),
    "API delete": lambda w, x: w.api("DELETE", f"{API}/assessment-versions/{x}/workload/{GROUP}"),
}


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda v: v[:12])
@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_that_is_not_one_is_no_such_record(world: World, route: str, bad: str) -> None:
    response = ID_ROUTES[route](world, bad)

    assert response.status_code == 404, response.text[:500]
    if route.startswith("API"):
        assert response.json()["detail"] == "There is no such record"


# Whole numbers in query strings, forms and JSON bodies: 422 naming the field. -------------------


def _register_page(field: str, htmx: bool = False) -> Send:
    return lambda w, x: w.page("/register", {field: x}, htmx=htmx)


NUMBER_ROUTES: dict[str, tuple[Send, str]] = {
    "register filter": (_register_page("school"), "school"),
    "register page number": (_register_page("page"), "page"),
    "register fragment": (_register_page("school", htmx=True), "school"),
    "register CSV link": (lambda w, x: w.page("/register.csv", {"school": x}), "school"),
    "form revision": (
        lambda w, x: w.post(f"/assessments/{w.version_id}/submit", {"revision": x}),
        "revision",
    ),
    "htmx autosave revision": (
        lambda w, x: w.post(
            f"/assessments/{w.version_id}/answers/{QUESTION}",
            {f"revision-{QUESTION}": x, f"answer-{QUESTION}": "yes"},
            htmx=True,
        ),
        f"answer-{QUESTION}",
    ),
    "workload revision": (
        lambda w, x: w.post(
            f"/assessments/{w.version_id}/workload",
            {f"revision-{GROUP}": x, f"hours-{GROUP}": "1", f"staff-{GROUP}": "2"},
        ),
        f"hours-{GROUP}",
    ),
    "workload staff count": (
        lambda w, x: w.post(
            f"/assessments/{w.version_id}/workload", {f"hours-{GROUP}": "1", f"staff-{GROUP}": x}
        ),
        f"staff-{GROUP}",
    ),
    "policy form school": (lambda w, x: w.post("/policies", policy_form(school_id=x)), "school_id"),
    "policy form months": (
        lambda w, x: w.post("/policies", policy_form(review_cycle_months=x)),
        "review_cycle_months",
    ),
}
API_NUMBER_ROUTES: dict[str, tuple[Send, str, str]] = {
    "API register filter": (
        lambda w, x: w.api("GET", f"{API}/register", params={"school": x}),
        "query",
        "school",
    ),
    "API register CSV": (
        lambda w, x: w.api("GET", f"{API}/register", params={"school": x, "format": "csv"}),
        "query",
        "school",
    ),
    "API expected_revision query": (
        lambda w, x: w.api(
            "DELETE",
            f"{API}/assessment-versions/{w.version_id}/workload/{GROUP}",
            params={"expected_revision": x},
        ),
        "query",
        "expected_revision",
    ),
    "API expected_revision body": (
        lambda w, x: w.api(
            "PUT",
            f"{API}/assessment-versions/{w.version_id}/answers/{QUESTION}",
            json={"value": "yes", "expected_revision": x},
        ),
        "body",
        "expected_revision",
    ),
    "API staff count": (
        lambda w, x: w.api(
            "PUT",
            f"{API}/assessment-versions/{w.version_id}/workload/{GROUP}",
            json={"hours_per_term": "1", "staff_count": x},
        ),
        "body",
        "staff_count",
    ),
    "API policy school": (
        lambda w, x: w.api("POST", f"{API}/policies", json=policy_form(school_id=x)),
        "body",
        "school_id",
    ),
    "API decision revision": (
        lambda w, x: w.api(
            "POST",
            f"{API}/assessment-versions/{w.version_id}/submit",
            json={"expected_revision": x},
        ),
        "body",
        "expected_revision",
    ),
}


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=lambda v: v[:12])
@pytest.mark.parametrize("route", NUMBER_ROUTES)
def test_a_page_refuses_a_number_that_is_not_one_naming_the_field(
    world: World, session: Session, route: str, bad: str
) -> None:
    send, field = NUMBER_ROUTES[route]

    response = send(world, bad)

    assert response.status_code == 422, response.text[:500]
    assert names(response, field), response.text[:3000]
    nothing_saved(world, session)


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=lambda v: v[:12])
@pytest.mark.parametrize("route", API_NUMBER_ROUTES)
def test_the_api_refuses_a_number_that_is_not_one_naming_the_field(
    world: World, session: Session, route: str, bad: str
) -> None:
    send, where, field = API_NUMBER_ROUTES[route]

    response = send(world, bad)

    assert response.status_code == 422, response.text[:500]
    assert json_names(response, where, field), response.text[:500]
    nothing_saved(world, session)


@pytest.mark.parametrize("number", [str(2**63), "2147483648", "-1", "1.5", "1e30"])
def test_a_json_number_out_of_range_is_refused_naming_the_field(
    world: World, session: Session, number: str
) -> None:
    response = put_raw(world, f'{{"value": "yes", "expected_revision": {number}}}')

    assert response.status_code == 422, response.text[:500]
    assert json_names(response, "body", "expected_revision")
    nothing_saved(world, session)


def test_a_json_number_too_long_to_read_is_a_bad_request(world: World, session: Session) -> None:
    # Python's JSON reader refuses it (over 4,300 digits) before any field is known.
    response = put_raw(world, '{"value": "yes", "expected_revision": %s}' % ("9" * 5000))

    assert response.status_code == 400, response.text[:500]
    assert response.json()["detail"] == "There was an error parsing the body"
    nothing_saved(world, session)
