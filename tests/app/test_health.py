"""Liveness, readiness, and what people and scripts see while the database is unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth import session_cookie_name
from app.cli_support import alembic_config
from app.health import migrations_head
from app.main import create_app
from app.settings import Settings
from assessments.kernel.db import create_db_engine
from tests.databases import upgrade

# Nothing listens on port 1: connecting is refused at once, like a stopped PostgreSQL.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"
FIRST_MIGRATION = ScriptDirectory.from_config(alembic_config()).get_bases()[0]


def test_healthz_answers_without_touching_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_says_ready_when_the_database_is_at_the_newest_migration(
    client: TestClient,
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": migrations_head()}


@contextmanager
def _client_on(settings: Settings, database_url: str) -> Iterator[TestClient]:
    application: FastAPI = create_app(settings.model_copy(update={"database_url": database_url}))
    with TestClient(application, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def unreachable_client(settings: Settings) -> Iterator[TestClient]:
    with _client_on(settings, UNREACHABLE) as client:
        yield client


def test_readyz_is_503_while_the_database_cannot_be_reached(
    unreachable_client: TestClient,
) -> None:
    response = unreachable_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert "cannot be read" in response.json()["problem"]
    assert unreachable_client.get("/healthz").status_code == 200  # the process itself is fine


def test_readyz_is_503_until_the_migrations_are_run(
    settings: Settings, tmp_database_url: str
) -> None:
    engine = create_db_engine(tmp_database_url)
    upgrade(engine, FIRST_MIGRATION)
    engine.dispose()
    with _client_on(settings, tmp_database_url) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["problem"] == (
        f"migrations are at {FIRST_MIGRATION}, not {migrations_head()}: run `wia db upgrade`"
    )


def test_a_page_says_the_service_is_unavailable_not_a_stack_trace(
    unreachable_client: TestClient, settings: Settings
) -> None:
    unreachable_client.cookies.set(session_cookie_name(settings), "a-session-token")

    response = unreachable_client.get("/policies/new")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Sorry, the service is unavailable" in response.text
    assert "Everything saved before is safe" in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text


def test_the_api_answers_503_with_a_useful_body(unreachable_client: TestClient) -> None:
    response = unreachable_client.get(
        "/api/v1/policies", headers={"Authorization": "Bearer wia_some-token"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["detail"].startswith("The register cannot reach its database")
