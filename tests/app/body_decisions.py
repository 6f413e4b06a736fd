"""What the tests of deciding as a body share: two trust-wide approvers on a committee that
approves by two of its members, a version of a policy naming it submitted, and reading the
queue, the record and where it stands."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from assessments.bodies import keeping
from assessments.bodies.schemas import BodyDetails
from assessments.kernel import clock
from assessments.kernel.actors import Actor
from assessments.models import (
    ApprovingBody,
    AssessmentVersion,
    BodyKind,
    DecisionRule,
    MemberDecision,
)
from tests.app.pages import Element
from tests.factories.api import Json, policy_body
from tests.factories.decisions import open_page, table_rows
from tests.factories.people import make_approver
from tests.factories.trusts import AUTHOR
from tests.factories.versions import make_version, version

MEETING = {"meeting_date-day": "3", "meeting_date-month": "3", "meeting_date-year": "2025"}
MINUTE = "GC 25/3"
RETURN_REASON = "Say which staff groups the new deadlines reach."
NOT_TO_COME = "Enter the date the meeting was held: not a date to come"


@pytest.fixture
def ama(session: Session) -> Actor:
    return make_approver(session, "Ama Member")


@pytest.fixture
def ben(session: Session) -> Actor:
    return make_approver(session, "Ben Member")


@pytest.fixture
def committee(session: Session, ama: Actor, ben: Actor) -> ApprovingBody:
    """The Governance committee: trust-wide, approving by two of its members, Ama and Ben."""
    data = BodyDetails(
        name="Governance committee",
        kind=BodyKind.COMMITTEE,
        rule=DecisionRule.NUMBER,
        quorum=2,
    )
    body = keeping.create_body(session=session, actor=AUTHOR, data=data)
    assert body.id is not None
    for member in (ama, ben):
        assert member.user_id is not None
        keeping.add_member(session=session, actor=AUTHOR, body_id=body.id, user_id=member.user_id)
    return body


@pytest.fixture
def submitted(session: Session, committee: ApprovingBody) -> AssessmentVersion:
    """Submitted by AUTHOR, of a policy that names the committee."""
    return make_version(
        session,
        "submitted",
        reference="GC-001",
        title="Marking policy",
        approving_body_id=committee.id,
    )


def queue_rows(client: TestClient) -> list[list[str]]:
    """The approvals queue's rows: policy, version, author, submitted, decided by."""
    doc = open_page(client, "/approvals")
    return table_rows(doc.by_id("queue")) if doc.has_id("queue") else []


def decided_by(client: TestClient) -> list[tuple[str, str, str]]:
    """Each policy the approvals queue lists, with its Decided by column: the body, and the
    approvals it has of those it needs."""
    doc = open_page(client, "/approvals")
    rows = doc.by_id("queue").find("tbody").find_all("tr")
    shown = []
    for row in rows:
        policy, *_, body = row.find_all("td")
        count = body.find("span").text
        shown.append((policy.text, body.text.removesuffix(count).strip(), count))
    return shown


def standing(doc: Element) -> tuple[str, list[str]]:
    """What the page's box on the body says, and the approvals it lists (the first box: see
    the test that it is shown once)."""
    box = doc.find_all(id="body-standing")[0]
    approvals = box.find_all(id="member-approvals")
    return box.find("p").text, [li.text for li in approvals[0].find_all("li")] if approvals else []


def decisions_on(session: Session, version_id: int | None) -> list[MemberDecision]:
    query = select(MemberDecision).where(MemberDecision.version_id == version_id)
    return list(session.exec(query))


def fresh(session: Session, version_id: int | None) -> AssessmentVersion:
    session.expire_all()  # as the pages left it
    assert version_id is not None
    return version(session, version_id)


def today_said() -> str:
    return clock.today().strftime("%-d %B %Y")


def date_typed(day: date, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}meeting_date-day": str(day.day),
        f"{prefix}meeting_date-month": str(day.month),
        f"{prefix}meeting_date-year": str(day.year),
    }


def corrected(**fields: object) -> Json:
    """A policy's details as a correction sends them (its reference is not corrected)."""
    body = policy_body(**fields)
    del body["reference"]
    return body
