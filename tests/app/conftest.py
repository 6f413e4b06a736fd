"""The draft assessment that the wizard page tests work on, and a database for the command line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from app.settings import get_settings
from assessments.models import AssessmentVersion
from tests.factories.cli import wia
from tests.factories.versions import make_draft


@pytest.fixture
def draft(session: Session, rubric_published: None) -> AssessmentVersion:
    """Version 1 of a policy's assessment, just started."""
    return make_draft(session, reference="TL-004", title="Homework policy")


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings read afresh from the environment the test sets up, and forgotten afterwards."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def cli_database(tmp_database_url: str, fresh_settings: pytest.MonkeyPatch) -> str:
    """A brand-new database that the CLI uses through WIA_DATABASE_URL."""
    fresh_settings.setenv("WIA_DATABASE_URL", tmp_database_url)
    return tmp_database_url


@pytest.fixture
def migrated(cli_database: str) -> str:
    result = wia("db", "upgrade")
    assert result.exit_code == 0, result.output
    return cli_database
