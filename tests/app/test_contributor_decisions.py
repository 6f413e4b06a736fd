"""Someone who holds both roles and changed a colleague's draft is refused a decision on it by
page, htmx fragment and API alike, is not offered it, and the report and register name them
among those who prepared it. A version changed in the database since it was submitted is
refused approval by page and API, and stays submitted."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.drafting import answering, version_view
from assessments.drafting.schemas import AnswerSave
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from tests.app.pages import post_form
from tests.factories.answers import HIGH_QUESTION
from tests.factories.audit import sql
from tests.factories.decisions import open_page, url
from tests.factories.people import author_and_approver, make_api_token, make_approver
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR
from tests.factories.versions import fill_in, make_draft

pytestmark = pytest.mark.usefixtures("rubric_published")
MIXED_UP = "You contributed to this version, so someone else must decide on it"
CHANGED = "changed since it was submitted, outside the application"
API = "/api/v1/assessment-versions/{}/{}"


@pytest.fixture
def both(session: Session) -> Actor:
    """A trust-wide author and approver."""
    return author_and_approver(session)


@pytest.fixture
def rewritten(session: Session, both: Actor) -> AssessmentVersion:
    """AUTHOR's draft whose high answer's evidence `both` rewrote, submitted by AUTHOR."""
    draft = make_draft(session, reference="CD-001", title="Marking policy")
    assert draft.id is not None
    fill_in(session, draft.id)
    kept = version_view.view_assessment(session=session, actor=AUTHOR, version_id=draft.id)
    answering.save_answer(
        session=session,
        actor=both,
        version_id=draft.id,
        question_id=HIGH_QUESTION.id,
        data=AnswerSave(value=kept.answers[HIGH_QUESTION.id].value, comment="Bea's evidence"),
    )
    return workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)


def _still_submitted(session: Session, version: AssessmentVersion) -> None:
    session.expire_all()
    assert version.status is VersionStatus.SUBMITTED and version.decided_at is None


@pytest.mark.parametrize("htmx", [False, True], ids=["page form", "htmx"])
def test_a_contributor_is_refused_a_decision_by_the_pages(
    client: TestClient,
    session: Session,
    settings: Settings,
    both: Actor,
    rewritten: AssessmentVersion,
    htmx: bool,
) -> None:
    sign_in_as(client, session, settings, both)

    approving = post_form(client, url(rewritten, "approve"), {}, htmx=htmx)
    returning = post_form(client, url(rewritten, "return"), {"reason": "Mine"}, htmx=htmx)

    for response in (approving, returning):
        assert response.status_code == 403
        assert MIXED_UP in response.text
    _still_submitted(session, rewritten)
    review = open_page(client, url(rewritten, "review"))
    assert not review.has_id("decision")  # the form is not offered either


def test_a_contributor_is_refused_a_decision_by_the_api(
    anonymous_client: TestClient, session: Session, both: Actor, rewritten: AssessmentVersion
) -> None:
    anonymous_client.headers["Authorization"] = f"Bearer {make_api_token(session, both)}"

    based_on = {"expected_revision": rewritten.revision}
    approving = anonymous_client.post(API.format(rewritten.id, "approve"), json=based_on)
    returning = anonymous_client.post(
        API.format(rewritten.id, "return"), json=based_on | {"reason": "Mine"}
    )

    for response in (approving, returning):
        assert (response.status_code, response.json()) == (403, {"detail": MIXED_UP})
    _still_submitted(session, rewritten)


def test_a_contributor_is_not_offered_the_decision(
    client: TestClient,
    session: Session,
    settings: Settings,
    both: Actor,
    rewritten: AssessmentVersion,
) -> None:
    sign_in_as(client, session, settings, both)

    assert not open_page(client, "/approvals").has_id("queue")
    assert "Nothing is waiting for your decision" in open_page(client, "/approvals").text
    assert open_page(client, "/").by_id("awaiting") is not None
    assert url(rewritten, "review") not in client.get("/").text

    sign_in_as(client, session, settings, make_approver(session))
    assert url(rewritten, "review") in client.get("/approvals").text


def test_the_report_and_register_say_who_prepared_and_submitted_it(
    client: TestClient, session: Session, both: Actor, rewritten: AssessmentVersion
) -> None:
    report = open_page(client, url(rewritten, "report")).by_id("report-version")
    shown = {
        row.find("dt").text: row.find("dd").text
        for row in report.find_all("div", cls="govuk-summary-list__row")
    }
    assert shown["Prepared by"] == f"{AUTHOR.name}, {both.name}"
    assert shown["Submitted by"] == AUTHOR.name

    exported = client.get("/register.csv").text.removeprefix("\ufeff")
    (row,) = csv.DictReader(io.StringIO(exported))
    assert row["prepared_by"] == f"{AUTHOR.name}; {both.name}"
    # No earlier column moved.
    assert list(row)[-7:-4] == ["audit_chain_head", "prepared_by", "rating_after_actions_done"]
    assert f"Prepared by {AUTHOR.name}; {both.name}" in client.get("/register").text
    assert f"{AUTHOR.name}; {both.name}" in client.get("/register?q=Bea").text


TAMPER = "UPDATE answer SET comment = 'Edited in the database' WHERE version_id = :v"


def test_a_version_changed_in_the_database_is_refused_approval_by_page(
    client: TestClient, session: Session, settings: Settings, rewritten: AssessmentVersion
) -> None:
    sign_in_as(client, session, settings, make_approver(session))
    assert sql(session, TAMPER, v=rewritten.id).rowcount > 0

    response = post_form(client, url(rewritten, "approve"), {})

    assert response.status_code == 409
    assert CHANGED in response.text
    _still_submitted(session, rewritten)


def test_a_version_changed_in_the_database_is_refused_approval_by_api(
    anonymous_client: TestClient, session: Session, rewritten: AssessmentVersion
) -> None:
    approver = make_approver(session)
    anonymous_client.headers["Authorization"] = f"Bearer {make_api_token(session, approver)}"
    assert sql(session, TAMPER, v=rewritten.id).rowcount > 0

    response = anonymous_client.post(
        API.format(rewritten.id, "approve"), json={"expected_revision": rewritten.revision}
    )

    assert response.status_code == 409
    assert CHANGED in response.json()["detail"]
    _still_submitted(session, rewritten)
