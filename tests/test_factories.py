"""`make_version` brings a version to each of the six statuses through the real use-cases, and
the version then reads as a person sees it: in the database, the JSON API and its summary page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import AssessmentVersion, VersionStatus
from tests.factories.api import API
from tests.factories.decisions import workflow_text
from tests.factories.people import make_approver
from tests.factories.versions import RETURN_REASON, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")


def _shown(client: TestClient, version: AssessmentVersion) -> tuple[str, str]:
    """The version's status in the JSON API, and its summary page's workflow panel."""
    response = client.get(f"{API}/assessment-versions/{version.id}")
    assert response.status_code == 200, response.text
    return response.json()["status"], workflow_text(client, version)


@pytest.mark.parametrize("status", list(VersionStatus))
def test_make_version_reaches_every_status(
    session: Session, client: TestClient, status: VersionStatus
) -> None:
    version = make_version(session, status)
    session.refresh(version)
    assert version.status is status and version.number == 1
    api_status, panel = _shown(client, version)
    assert api_status == status.value
    assert f"Version 1: {status.value.capitalize()}" in panel


def test_a_draft_and_a_withdrawn_version_were_never_submitted(session: Session) -> None:
    for status in (VersionStatus.DRAFT, VersionStatus.WITHDRAWN):
        version = make_version(session, status)
        assert (version.submitted_at, version.content_hash, version.decided_at) == (None,) * 3


def test_a_submitted_version_awaits_a_decision(session: Session) -> None:
    version = make_version(session, "submitted")
    assert version.submitted_at is not None and version.content_hash is not None
    assert version.submitted_by == "Alex Author" and version.decided_at is None


def test_an_approved_version_has_its_decision_and_review_date(session: Session) -> None:
    approver = make_approver(session)
    version = make_version(session, "approved", approver=approver, review_cycle_months=12)
    assert version.decided_at is not None and version.decided_by == approver.name
    assert version.review_due is not None
    assert (version.review_due - version.decided_at.date()).days in range(365, 367)


def test_a_returned_version_says_why(session: Session, client: TestClient) -> None:
    version = make_version(session, "returned")
    assert version.decision_reason == RETURN_REASON and version.decided_at is not None
    assert version.review_due is None
    assert RETURN_REASON in client.get(f"/assessments/{version.id}/summary").text


def test_a_superseded_version_has_a_newer_approved_one(session: Session) -> None:
    version = make_version(session, "superseded")
    versions = version_queries.versions_of_assessment(session, version.assessment_id)
    assert [(v.number, v.status) for v in versions] == [
        (1, VersionStatus.SUPERSEDED),
        (2, VersionStatus.APPROVED),
    ]
    assert versions[0].decided_at is not None and versions[0].review_due is not None
