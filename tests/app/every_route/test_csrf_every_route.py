"""CSRF on every unsafe route of the app, taken from the authorization matrix (so a new route
is covered as soon as it is in the matrix): without this browser's token, or with a forged
one, a page form or a cookie-authenticated API call is refused with 403; with it, it works."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from tests.app.every_route.authorization_matrix import CSRF_EXEMPT, MATRIX, SIGN_IN, fill
from tests.app.every_route.world import World
from tests.app.pages import csrf_cookie
from tests.factories.sign_in import sign_in_as

UNSAFE = [
    route
    for route in MATRIX
    if route[0] in {"POST", "PUT", "PATCH", "DELETE"} and route not in CSRF_EXEMPT
]
MISSING, FORGED, GENUINE = "missing", "forged", "genuine"


def permitted_role(route: tuple[str, str]) -> str:
    """Someone the route works for (so a refusal can only be the token's doing)."""
    expected = MATRIX[route].expected
    return next(
        role
        for role in ("author", "admin")
        if expected[role] != SIGN_IN and int(expected[role]) < 500
    )


def send(client: TestClient, route: tuple[str, str], world: World, token: str) -> Any:
    """The route's request from a signed-in browser, with the CSRF token as `token` says."""
    method, path = route
    call = MATRIX[route]
    url = fill(call.url, world)
    value = {MISSING: None, FORGED: "forged-nonce.0123456789abcdef", GENUINE: csrf_cookie(client)}[
        token
    ]
    if path.startswith("/api/"):
        headers = {"X-CSRF-Token": value} if value else {}
        body = {
            k: fill(v, world) if isinstance(v, str) else v for k, v in (call.json or {}).items()
        }
        return client.request(
            method, url, json=body if call.json is not None else None, headers=headers
        )
    form = {k: fill(v, world) for k, v in call.form.items()}
    return client.request(method, url, data={**form, **({"csrf_token": value} if value else {})})


@pytest.mark.parametrize("token", [MISSING, FORGED, GENUINE])
@pytest.mark.parametrize("route", UNSAFE, ids=[f"{m} {p}" for m, p in UNSAFE])
def test_unsafe_requests_need_the_browsers_csrf_token(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    route: tuple[str, str],
    token: str,
) -> None:
    client = anonymous_client
    role = permitted_role(route)
    sign_in_as(client, session, settings, world.actors[role])
    client.get("/healthz")  # hands this browser its CSRF cookie

    response = send(client, route, world, token)

    if token == GENUINE:
        assert response.status_code == MATRIX[route].expected[role], response.text[:300]
    else:
        assert response.status_code == 403, response.text[:300]
        assert "did not come from this service" in response.text
