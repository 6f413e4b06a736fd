"""What the bad-input tests share: the bad values of each kind, a draft to send them to, and
how to tell that a response names the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import AssessmentVersion
from assessments.policies import queries as policy_queries
from tests.app.pages import csrf_cookie
from tests.factories.api import API
from tests.factories.people import make_api_token
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, RUBRIC

QUESTION = next(iter(RUBRIC.questions())).id
GROUP = RUBRIC.staff_groups[0].id
SECTION = RUBRIC.sections[0].id

# Not ids: past the 32-bit id columns, past 64 bits, past int()'s 4,300 digits, digits that
# str.isdigit() takes but int() refuses (²) or takes (full-width), and other things int() reads.
BAD_IDS = [
    "2147483648",
    "9223372036854775808",
    "9" * 5000,
    "²",
    "\uff11",
    "0",
    "-1",
    "+1",
    "1e3",
    "1.0",
    "0x10",
    "1_0",
    "abc",
]
BAD_NUMBERS = [
    "2147483648",
    "9223372036854775808",
    "9" * 5000,
    "²",
    "\uff11\uff12",
    "-1",
    "+1",
    "1e3",
    "1.5",
    "0x10",
    "1_0",
    "abc",
]
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
    """The page names the field: a message next to it, the error summary's link to it (a
    date's, to its day field), or the error page saying which field it is."""
    text = response.text
    marks = (f'id="{field}-error"', f'href="#{field}"', f'href="#{field}-day"', f"{field}: ")
    return any(mark in text for mark in marks)


def json_names(response: httpx2.Response, where: str, field: str) -> bool:
    return [where, field] in [error["loc"] for error in response.json()["detail"]]


def policy_form(**fields: str) -> dict[str, str]:
    return {
        "reference": "IN-001",
        "title": "Inputs policy",
        "category": "other",
        "owner": "Someone",
        "review_cycle_months": "12",
        **fields,
    }


def nothing_saved(world: World, session: Session) -> None:
    session.expire_all()
    assert policy_queries.policy_by_reference(session, LOCAL_TRUST_ID, "IN-001") is None
    shown = world.api("GET", f"{API}/assessment-versions/{world.version_id}").json()
    assert shown["answers"] == [] and shown["workload_estimates"] == []


def put_raw(world: World, body: str | bytes) -> httpx2.Response:
    url = f"{API}/assessment-versions/{world.version_id}/answers/{QUESTION}"
    return world.api("PUT", url, content=body, headers={"Content-Type": "application/json"})


def action_body(**fields: Any) -> dict[str, Any]:
    return {
        "description": "Fewer marking deadlines",
        "question_ids": [QUESTION],
        "owner": "Deputy Head",
        "residual_impact": "1",
        **fields,
    }
