from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories.trusts import make_policy


def test_policy_made_in_test_is_seen_over_http(session: Session, client: TestClient) -> None:
    make_policy(session, title="Homework policy")
    assert "Homework policy" in client.get("/policies").text


def test_previous_test_left_nothing(client: TestClient) -> None:
    assert "Homework policy" not in client.get("/policies").text
