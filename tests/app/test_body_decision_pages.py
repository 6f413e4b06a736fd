"""Deciding as a body through the pages: two members approve one after the other, a return
sends it back, a meeting still to come is refused next to its fields with nothing typed lost,
and an approver who is no member decides nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel import clock
from assessments.kernel.actors import Actor
from assessments.models import (
    ApprovingBody,
    AssessmentVersion,
    VersionStatus,
)
from assessments.workflow import transitions as workflow
from tests.app.body_decisions import (
    MEETING,
    MINUTE,
    NOT_TO_COME,
    RETURN_REASON,
    ama,
    ben,
    committee,
    date_typed,
    decided_by,
    decisions_on,
    fresh,
    queue_rows,
    standing,
    submitted,
    today_said,
)
from tests.app.decision_moves import shown_once
from tests.app.pages import error_for, error_summary, field_value, page, post_form, submit
from tests.factories.decisions import open_page, url, version_forms, workflow_text
from tests.factories.people import make_approver
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR
from tests.factories.versions import make_version, screen_out

__all__ = ["ama", "ben", "committee", "submitted"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")


# Through the pages -----------------------------------------------------------------------------


def test_two_members_approve_it_one_after_the_other(
    client: TestClient,
    session: Session,
    settings: Settings,
    ama: Actor,
    ben: Actor,
    submitted: AssessmentVersion,
) -> None:
    sign_in_as(client, session, settings, ama)
    assert decided_by(client) == [
        ("GC-001: Marking policy", "Governance committee", "0 of 2 approvals")
    ]
    review = open_page(client, url(submitted, "review"))
    assert standing(review) == (
        "Governance committee decides: it is approved once 2 of its members have approved it; "
        "one member's return sends it back. No member has approved it yet.",
        [],
    )
    confirming = open_page(client, review.by_id("approve-link").attrs["href"])
    assert (
        "You approve it for Governance committee, which approves it once 2 members have: after "
        "yours it waits for 1 more member, and is approved then."
    ) in confirming.find("main").text

    first = submit(client, confirming, url(submitted, "approve"), {**MEETING, "minute": MINUTE})

    shown_once(client, first, "member-approved", "/approvals")
    assert fresh(session, submitted.id).status is VersionStatus.SUBMITTED
    assert workflow_text(client, submitted).startswith("Version 1: Submitted")
    after = open_page(client, url(submitted, "review"))
    said, approvals = standing(after)
    assert said.endswith("1 of 2 so far.")
    assert approvals == [
        f"Approved by Ama Member on {today_said()} (meeting of 3 March 2025, minute {MINUTE})"
    ]
    assert not after.has_id("approve-link")  # hers is given; she may still return it
    assert version_forms(after, submitted) == [url(submitted, "return")]
    assert queue_rows(client) == []  # nothing more awaits her
    again = post_form(client, url(submitted, "approve"), {"revision": str(submitted.revision)})
    assert again.status_code == 409
    assert len(decisions_on(session, submitted.id)) == 1

    sign_in_as(client, session, settings, AUTHOR)  # its author sees where it stands too
    assert standing(open_page(client, url(submitted)))[1] == approvals

    sign_in_as(client, session, settings, ben)
    assert decided_by(client) == [
        ("GC-001: Marking policy", "Governance committee", "1 of 2 approvals")
    ]
    confirming = open_page(client, url(submitted, "approve"))
    assert (
        "You approve it for Governance committee, which approves it once 2 members have: "
        "yours does."
    ) in confirming.find("main").text

    second = submit(client, confirming, url(submitted, "approve"))

    shown_once(client, second, "approved", "/approvals")
    approved = fresh(session, submitted.id)
    assert approved.status is VersionStatus.APPROVED
    assert approved.decided_by == "Governance committee: Ama Member, Ben Member"
    assert workflow_text(client, submitted).startswith(
        "Version 1: Approved – approved by Governance committee: Ama Member, Ben Member on "
        f"{today_said()}"
    )
    assert not open_page(client, url(submitted, "review")).has_id("body-standing")
    assert queue_rows(client) == []


def test_where_it_stands_is_shown_once_on_each_page(
    client: TestClient,
    session: Session,
    settings: Settings,
    ama: Actor,
    submitted: AssessmentVersion,
) -> None:
    sign_in_as(client, session, settings, ama)
    assert submitted.id is not None
    workflow.approve(session=session, actor=ama, version_id=submitted.id, minute=MINUTE)

    for page_url in (url(submitted, "review"), url(submitted)):
        doc = open_page(client, page_url)
        assert len(doc.find_all(id="body-standing")) == 1, page_url
        assert len(doc.find_all(id="member-approvals")) == 1, page_url


def test_a_members_return_sends_it_back_but_not_with_a_meeting_still_to_come(
    client: TestClient,
    session: Session,
    settings: Settings,
    ama: Actor,
    submitted: AssessmentVersion,
) -> None:
    sign_in_as(client, session, settings, ama)
    review = open_page(client, url(submitted, "review"))
    tomorrow = clock.today() + timedelta(days=1)

    refused = submit(
        client,
        review,
        url(submitted, "return"),
        {"reason": RETURN_REASON, **date_typed(tomorrow), "minute": MINUTE},
    )

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert error_for(doc, "meeting_date") == NOT_TO_COME
    assert error_summary(doc) == [(NOT_TO_COME, "#meeting_date-day")]
    assert field_value(doc, "reason") == RETURN_REASON  # what she typed is kept
    assert field_value(doc, "minute") == MINUTE
    assert {name: field_value(doc, name) for name in date_typed(tomorrow)} == date_typed(tomorrow)
    assert fresh(session, submitted.id).status is VersionStatus.SUBMITTED
    assert decisions_on(session, submitted.id) == []

    returned = submit(client, doc, url(submitted, "return"), MEETING)

    shown_once(client, returned, "returned", "/approvals")
    assert fresh(session, submitted.id).status is VersionStatus.RETURNED  # one member's is enough
    (decision,) = decisions_on(session, submitted.id)
    assert (decision.vote.value, decision.reason, decision.meeting_date) == (
        "return",
        RETURN_REASON,
        date(2025, 3, 3),
    )


def test_a_meeting_still_to_come_is_refused_on_approving_too(
    client: TestClient,
    session: Session,
    settings: Settings,
    ama: Actor,
    submitted: AssessmentVersion,
) -> None:
    sign_in_as(client, session, settings, ama)
    confirming = open_page(client, url(submitted, "approve"))
    tomorrow = clock.today() + timedelta(days=1)

    refused = submit(
        client, confirming, url(submitted, "approve"), {**date_typed(tomorrow), "minute": MINUTE}
    )

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert error_for(doc, "meeting_date") == NOT_TO_COME
    assert field_value(doc, "minute") == MINUTE
    assert field_value(doc, "meeting_date-day") == str(tomorrow.day)
    assert decisions_on(session, submitted.id) == []


def test_a_member_sending_it_back_for_the_full_assessment_is_refused_a_meeting_to_come(
    client: TestClient,
    session: Session,
    settings: Settings,
    ama: Actor,
    committee: ApprovingBody,
) -> None:
    screened = make_version(
        session, "submitted", fill=screen_out, reference="GC-002", approving_body_id=committee.id
    )
    sign_in_as(client, session, settings, ama)
    review = open_page(client, url(screened, "review"))
    why = "Staff hours change with the new deadlines"
    tomorrow = clock.today() + timedelta(days=1)

    refused = submit(
        client,
        review,
        url(screened, "require-full"),
        {"reason": why, **date_typed(tomorrow, "full-")},
    )

    assert refused.status_code == 422, refused.text[:500]
    doc = page(refused)
    assert error_for(doc, "full-meeting_date") == NOT_TO_COME
    assert doc.by_id("full-reason").text == why
    assert not doc.find_all(id="meeting_date-error")  # not the return form's dates
    assert fresh(session, screened.id).status is VersionStatus.SUBMITTED


def test_an_approver_who_is_not_a_member_decides_nothing(
    client: TestClient,
    session: Session,
    settings: Settings,
    submitted: AssessmentVersion,
) -> None:
    outsider = make_approver(session, "Cal Outsider")
    sign_in_as(client, session, settings, outsider)

    review = open_page(client, url(submitted, "review"))
    assert not review.has_id("decision")
    assert not review.has_id("approve-link")
    assert version_forms(review, submitted) == []
    assert review.has_id("body-standing")  # who decides, and where it stands, is no secret
    assert queue_rows(client) == []

    revision = {"revision": str(submitted.revision)}
    refused = {
        "confirm page": client.get(url(submitted, "approve")).status_code,
        "approve": post_form(client, url(submitted, "approve"), revision).status_code,
        "return": post_form(
            client, url(submitted, "return"), {**revision, "reason": RETURN_REASON}
        ).status_code,
    }

    assert refused == {"confirm page": 403, "approve": 403, "return": 403}
    assert (
        "Only the members of Governance committee decide"
        in page(client.get(url(submitted, "approve"))).text
    )
    assert fresh(session, submitted.id).status is VersionStatus.SUBMITTED
    assert decisions_on(session, submitted.id) == []
