"""The daily sweep, run for chosen days: a policy's owner is reminded before its review falls
due (the trust's offsets, 60, 30 and 7 days by default), on the day, then weekly; an action's
owner a set number of days before it is due, then weekly while it is overdue; each reminder
once, however often the sweep runs, and a missed day is caught up with the reminder due now.
Digests gather what a person chose to hear of daily or weekly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from assessments.drafting import mitigation, queries as version_queries
from assessments.drafting.mitigation import ActionSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import (
    Delivery,
    Notification,
    NotificationKind,
    OutboxMessage,
    Policy,
    PolicyStatus,
    Trust,
    User,
)
from assessments.notifications import choices
from assessments.notifications.reminders import action_stage, review_stage, run_sweep
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.workflow import transitions as workflow
from tests.factories.answers import FLAGGED
from tests.factories.people import Cast, make_cast, make_person
from tests.factories.trusts import LOCAL_TRUST_ID
from tests.factories.versions import complete_draft, draft_for

pytestmark = pytest.mark.usefixtures("rubric_published")
MONDAY = date(2027, 3, 1)


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@pytest.fixture
def owner(session: Session, cast: Cast) -> Actor:
    return make_person(session, "Olu Owner", Grant(Role.AUTHOR, cast.school.id))


def _approved_policy(
    session: Session, cast: Cast, owner: Actor, *, action_due: date | None
) -> Policy:
    """A policy owned by `owner`, its assessment approved with one action `owner` carries
    out (due on `action_due`)."""
    version_id = draft_for(session, cast, owner_user_id=owner.user_id, owner="")
    complete_draft(session, cast.author, version_id)
    mitigation.add_action(
        session=session,
        actor=cast.author,
        version_id=version_id,
        data=ActionSave(
            description="Publish the marking rota a term ahead",
            question_ids=list(FLAGGED[:1]),
            owner_user_id=owner.user_id,
            due_date=action_due,
            residual_impact=1,
        ),
    )
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    workflow.approve(session=session, actor=cast.approver, version_id=version_id)
    version = version_queries.get_version(session, version_id)
    return version_queries.policy_of_version(session, version)


def _review_due_on(session: Session, policy: Policy, day: date) -> None:
    policy.next_review_date = day
    session.add(policy)
    session.flush()


def reminders(session: Session, actor: Actor, kind: NotificationKind) -> list[str]:
    query = (
        select(Notification)
        .where(Notification.user_id == actor.user_id, Notification.kind == kind)
        .order_by(col(Notification.id))
    )
    return [n.subject for n in session.exec(query)]


def sweep_days(session: Session, first: date, last: date) -> None:
    day = first
    while day <= last:
        run_sweep(session, today=day)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (61, None),
        (60, "before-60"),
        (31, "before-60"),
        (30, "before-30"),
        (8, "before-30"),
        (7, "before-7"),
        (1, "before-7"),
        (0, "due"),
        (-6, "due"),
        (-7, "overdue-1"),
        (-13, "overdue-1"),
        (-14, "overdue-2"),
    ],
)
def test_a_reviews_reminder_is_the_nearest_offset_reached(
    days_left: int, stage: str | None
) -> None:
    assert review_stage(days_left, [60, 30, 7]) == stage


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (8, None),
        (7, "soon"),
        (0, "soon"),
        (-1, "overdue-0"),
        (-7, "overdue-0"),
        (-8, "overdue-1"),
        (-15, "overdue-2"),
    ],
)
def test_an_actions_reminder_is_before_it_is_due_then_weekly(
    days_left: int, stage: str | None
) -> None:
    assert action_stage(days_left, 7) == stage


def test_a_reviews_owner_is_reminded_at_each_offset_on_the_day_and_weekly_after(
    session: Session, cast: Cast, owner: Actor
) -> None:
    policy = _approved_policy(session, cast, owner, action_due=None)
    _review_due_on(session, policy, MONDAY + timedelta(days=60))
    sweep_days(session, MONDAY, MONDAY + timedelta(days=74))

    name = f"{policy.reference} {policy.title}"
    assert reminders(session, owner, NotificationKind.REVIEW_DUE) == [
        f"Review due in 60 days: {name}",
        f"Review due in 30 days: {name}",
        f"Review due in 7 days: {name}",
        f"Review due today: {name}",
        f"Review overdue by 1 week: {name}",
        f"Review overdue by 2 weeks: {name}",
    ]
    assert run_sweep(session, today=MONDAY + timedelta(days=74)).already_run


def test_a_sweep_twice_in_a_day_sends_nothing_more_and_a_missed_day_is_caught_up(
    session: Session, cast: Cast, owner: Actor
) -> None:
    policy = _approved_policy(session, cast, owner, action_due=None)
    _review_due_on(session, policy, MONDAY + timedelta(days=20))
    first = run_sweep(session, today=MONDAY)  # 20 days left: the 30-day reminder, late
    again = run_sweep(session, today=MONDAY)
    assert (first.reminders, again.already_run, again.reminders) == (1, True, 0)
    run_sweep(session, today=MONDAY + timedelta(days=1))  # still within 30: nothing new
    run_sweep(session, today=MONDAY + timedelta(days=16))  # 4 days left, the 7 days' missed
    assert [s.split(":")[0] for s in reminders(session, owner, NotificationKind.REVIEW_DUE)] == [
        "Review due in 20 days",
        "Review due in 4 days",
    ]


def test_the_trust_chooses_its_offsets(session: Session, cast: Cast, owner: Actor) -> None:
    trust = session.get(Trust, LOCAL_TRUST_ID)
    assert trust is not None
    trust.review_reminder_days = [14]
    session.add(trust)
    policy = _approved_policy(session, cast, owner, action_due=None)
    _review_due_on(session, policy, MONDAY + timedelta(days=30))
    sweep_days(session, MONDAY, MONDAY + timedelta(days=20))
    assert [s.split(":")[0] for s in reminders(session, owner, NotificationKind.REVIEW_DUE)] == [
        "Review due in 14 days"
    ]


def test_a_retired_policy_or_a_disabled_owner_is_not_reminded(
    session: Session, cast: Cast, owner: Actor
) -> None:
    policy = _approved_policy(session, cast, owner, action_due=None)
    _review_due_on(session, policy, MONDAY)
    policy.status = PolicyStatus.RETIRED
    session.add(policy)
    run_sweep(session, today=MONDAY)
    policy.status = PolicyStatus.IN_FORCE
    person = session.get(User, owner.user_id)
    assert person is not None
    person.disabled = True
    session.add_all([policy, person])
    run_sweep(session, today=MONDAY + timedelta(days=1))
    assert reminders(session, owner, NotificationKind.REVIEW_DUE) == []


def test_an_actions_owner_is_reminded_before_and_weekly_while_overdue_until_it_is_done(
    session: Session, cast: Cast, owner: Actor
) -> None:
    due = MONDAY + timedelta(days=10)
    policy = _approved_policy(session, cast, owner, action_due=due)
    _review_due_on(session, policy, MONDAY + timedelta(days=365))
    sweep_days(session, MONDAY, due + timedelta(days=8))
    (action_id,) = {
        n.facts["action_id"]
        for n in session.exec(select(Notification).where(Notification.user_id == owner.user_id))
        if n.kind is NotificationKind.ACTION_DUE
    }
    recording.record_progress(
        session=session,
        actor=owner,
        action_id=action_id,
        data=ProgressSave(status="done", note="Rota published", done_on=due + timedelta(days=9)),
        today=due + timedelta(days=9),
    )
    sweep_days(session, due + timedelta(days=9), due + timedelta(days=30))
    assert [s.split(":")[0] for s in reminders(session, owner, NotificationKind.ACTION_DUE)] == [
        "Action due in 7 days",
        "Action overdue by 1 day",
        "Action overdue by 1 week",
    ]


def test_digests_gather_what_waits_daily_or_on_mondays(
    session: Session, cast: Cast, owner: Actor
) -> None:
    for person, delivery in ((cast.approver, Delivery.DAILY), (owner, Delivery.WEEKLY)):
        choices.choose(
            session=session,
            actor=person,
            choices={k.value: delivery.value for k in choices.CHOSEN_KINDS},
        )
    policy = _approved_policy(session, cast, owner, action_due=MONDAY + timedelta(days=9))
    _review_due_on(session, policy, MONDAY + timedelta(days=14))

    tuesday = MONDAY + timedelta(days=1)
    report = run_sweep(session, today=tuesday)
    assert report.digests == 1  # the approver's daily one; the owner's waits for Monday
    (daily,) = session.exec(
        select(OutboxMessage).where(OutboxMessage.user_id == cast.approver.user_id)
    ).all()
    assert daily.digest is Delivery.DAILY
    sweep_days(session, tuesday + timedelta(days=1), MONDAY + timedelta(days=7))
    (weekly,) = session.exec(select(OutboxMessage).where(OutboxMessage.user_id == owner.user_id))
    assert weekly.created_at >= daily.created_at  # made by the next Monday's sweep
    assert weekly.digest is Delivery.WEEKLY
    carried = session.exec(select(Notification).where(Notification.message_id == weekly.id))
    assert sorted(n.subject.split(":")[0] for n in carried) == [
        "A mitigating action for you",
        "Action due in 7 days",  # on the Wednesday
        "Review due in 13 days",  # the 30 days' reminder, on Tuesday
        "Review due in 7 days",
    ]


def test_a_missed_mondays_weekly_digest_goes_out_with_the_next_sweep(
    session: Session, cast: Cast, owner: Actor
) -> None:
    choices.choose(
        session=session,
        actor=owner,
        choices={k.value: Delivery.WEEKLY.value for k in choices.CHOSEN_KINDS},
    )
    run_sweep(session, today=MONDAY - timedelta(days=3))  # a Friday: the sweep was running
    _approved_policy(session, cast, owner, action_due=None)  # tells the owner, for the digest
    assert run_sweep(session, today=MONDAY + timedelta(days=1)).digests == 1  # Monday missed
    assert run_sweep(session, today=MONDAY + timedelta(days=2)).digests == 0


def test_stopping_a_kind_stops_what_waits_for_its_digest(
    session: Session, cast: Cast, owner: Actor
) -> None:
    choices.choose(
        session=session,
        actor=cast.approver,
        choices={k.value: Delivery.DAILY.value for k in choices.CHOSEN_KINDS},
    )
    submitted_version = draft_for(session, cast)
    complete_draft(session, cast.author, submitted_version)
    workflow.submit(session=session, actor=cast.author, version_id=submitted_version)
    assert cast.approver.user_id is not None
    choices.stop(session, user_id=cast.approver.user_id, topic="daily")  # one click
    assert run_sweep(session, today=MONDAY).digests == 0
