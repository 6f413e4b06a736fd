"""Every route of the app by every kind of person: what each may see and do.

The routes come from `app.routes`, so a route added without a row in authorization_matrix.py
(beside this file) fails the test; each row gives the status each kind of person should get.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.routing import Mount

from app.settings import Settings
from tests.app.every_route.authorization_matrix import CASES, MATRIX, SIGN_IN, Call, fill
from tests.app.every_route.world import World
from tests.app.pages import csrf_cookie
from tests.factories.sign_in import sign_in_as


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route, with included routers' routes at their full paths."""
    routes: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        assert route.path is not None, route
        methods = {"GET"} if isinstance(route.original_route, Mount) else route.methods or set()
        routes.update((method, route.path) for method in methods - {"HEAD"})
    return routes


def test_every_route_of_the_app_is_in_the_matrix(app: FastAPI) -> None:
    routes = app_routes(app)
    assert len(routes) > 40  # the enumeration reaches into the included routers
    assert routes == set(MATRIX)


def call(client: TestClient, method: str, route: Call, world: World, role: str) -> Any:
    url = fill(route.url, world)
    headers: dict[str, str] = {}
    if url.startswith("/api/") and role != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    if route.json is not None:
        body = {k: fill(v, world) if isinstance(v, str) else v for k, v in route.json.items()}
        return client.request(method, url, json=body, headers=headers)
    if method == "GET" or url.startswith("/api/"):
        return client.request(method, url, headers=headers)
    form = {k: fill(v, world) for k, v in route.form.items()}
    return client.request(method, url, data={**form, "csrf_token": csrf_cookie(client)})


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{m} {p} as {r}" for (m, p), r in CASES])
def test_who_may_do_what(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    route: tuple[str, str],
    role: str,
) -> None:
    client = anonymous_client
    if role != "anonymous":
        sign_in_as(client, session, settings, world.actors[role])
    client.get("/healthz")  # a first request, which hands this browser its CSRF cookie

    response = call(client, route[0], MATRIX[route], world, role)

    expected = MATRIX[route].expected[role]
    location = response.headers.get("location", "")
    if expected == SIGN_IN:
        api = route[1].startswith("/api/")
        assert (response.status_code, location.startswith("/sign-in")) == (
            (401, False) if api else (303, True)
        ), response.text[:300]
    else:
        assert response.status_code == expected, response.text[:300]
        assert not location.startswith("/sign-in") or route[1] == "/sign-out"


HIDDEN_PAGES = [
    route
    for route, call in MATRIX.items()
    if route[0] == "GET"
    and not route[1].startswith("/api/")
    and call.expected["author at another school"] == 404
]


@pytest.mark.parametrize("route", HIDDEN_PAGES, ids=[path for _, path in HIDDEN_PAGES])
def test_an_htmx_fragment_asked_for_on_its_own_reveals_no_more_than_its_page(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    route: tuple[str, str],
) -> None:
    for role in ("author at another school", "another trust"):
        sign_in_as(anonymous_client, session, settings, world.actors[role])
        response = anonymous_client.get(
            fill(MATRIX[route].url, world), headers={"HX-Request": "true"}
        )
        assert response.status_code == 404, (role, response.text[:300])
        assert world.policy.title not in response.text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/policies/99999999999999999999", 404),
        ("/assessments/99999999999999999999/summary", 404),
        ("/admin/users/99999999999999999999", 404),
        ("/admin/users/0", 404),
        ("/policies/2147483648", 404),
        ("/api/v1/policies/99999999999999999999", 404),
        ("/api/v1/policies/2147483648", 404),
        ("/api/v1/assessment-versions/-1", 404),
        ("/register?school=99999999999999999999", 422),
        ("/api/v1/register?school=2147483648", 422),
    ],
)
def test_an_id_out_of_range_is_not_found_rather_than_an_error(
    client: TestClient, url: str, status: int
) -> None:
    assert client.get(url).status_code == status
