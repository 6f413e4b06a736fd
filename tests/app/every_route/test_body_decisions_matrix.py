"""Deciding for an approving body, by every kind of person: the authorization matrix's rows for
the decisions on the world's two versions put to a body (world.py), which the route-keyed
MATRIX has no room for. Only a member of the body a policy names decides on its assessments:
the world's approver, one of the two members the Governance committee needs, approves its
version and it stays submitted awaiting the other; the Finance committee's version the approver
may not decide at all (403), though an approver there. Everyone else is refused as the matrix
refuses them a decision on a North version, and nothing is recorded for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.settings import Settings
from assessments.models import AssessmentVersion, MemberDecision, VersionStatus
from tests.app.every_route.expectations import SIGN_IN, Call, decided_by_approvers, fill
from tests.app.every_route.world import ROLES, World
from tests.app.pages import csrf_cookie, page
from tests.factories.sign_in import sign_in_as

MEETING = {"meeting_date-day": "3", "meeting_date-month": "3", "meeting_date-year": "2025"}
QUORUM = "/assessments/{body_version}"
OTHER = "/assessments/{other_body_version}"
API_QUORUM = "/api/v1/assessment-versions/{body_version}"
API_OTHER = "/api/v1/assessment-versions/{other_body_version}"
NOT_A_MEMBER = "Only the members of Finance committee decide on this policy's assessments"


@dataclass(frozen=True)
class Decision:
    method: str
    call: Call
    version: str  # the world's attribute naming the version decided on
    recorded_for: frozenset[str] = frozenset()  # the roles whose decision is recorded


DECISIONS: dict[str, Decision] = {
    "the confirm page of a quorum-two committee's version": Decision(
        "GET", Call(QUORUM + "/approve", decided_by_approvers(200)), "body_version_id"
    ),
    "approving a quorum-two committee's version": Decision(
        "POST",
        Call(QUORUM + "/approve", decided_by_approvers(303), {**MEETING, "minute": "GC 25/3"}),
        "body_version_id",
        frozenset({"approver"}),
    ),
    "approving a quorum-two committee's version through the API": Decision(
        "POST",
        Call(
            API_QUORUM + "/approve", decided_by_approvers(200), json={"meeting_date": "2025-03-03"}
        ),
        "body_version_id",
        frozenset({"approver"}),
    ),
    "the confirm page of another committee's version": Decision(
        "GET", Call(OTHER + "/approve", decided_by_approvers(403)), "other_body_version_id"
    ),
    "approving another committee's version": Decision(
        "POST", Call(OTHER + "/approve", decided_by_approvers(403)), "other_body_version_id"
    ),
    "approving another committee's version through the API": Decision(
        "POST",
        Call(API_OTHER + "/approve", decided_by_approvers(403), json={}),
        "other_body_version_id",
    ),
    "returning another committee's version": Decision(
        "POST",
        Call(OTHER + "/return", decided_by_approvers(403), {"reason": "Needs more detail"}),
        "other_body_version_id",
    ),
    "returning another committee's version through the API": Decision(
        "POST",
        Call(API_OTHER + "/return", decided_by_approvers(403), json={"reason": "More detail"}),
        "other_body_version_id",
    ),
}
CASES = [(name, role) for name in DECISIONS for role in ROLES]


def version_in(session: Session, version_id: int) -> AssessmentVersion:
    session.expire_all()  # as the app left it
    version = session.get(AssessmentVersion, version_id)
    assert version is not None
    return version


def decisions_on(session: Session, version_id: int) -> list[MemberDecision]:
    query = select(MemberDecision).where(MemberDecision.version_id == version_id)
    return list(session.exec(query))


def send(client: TestClient, decision: Decision, world: World, role: str, revision: int) -> Any:
    """The request as its page or an API client sends it: at the version's revision as read."""
    url = fill(decision.call.url, world)
    if decision.method == "GET":
        return client.get(url)
    if decision.call.json is not None:
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}
        body = {**decision.call.json, "expected_revision": revision}
        return client.post(url, json=body, headers=headers)
    form = {**decision.call.form, "revision": str(revision), "csrf_token": csrf_cookie(client)}
    return client.post(url, data=form)


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n} as {r}" for n, r in CASES])
def test_only_the_members_of_a_policys_body_decide_and_by_its_rule(
    anonymous_client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    name: str,
    role: str,
) -> None:
    client, decision = anonymous_client, DECISIONS[name]
    version_id: int = getattr(world, decision.version)
    if role != "anonymous":
        sign_in_as(client, session, settings, world.actors[role])
    client.get("/healthz")  # hands this browser its CSRF cookie
    revision = version_in(session, version_id).revision

    response = send(client, decision, world, role, revision)

    expected = decision.call.expected[role]
    api_call = decision.call.url.startswith("/api/")
    if expected == SIGN_IN:
        location = response.headers.get("location", "")
        assert (response.status_code, location.startswith("/sign-in")) == (
            (401, False) if api_call else (303, True)
        ), response.text[:300]
    else:
        assert response.status_code == expected, response.text[:300]
    if expected == 303:
        assert response.headers["location"] == "/approvals"
    if expected == 403 and role == "approver":  # an approver, but not of the policy's body
        said = response.json()["detail"] if api_call else page(response).text
        assert NOT_A_MEMBER in said
    # Nobody decides the other committee's version; one member's approval of the committee's
    # that needs two leaves it submitted too, awaiting the other.
    assert version_in(session, version_id).status is VersionStatus.SUBMITTED
    recorded = decisions_on(session, version_id)
    if role in decision.recorded_for:
        (approval,) = recorded
        assert (approval.user_id, approval.vote.value) == (world.approver_user_id, "approve")
        assert approval.meeting_date == date(2025, 3, 3)
    else:
        assert recorded == []
