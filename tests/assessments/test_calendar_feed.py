"""A person's calendar feed: an all-day event on each review date of a policy in use that they
may see, and on each due date of an open action of an approved version they may see; nothing
of another school (for a school's people) or another trust; stable UIDs, so that a calendar
app updates its events rather than adding them again; and no calendar for a link of an
earlier generation or a disabled person."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session

from assessments.calendars import feed, subscriptions
from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.text import brief
from assessments.models import ActionStatus, MitigatingAction, PolicyStatus, User
from assessments.people import accounts
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from tests.factories.audit import events_after, head
from tests.factories.calendars import (
    BASE,
    approved_with_actions,
    events_of,
    policy_reviewed_on,
    read_calendar,
)
from tests.factories.people import Cast, make_cast, make_person

pytestmark = pytest.mark.usefixtures("rubric_published")
NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
REVIEW = date(2027, 4, 12)
TODAY = date.today()  # progress cannot be recorded as done in the future


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def other_school(cast: Cast) -> int:
    (grant,) = cast.other_author.grants
    assert grant.school_id is not None
    return grant.school_id


def feed_of_key(session: Session, user_id: int, generation: int) -> bytes | None:
    return feed.calendar_for(
        session=session, user_id=user_id, generation=generation, base_url=BASE, now=NOW
    )


def feed_of(session: Session, actor: Actor) -> bytes | None:
    key = subscriptions.feed_key(session=session, actor=actor)
    return feed_of_key(session, key.user_id, key.generation)


def calendar_of(session: Session, actor: Actor) -> Calendar:
    ics = feed_of(session, actor)
    assert ics is not None
    return read_calendar(ics)


def summaries(session: Session, actor: Actor, prefix: str = "") -> set[str]:
    events = events_of(calendar_of(session, actor)).values()
    return {str(e["SUMMARY"]) for e in events if str(e["SUMMARY"]).startswith(prefix)}


def test_a_school_author_sees_their_schools_and_the_trusts_reviews_not_another_schools(
    session: Session, cast: Cast
) -> None:
    policy_reviewed_on(session, REVIEW, reference="OURS-1", school_id=cast.school.id)
    policy_reviewed_on(session, REVIEW, reference="THEIRS-1", school_id=other_school(cast))
    policy_reviewed_on(session, REVIEW, reference="TRUST-1", title="Staff wellbeing charter")

    ours = "Review due: OURS-1 Marking and feedback policy"
    theirs = "Review due: THEIRS-1 Marking and feedback policy"
    trust_wide = "Review due: TRUST-1 Staff wellbeing charter"
    assert summaries(session, cast.author) == {ours, trust_wide}
    assert summaries(session, cast.other_author) == {theirs, trust_wide}
    assert summaries(session, cast.approver) == {ours, theirs, trust_wide}  # trust-wide role


def test_a_review_is_an_all_day_event_with_a_stable_uid_and_a_link_to_its_policy(
    session: Session, cast: Cast
) -> None:
    policy = policy_reviewed_on(session, REVIEW, reference="HW-7", school_id=cast.school.id)
    first = feed_of(session, cast.author)
    assert first is not None
    (uid,) = events_of(read_calendar(first))
    assert uid == f"review-{policy.id}-2027-04-12@wia.example"

    event = events_of(read_calendar(first))[uid]
    assert type(event.start) is date and event.start == REVIEW  # a DATE: all day
    assert type(event.end) is date and event.end == REVIEW + timedelta(days=1)
    assert "VALUE=DATE:20270412" in first.decode()
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["URL"]) == f"{BASE}/policies/{policy.id}"
    assert str(event["TRANSP"]) == "TRANSPARENT"  # leaves the day free
    description = str(event["DESCRIPTION"])
    assert f"HW-7 Marking and feedback policy ({cast.school.name}) falls due" in description
    assert "Owner: Deputy Headteacher. Status: New." in description

    assert feed_of(session, cast.author) == first  # the same, fetched again
    policy.next_review_date = REVIEW + timedelta(days=7)
    session.add(policy)
    assert set(events_of(calendar_of(session, cast.author))) == {
        f"review-{policy.id}-2027-04-19@wia.example"  # moved: another event
    }


def test_the_calendar_is_named_for_its_person_and_asks_to_be_fetched_twice_a_day(
    session: Session, cast: Cast
) -> None:
    calendar = calendar_of(session, cast.author)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Workload Impact Register//Calendar feed//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Workload Impact Register – Ann Author"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=12)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT12H"
    assert str(calendar["UID"]) == f"calendar-{cast.author.user_id}@wia.example"
    assert calendar.events == []  # nothing falls due yet


def test_only_open_actions_of_approved_versions_with_a_due_date_are_in_it(
    session: Session, cast: Cast
) -> None:
    long = (
        "Move the autumn data drop to the second week of November, after the first round "
        "of parents' evenings"
    )
    kept, done, dropped = approved_with_actions(
        session,
        cast,
        (date(2027, 5, 3), long),
        (date(2027, 5, 4), "Publish the marking rota a term ahead"),
        (date(2027, 5, 5), "Pilot whole-class feedback in Year 7"),
    )
    recording.record_progress(
        session=session,
        actor=cast.author,
        action_id=done,
        data=ProgressSave(status=ActionStatus.DONE, done_on=TODAY),
        today=TODAY,
    )
    recording.record_progress(
        session=session,
        actor=cast.author,
        action_id=dropped,
        data=ProgressSave(status=ActionStatus.DROPPED, note="The pilot moved to next year"),
        today=TODAY,
    )
    # Not approved yet: its actions are not commitments.
    approved_with_actions(session, cast, (date(2027, 5, 6), "Share the rota"), approve=False)

    events = events_of(calendar_of(session, cast.author))
    actions = {uid: e for uid, e in events.items() if uid.startswith("action-")}
    assert set(actions) == {f"action-{kept}@wia.example"}
    event = actions[f"action-{kept}@wia.example"]
    assert str(event["SUMMARY"]) == (
        "Action due: Move the autumn data drop to the second week of November…"
    )
    assert type(event.start) is date and event.start == date(2027, 5, 3)
    assert str(event["URL"]) == f"{BASE}/actions/{kept}"
    assert str(event["DESCRIPTION"]).startswith(long + "\n\nA mitigating action of ")
    assert "(version 1). Owner: Deputy Headteacher. Status: Planned." in str(event["DESCRIPTION"])
    # Another school's author sees neither the actions nor the policy's review.
    assert summaries(session, cast.other_author) == set()


def test_retired_policies_and_their_actions_are_left_out(session: Session, cast: Cast) -> None:
    (action_id,) = approved_with_actions(
        session, cast, (date(2027, 5, 3), "Publish the marking rota a term ahead")
    )
    in_use = set(events_of(calendar_of(session, cast.author)))
    assert f"action-{action_id}@wia.example" in in_use
    assert any(uid.startswith("review-") for uid in in_use)  # approval set its review date

    action = session.get(MitigatingAction, action_id)
    assert action is not None
    version = version_queries.get_version(session, action.version_id)
    policy = version_queries.policy_of_version(session, version)
    policy.status = PolicyStatus.RETIRED
    session.add(policy)
    session.flush()
    assert events_of(calendar_of(session, cast.author)) == {}


def test_another_trust_or_no_role_at_all_sees_nothing(session: Session, cast: Cast) -> None:
    policy_reviewed_on(session, REVIEW, reference="TRUST-1")
    approved_with_actions(session, cast, (date(2027, 5, 3), "Publish the marking rota"))
    elsewhere = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert elsewhere.id is not None
    outsider = make_person(session, "Ola Outsider", Grant(Role.AUTHOR), trust_id=elsewhere.id)
    no_role = make_person(session, "Nia Norole")

    assert calendar_of(session, outsider).events == []
    assert calendar_of(session, no_role).events == []
    assert summaries(session, cast.auditor, "Review due: TRUST-1")  # but the trust's people do


def test_a_new_link_stops_the_old_one_and_is_in_the_audit_trail(
    session: Session, cast: Cast
) -> None:
    first = subscriptions.feed_key(session=session, actor=cast.author)
    seq, _ = head(session)
    second = subscriptions.renew(session=session, actor=cast.author)

    assert (second.user_id, second.generation) == (first.user_id, first.generation + 1)
    assert subscriptions.feed_key(session=session, actor=cast.author) == second
    assert feed_of_key(session, first.user_id, first.generation) is None
    assert feed_of(session, cast.author) is not None
    (event,) = events_after(session, seq)
    assert (event.entity, event.entity_id, event.action) == (
        "user",
        cast.author.user_id,
        "calendar link renewed",
    )
    assert json.loads(event.changes) == {"calendar_generation": [1, 2]}
    assert event.actor_name == "Ann Author"


def test_a_disabled_person_or_no_one_gets_no_calendar(session: Session, cast: Cast) -> None:
    key = subscriptions.feed_key(session=session, actor=cast.author)
    user = session.get(User, key.user_id)
    assert user is not None
    user.disabled = True
    session.add(user)
    session.flush()

    assert feed_of_key(session, key.user_id, key.generation) is None
    assert feed_of_key(session, 999_999, 1) is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Publish the marking rota a term ahead", "Publish the marking rota a term ahead"),
        ("Publish the\nmarking   rota", "Publish the marking rota"),  # on one line
        ("x" * 70, "x" * 59 + "…"),  # no word to cut at
        ("Cut here, " + "y" * 60, "Cut here…"),
    ],
)
def test_an_actions_description_is_shortened_to_a_line(text: str, shown: str) -> None:
    assert brief(text, feed.SUMMARY_LENGTH) == shown
