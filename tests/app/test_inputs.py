"""Bad input of every kind (ids, whole numbers, dates, text) on every kind of route: pages,
htmx fragments, the JSON API with a token, the sign-in form signed out. Each is a clear 404 or
a 422 naming the field, never a 500 (run on SQLite and on PostgreSQL), and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments import repository
from assessments.models import AssessmentVersion
from tests.app.api_helpers import API, RUBRIC
from tests.app.pages import csrf_cookie, error_for, page
from tests.factories import AUTHOR, LOCAL_TRUST_ID, make_api_token

QUESTION = next(iter(RUBRIC.questions())).id
GROUP = RUBRIC.staff_groups[0].id
SECTION = RUBRIC.sections[0].id

# Not ids: past the 32-bit id columns, past 64 bits, past int()'s 4,300 digits, digits that
# str.isdigit() takes but int() refuses (²) or takes (full-width), and other things int() reads.
BAD_IDS = [
    "2147483648", "9223372036854775808", "9" * 5000, "²", "\uff11", "0", "-1", "+1", "1e3",
    "1.0", "0x10", "1_0", "abc",
]  # fmt: skip
BAD_NUMBERS = [
    "2147483648", "9223372036854775808", "9" * 5000, "²", "\uff11\uff12", "-1", "+1", "1e3", "1.5",
    "0x10", "1_0", "abc",
]  # fmt: skip
# Past what date + 1 day can reach, before what the columns hold, and not dates at all.
BAD_DAYS = ["31/12/9999", "9999-12-31", "0001-01-01", "1/1/1899", "31/02/2027", "3\uff11/03/2027"]
NUL = "a\x00b"


@dataclass(frozen=True)
class World:
    client: TestClient
    version_id: int
    token: str

    def csrf(self) -> str:
        return csrf_cookie(self.client)

    def api(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        """A JSON API call with an API token (which counts before any session cookie)."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def page(
        self, url: str, params: dict[str, str] | None = None, *, htmx: bool = False
    ) -> httpx2.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.get(url, params=params, headers=headers)

    def post(self, url: str, data: dict[str, str], *, htmx: bool = False) -> httpx2.Response:
        if htmx:
            headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf()}
            return self.client.post(url, data=data, headers=headers)
        return self.client.post(url, data={**data, "csrf_token": self.csrf()})


@pytest.fixture
def world(client: TestClient, session: Session, draft: AssessmentVersion) -> World:
    assert draft.id is not None
    return World(client, draft.id, make_api_token(session, AUTHOR))


Send = Callable[[World, str], httpx2.Response]


def names(response: httpx2.Response, field: str) -> bool:
    """The page names the field: a message next to it, the error summary's link to it, or the
    error page saying which field it is."""
    text = response.text
    return any(mark in text for mark in (f'id="{field}-error"', f'href="#{field}"', f"{field}: "))


def _json_names(response: httpx2.Response, where: str, field: str) -> bool:
    return [where, field] in [error["loc"] for error in response.json()["detail"]]


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
        lambda w, x: w.post(f"/assessments/{w.version_id}/submit", {"revision": x}), "revision"
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
    "policy form school": (
        lambda w, x: w.post("/policies", _policy_form(school_id=x)), "school_id"
    ),
    "policy form months": (
        lambda w, x: w.post("/policies", _policy_form(review_cycle_months=x)),
        "review_cycle_months",
    ),
}  # fmt: skip
API_NUMBER_ROUTES: dict[str, tuple[Send, str, str]] = {
    "API register filter": (
        lambda w, x: w.api("GET", f"{API}/register", params={"school": x}), "query", "school"
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
        lambda w, x: w.api("POST", f"{API}/policies", json=_policy_form(school_id=x)),
        "body",
        "school_id",
    ),
    "API decision revision": (
        lambda w, x: w.api(
            "POST", f"{API}/assessment-versions/{w.version_id}/submit",
            json={"expected_revision": x},
        ),
        "body",
        "expected_revision",
    ),
}  # fmt: skip


def _policy_form(**fields: str) -> dict[str, str]:
    return {
        "reference": "IN-001",
        "title": "Inputs policy",
        "category": "other",
        "owner": "Someone",
        "review_cycle_months": "12",
        **fields,
    }


def _nothing_saved(world: World, session: Session) -> None:
    session.expire_all()
    assert repository.policy_by_reference(session, LOCAL_TRUST_ID, "IN-001") is None
    shown = world.api("GET", f"{API}/assessment-versions/{world.version_id}").json()
    assert shown["answers"] == [] and shown["workload_estimates"] == []


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=lambda v: v[:12])
@pytest.mark.parametrize("route", NUMBER_ROUTES)
def test_a_page_refuses_a_number_that_is_not_one_naming_the_field(
    world: World, session: Session, route: str, bad: str
) -> None:
    send, field = NUMBER_ROUTES[route]

    response = send(world, bad)

    assert response.status_code == 422, response.text[:500]
    assert names(response, field), response.text[:3000]
    _nothing_saved(world, session)


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=lambda v: v[:12])
@pytest.mark.parametrize("route", API_NUMBER_ROUTES)
def test_the_api_refuses_a_number_that_is_not_one_naming_the_field(
    world: World, session: Session, route: str, bad: str
) -> None:
    send, where, field = API_NUMBER_ROUTES[route]

    response = send(world, bad)

    assert response.status_code == 422, response.text[:500]
    assert _json_names(response, where, field), response.text[:500]
    _nothing_saved(world, session)


def _put_raw(world: World, body: str | bytes) -> httpx2.Response:
    url = f"{API}/assessment-versions/{world.version_id}/answers/{QUESTION}"
    return world.api("PUT", url, content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("number", [str(2**63), "2147483648", "-1", "1.5", "1e30"])
def test_a_json_number_out_of_range_is_refused_naming_the_field(
    world: World, session: Session, number: str
) -> None:
    response = _put_raw(world, f'{{"value": "yes", "expected_revision": {number}}}')

    assert response.status_code == 422, response.text[:500]
    assert _json_names(response, "body", "expected_revision")
    _nothing_saved(world, session)


def test_a_json_number_too_long_to_read_is_a_bad_request(world: World, session: Session) -> None:
    # Python's JSON reader refuses it (over 4,300 digits) before any field is known.
    response = _put_raw(world, '{"value": "yes", "expected_revision": %s}' % ("9" * 5000))

    assert response.status_code == 400, response.text[:500]
    assert response.json()["detail"] == "There was an error parsing the body"
    _nothing_saved(world, session)


# Dates: the register's filter and its exports, and an action's due date. -----------------------

DAY_ROUTES: dict[str, tuple[Send, str]] = {
    "register from": (lambda w, x: w.page("/register", {"from": x}), "from"),
    "register to": (lambda w, x: w.page("/register", {"to": x}), "to"),
    "register fragment": (lambda w, x: w.page("/register", {"to": x}, htmx=True), "to"),
    "register CSV link": (lambda w, x: w.page("/register.csv", {"to": x}), "to"),
    "action form": (
        lambda w, x: w.post(f"/assessments/{w.version_id}/actions", _action(due_date=x)),
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
            "POST", f"{API}/assessment-versions/{w.version_id}/actions", json=_action(due_date=x)
        ),
        "body",
        "due_date",
    ),
}  # fmt: skip


def _action(**fields: Any) -> dict[str, Any]:
    return {
        "description": "Fewer marking deadlines",
        "question_ids": [QUESTION],
        "owner": "Deputy Head",
        "residual_impact": "1",
        **fields,
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
    assert _json_names(response, where, field), response.text[:500]


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
    "policy form": (lambda w, x: w.post("/policies", _policy_form(title=x)), "title"),
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
        lambda w, x: w.post(f"/assessments/{w.version_id}/actions", _action(owner=x)), "owner"
    ),
}  # fmt: skip
API_TEXT_ROUTES: dict[str, tuple[Send, str, str]] = {
    "API register": (lambda w, x: w.api("GET", f"{API}/register", params={"q": x}), "query", "q"),
    "API policy": (
        lambda w, x: w.api("POST", f"{API}/policies", json=_policy_form(title=x)), "body", "title"
    ),
    "API answer": (
        lambda w, x: w.api(
            "PUT", f"{API}/assessment-versions/{w.version_id}/answers/{QUESTION}",
            json={"value": "yes", "comment": x},
        ),
        "body",
        "comment",
    ),
    "API action": (
        lambda w, x: w.api(
            "POST", f"{API}/assessment-versions/{w.version_id}/actions", json=_action(owner=x)
        ),
        "body",
        "owner",
    ),
}  # fmt: skip


@pytest.mark.parametrize("route", TEXT_ROUTES)
def test_a_page_refuses_a_nul_naming_the_field(world: World, session: Session, route: str) -> None:
    send, field = TEXT_ROUTES[route]

    response = send(world, NUL)

    assert response.status_code == 422, response.text[:500]
    assert names(response, field), response.text[:3000]
    _nothing_saved(world, session)


@pytest.mark.parametrize("route", API_TEXT_ROUTES)
def test_the_api_refuses_a_nul_naming_the_field(world: World, session: Session, route: str) -> None:
    send, where, field = API_TEXT_ROUTES[route]

    response = send(world, NUL)

    assert response.status_code == 422, response.text[:500]
    assert _json_names(response, where, field), response.text[:500]
    _nothing_saved(world, session)


@pytest.mark.parametrize("where", ["field", "an unknown field's name", "an enum"])
def test_a_lone_surrogate_in_json_is_a_422_that_can_be_read(
    world: World, session: Session, where: str
) -> None:
    body = {
        "field": r'{"value": "yes", "comment": "a\ud800b"}',
        "an unknown field's name": r'{"value": "yes", "\udc80": 1}',
        "an enum": r'{"value": "\ud800", "comment": "\udfff"}',
    }[where]

    response = _put_raw(world, body)

    assert response.status_code == 422, response.text[:500]
    assert response.json()["detail"][0]["loc"][0] == "body"
    _nothing_saved(world, session)


def test_bytes_that_are_not_utf8_in_json_are_refused(world: World, session: Session) -> None:
    response = _put_raw(world, b'{"value": "\xff\xfe"}')
    assert response.status_code in {400, 422}, response.text[:500]
    assert response.json()["detail"]
    _nothing_saved(world, session)


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
    assert response.status_code == 422 and _json_names(response, "query", field)


def test_the_api_export_refuses_an_unknown_format(world: World) -> None:
    response = world.api("GET", f"{API}/register", params={"format": "xml"})
    assert response.status_code == 422 and _json_names(response, "query", "format")
