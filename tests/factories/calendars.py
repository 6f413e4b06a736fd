"""What the calendar tests share: policies with a review date, approved versions whose
actions fall due on given dates, and a feed read back with icalendar."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar, Event
from sqlmodel import Session

from assessments.drafting import mitigation
from assessments.drafting.mitigation import ActionSave
from assessments.models import Policy
from assessments.workflow import transitions as workflow
from tests.factories.answers import FLAGGED
from tests.factories.people import Cast
from tests.factories.trusts import make_policy
from tests.factories.versions import complete_draft, draft_for, version

BASE = "https://wia.example"  # the service's WIA_BASE_URL in these tests


def policy_reviewed_on(session: Session, day: date, **fields: object) -> Policy:
    """A new policy whose review falls due on `day` (approving an assessment sets it so)."""
    policy = make_policy(session, **fields)
    policy.next_review_date = day
    session.add(policy)
    session.flush()
    return policy


def approved_with_actions(
    session: Session,
    cast: Cast,
    *actions: tuple[date | None, str],
    approve: bool = True,
    **policy: object,
) -> list[int]:
    """A new policy of the cast's school, its assessment approved (or only submitted) with one
    action per (due date, description); returns the actions' ids, in that order."""
    version_id = draft_for(session, cast, None, **policy)
    complete_draft(session, cast.author, version_id)  # with an action of no due date
    ids = []
    for due, description in actions:
        data = ActionSave(
            description=description,
            question_ids=list(FLAGGED[:1]),
            owner="Deputy Headteacher",
            due_date=due,
            residual_impact=1,
        )
        action = mitigation.add_action(
            session=session, actor=cast.author, version_id=version_id, data=data
        )
        assert action.id is not None
        ids.append(action.id)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    if approve:
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)
    assert version(session, version_id).status == ("approved" if approve else "submitted")
    return ids


def read_calendar(ics: bytes) -> Calendar:
    """The feed parsed back as a calendar app would."""
    calendar = Calendar.from_ical(ics)
    assert isinstance(calendar, Calendar)
    return calendar


def events_of(calendar: Calendar) -> dict[str, Event]:
    """The calendar's events by their UIDs."""
    return {str(event["UID"]): event for event in calendar.events}
