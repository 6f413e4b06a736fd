"""Deciding as a body through the API: the approvals a version has and needs, a meeting still
to come refused, a policy corrected keeping its body unless told otherwise, and the trust's
bodies listed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel import clock
from assessments.kernel.actors import Actor
from assessments.models import (
    ApprovingBody,
    AssessmentVersion,
)
from tests.app.body_decisions import (
    MINUTE,
    NOT_TO_COME,
    ama,
    ben,
    committee,
    corrected,
    decisions_on,
    submitted,
)
from tests.app.decision_moves import api_as
from tests.factories.api import API, policy_body
from tests.factories.people import make_approver
from tests.factories.trusts import AUTHOR
from tests.factories.versions import fill_in, make_version, version

__all__ = ["ama", "ben", "committee", "submitted"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")


# Through the API -------------------------------------------------------------------------------


def test_the_api_says_how_many_approvals_it_has_and_needs(
    anonymous_client: TestClient,
    session: Session,
    ama: Actor,
    ben: Actor,
    submitted: AssessmentVersion,
) -> None:
    address = f"{API}/assessment-versions/{submitted.id}/approve"
    api = api_as(anonymous_client, session, ama)

    first = api.post(
        address, json={"expected_revision": 2, "meeting_date": "2025-03-03", "minute": MINUTE}
    )

    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["approvals"], body["approvals_needed"]) == ("submitted", 1, 2)
    (decision,) = decisions_on(session, submitted.id)
    assert (decision.meeting_date, decision.minute) == (date(2025, 3, 3), MINUTE)
    twice = api.post(address, json={"expected_revision": body["revision"]})
    assert twice.status_code == 409, twice.text

    second = api_as(anonymous_client, session, ben).post(
        address, json={"expected_revision": body["revision"]}
    )

    assert second.status_code == 200, second.text
    assert second.json()["status"] == "approved"
    assert second.json()["decided_by"] == "Governance committee: Ama Member, Ben Member"


def test_the_api_refuses_a_meeting_still_to_come(
    anonymous_client: TestClient, session: Session, ama: Actor, submitted: AssessmentVersion
) -> None:
    api = api_as(anonymous_client, session, ama)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()

    refused = api.post(
        f"{API}/assessment-versions/{submitted.id}/approve",
        json={"expected_revision": 2, "meeting_date": tomorrow},
    )

    assert refused.status_code == 422, refused.text
    assert [(e["loc"], e["msg"]) for e in refused.json()["detail"]] == [
        (["body", "meeting_date"], NOT_TO_COME)
    ]
    assert decisions_on(session, submitted.id) == []


def test_an_approval_of_a_policy_naming_no_body_has_no_count(
    anonymous_client: TestClient, session: Session, ama: Actor
) -> None:
    plain = make_version(session, "submitted", reference="GC-003")
    api = api_as(anonymous_client, session, ama)

    approved = api.post(
        f"{API}/assessment-versions/{plain.id}/approve", json={"expected_revision": 2}
    )

    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["approvals"], body["approvals_needed"]) == ("approved", None, None)


def test_a_policy_corrected_through_the_api_keeps_its_body_unless_told_otherwise(
    anonymous_client: TestClient, session: Session, committee: ApprovingBody
) -> None:
    api = api_as(anonymous_client, session, AUTHOR)
    made = api.post(f"{API}/policies", json=policy_body(approving_body_id=committee.id))
    assert made.status_code == 201, made.text
    policy = made.json()
    assert policy["approving_body_id"] == committee.id
    address = f"{API}/policies/{policy['id']}"

    kept = api.put(address, json=corrected(title="Marking policy", expected_revision=1))

    assert kept.status_code == 200, kept.text
    assert (kept.json()["title"], kept.json()["approving_body_id"]) == (
        "Marking policy",
        committee.id,
    )
    assert api.get(address).json()["approving_body_id"] == committee.id

    cleared = api.put(
        address,
        json=corrected(approving_body_id=None, expected_revision=kept.json()["revision"]),
    )

    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["approving_body_id"] is None


def test_the_api_lists_the_trusts_bodies_with_their_rules(
    anonymous_client: TestClient, session: Session, committee: ApprovingBody
) -> None:
    api = api_as(anonymous_client, session, make_approver(session, "Ann Reader"))

    response = api.get(f"{API}/approving-bodies")

    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "id": committee.id,
            "name": "Governance committee",
            "kind": "committee",
            "school_id": None,
            "rule": "number",
            "quorum": 2,
            "revision": 1,
        }
    ]


def test_submitting_to_a_body_says_how_many_approvals_it_needs(
    anonymous_client: TestClient, session: Session, committee: ApprovingBody
) -> None:
    draft = make_version(session, "draft", reference="GC-009", approving_body_id=committee.id)
    assert draft.id is not None
    fill_in(session, draft.id, AUTHOR)
    api = api_as(anonymous_client, session, AUTHOR)

    sent = api.post(
        f"{API}/assessment-versions/{draft.id}/submit",
        json={"expected_revision": version(session, draft.id).revision},
    )

    assert sent.status_code == 200, sent.text
    said = sent.json()
    assert (said["status"], said["approvals"], said["approvals_needed"]) == ("submitted", 0, 2)
