"""Shared fixtures: a real database migrated once per run, one rolled-back transaction per test.

The suite runs on a SQLite file by default and on PostgreSQL when TEST_DATABASE_URL is set
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test). The test database is wiped and
migrated at the start of the run, so point TEST_DATABASE_URL only at a database for tests.
Under pytest-xdist (`make test`: -n 2) each worker has a database of its own beside it
(tests/databases.for_worker: `test_gw0`, `test_gw1` …).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import session_cookie_name
from app.main import create_app
from app.settings import PROJECT_ROOT, Environment, Settings
from assessments.kernel import audit
from assessments.kernel.db import committed, unit_of_work
from tests import databases
from tests.factories.people import start_session
from tests.factories.trusts import (
    AUTHOR,
    TEST_AUDIT_KEY,
    TEST_SECRET_KEY,
    make_local_trust,
    publish_default_rubric,
)

# Use-cases called directly and the app with `settings` use the same key.
audit.configure(keys=[TEST_AUDIT_KEY])


@pytest.fixture(autouse=True)
def _audit_test_key() -> Iterator[None]:
    """Every test starts with the test key (a CLI test configures the audit from its own)."""
    audit.configure(keys=[TEST_AUDIT_KEY])
    yield
    audit.configure(keys=[TEST_AUDIT_KEY])


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of the run's test database: PostgreSQL if TEST_DATABASE_URL is set, else SQLite."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return databases.for_worker(url)
    return databases.for_worker(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[sa.Engine]:
    """The test database, emptied and migrated to head once for the whole run."""
    engine = databases.migrated_engine(database_url)
    with unit_of_work(engine) as session:
        make_local_trust(session)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One outer transaction per test, rolled back at the end so tests never see each other."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: sa.Connection) -> Iterator[Session]:
    """A session inside the test's transaction, for calling use-cases directly."""
    with databases.session_on(connection) as session:
        yield session


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        audit_key=TEST_AUDIT_KEY,
        rubrics_dir=PROJECT_ROOT / "rubrics",
    )


@pytest.fixture(scope="session")
def _application(settings: Settings) -> Iterator[FastAPI]:
    """The real application, built once per worker: FastAPI works out every route's
    parameters and dependencies on an application's first requests, which took a tenth of a
    second of every test when each built its own. The app keeps no state of its own between
    requests (the database holds it all), so tests do not see each other through it."""
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def app(_application: FastAPI, connection: sa.Connection) -> Iterator[FastAPI]:
    """The application, whose units of work each run inside the test's transaction."""

    @contextmanager
    def unit_in_test_transaction(
        *, read_only: bool = False, snapshot: bool = False
    ) -> Iterator[Session]:
        with databases.session_on(connection) as session, committed(session):
            yield session

    own_unit_of_work = _application.state.unit_of_work
    _application.state.unit_of_work = unit_in_test_transaction
    yield _application
    _application.state.unit_of_work = own_unit_of_work


@pytest.fixture
def anonymous_client(app: FastAPI) -> Iterator[TestClient]:
    """HTTP through the ASGI app, signed in as no one; the base URL is https so a Secure
    cookie would be sent too."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(anonymous_client: TestClient, session: Session, settings: Settings) -> TestClient:
    """Signed in as AUTHOR (a trust-wide author and admin). The session row is made directly:
    signing in through the page hashes a password, which every test need not pay for; the
    sign-in tests go through the page."""
    anonymous_client.cookies.set(session_cookie_name(settings), start_session(session, AUTHOR))
    return anonymous_client


@pytest.fixture
def rubric_published(session: Session) -> None:
    """The shipped staff-wellbeing rubric, published as `make run` publishes it."""
    publish_default_rubric(session)


@pytest.fixture
def tmp_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A brand-new, empty database on the test database's server (or a new SQLite file)."""
    with databases.scratch_database(database_url, tmp_path) as url:
        yield url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The schemathesis run (marked fuzz) is left out unless asked for by name (-m fuzz):
    .ci/run runs it as its own step on each database."""
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="schemathesis: run with -m fuzz")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)
