"""What the decision tests share: a submitted version, a trust-wide approver the browser is
signed in as, and the confirmation a move shows once on the page it leads to."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.flash import CONFIRMATIONS
from app.settings import Settings
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion
from tests.app.pages import Element
from tests.factories.decisions import open_page
from tests.factories.people import make_api_token, make_approver
from tests.factories.sign_in import sign_in_as
from tests.factories.versions import make_version

REASON = "The governors accept the risk for one term while cover staff are recruited."
MINUTE = "FGB 2027/14"


@pytest.fixture
def submitted(session: Session) -> AssessmentVersion:
    """Submitted by AUTHOR: low impact, after its one action too."""
    return make_version(session, "submitted", reference="DC-001", title="Marking policy")


@pytest.fixture
def approver(client: TestClient, session: Session, settings: Settings) -> Actor:
    """A trust-wide approver, whom the browser is signed in as."""
    actor = make_approver(session, "Ama Approver")
    sign_in_as(client, session, settings, actor)
    return actor


def confirmation(doc: Element) -> str | None:
    """The success banner's message, if the page shows one."""
    found = doc.find_all(cls="govuk-notification-banner--success")
    return found[0].find(cls="govuk-notification-banner__heading").text if found else None


def redirected(client: TestClient, response: httpx2.Response, to: str | None = None) -> Element:
    """The page a successful form's 303 leads to (`to`, if given, is where)."""
    assert response.status_code == 303, response.text[:500]
    if to is not None:
        assert response.headers["location"] == to
    return open_page(client, response.headers["location"])


def shown_once(client: TestClient, response: httpx2.Response, key: str, to: str) -> Element:
    """The page the move leads to, with its confirmation; it is gone when the page is opened
    again, and from any other page."""
    after = redirected(client, response, to)
    assert confirmation(after) == CONFIRMATIONS[key]
    assert confirmation(open_page(client, to)) is None
    assert confirmation(open_page(client, "/")) is None
    return after


def label(doc: Element, field: str) -> str:
    return doc.find("label", **{"for": field}).text


def api_as(client: TestClient, session: Session, actor: Actor) -> TestClient:
    client.headers["Authorization"] = f"Bearer {make_api_token(session, actor)}"
    return client
