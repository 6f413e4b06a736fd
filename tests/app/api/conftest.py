"""The JSON API tests call it as a script does: with a personal API token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories.people import make_api_token
from tests.factories.trusts import AUTHOR


@pytest.fixture
def client(anonymous_client: TestClient, session: Session) -> TestClient:
    """AUTHOR's script: `Authorization: Bearer <token>` on every request, no cookies."""
    anonymous_client.headers["Authorization"] = f"Bearer {make_api_token(session, AUTHOR)}"
    return anonymous_client
