"""Who is told of a move in the workflow, in the same transaction as the move: the approvers
in scope when a version awaits a decision (never those who had a part in it), its author when
it is returned or approved, each action's owner when its version is approved; each as they
chose to hear of it (an email each, a digest, or none)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from assessments.drafting import mitigation
from assessments.drafting.mitigation import ActionSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import ValidationFailed
from assessments.models import (
    Delivery,
    Notification,
    NotificationKind,
    OutboxMessage,
    User,
)
from assessments.notifications import choices, queries
from assessments.notifications.outbox import Tell, notify, notify_all
from assessments.workflow import transitions as workflow
from tests.factories.answers import FLAGGED, add
from tests.factories.people import Cast, make_cast, make_person
from tests.factories.trusts import make_school
from tests.factories.versions import RETURN_REASON, complete_draft, draft_for, submitted

pytestmark = pytest.mark.usefixtures("rubric_published")


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def told(
    session: Session, actor: Actor, kind: NotificationKind | None = None
) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(session.exec(query.order_by(col(Notification.id))))


def emailed(session: Session, actor: Actor) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.user_id == actor.user_id)
    return list(session.exec(query))


def user(session: Session, actor: Actor) -> User:
    row = session.get(User, actor.user_id)
    assert row is not None
    return row


def test_a_submitted_version_asks_the_approvers_in_scope_who_had_no_part_in_it(
    session: Session, cast: Cast
) -> None:
    here = make_person(session, "Hana Here", Grant(Role.APPROVER, cast.school.id))
    elsewhere = make_person(session, "Eli Elsewhere", Grant(Role.APPROVER, make_school(session).id))
    gone = make_person(session, "Dee Disabled", Grant(Role.APPROVER))
    user(session, gone).disabled = True
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    # Bea Both, an author here and a trust-wide approver, adds an action: she may not decide.
    add(session, cast.author_approver, version_id, FLAGGED[:1])
    workflow.submit(session=session, actor=cast.author, version_id=version_id)

    everyone = (cast.approver, cast.author_approver, here, elsewhere, gone, cast.author)
    asked = {a.name for a in everyone if told(session, a, NotificationKind.AWAITING_DECISION)}
    assert asked == {"Pat Approver", "Hana Here"}
    (notification,) = told(session, cast.approver)
    assert notification.facts["version_id"] == version_id
    assert notification.facts["submitted_by"] == "Ann Author"
    assert notification.subject.startswith("Awaiting your decision: ")
    assert notification.subject.endswith("(version 1)")
    (message,) = emailed(session, cast.approver)  # an email each, unless chosen otherwise
    assert notification.message_id == message.id
    assert message.to_address == user(session, cast.approver).email


def test_a_move_rolled_back_tells_nobody(session: Session, cast: Cast) -> None:
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    savepoint = session.begin_nested()
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    assert told(session, cast.approver)
    savepoint.rollback()
    assert told(session, cast.approver) == []
    assert emailed(session, cast.approver) == []


def test_the_author_hears_of_a_return_with_its_reason(session: Session, cast: Cast) -> None:
    version_id = submitted(session, cast)
    workflow.return_version(
        session=session, actor=cast.approver, version_id=version_id, reason=RETURN_REASON
    )
    (notification,) = told(session, cast.author, NotificationKind.DECIDED)
    assert notification.subject.startswith("Returned: ")
    assert notification.facts["reason"] == RETURN_REASON
    assert notification.facts["approved"] is False
    assert notification.facts["decided_by"] == "Pat Approver"


def test_approval_tells_the_author_and_each_owner_of_an_action_once(
    session: Session, cast: Cast
) -> None:
    owner = make_person(session, "Owen Owner", Grant(Role.AUTHOR, cast.school.id))
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    for description in ("Stop the data drop", "Share the marking rota"):
        mitigation.add_action(
            session=session,
            actor=cast.author,
            version_id=version_id,
            data=ActionSave(
                description=description,
                question_ids=list(FLAGGED[:1]),
                owner_user_id=owner.user_id,
                residual_impact=1,
            ),
        )
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    workflow.approve(session=session, actor=cast.approver, version_id=version_id)

    (decided,) = told(session, cast.author, NotificationKind.DECIDED)
    assert decided.subject.startswith("Approved: ")
    assert decided.facts["review_due"] is not None
    (assigned,) = told(session, owner, NotificationKind.ACTION_ASSIGNED)
    assert assigned.subject.startswith("2 mitigating actions for you: ")
    described = [action["description"] for action in assigned.facts["actions"]]
    assert described == ["Stop the data drop", "Share the marking rota"]
    # The action named for someone without an account (complete_draft's) tells nobody.
    assert len(emailed(session, owner)) == 1


def test_each_person_hears_as_they_chose(session: Session, cast: Cast) -> None:
    choices.choose(
        session=session,
        actor=cast.approver,
        choices={k.value: Delivery.NONE.value for k in choices.CHOSEN_KINDS},
    )
    keen = make_person(session, "Kit Keen", Grant(Role.APPROVER))
    choices.choose(
        session=session,
        actor=keen,
        choices={k.value: Delivery.DAILY.value for k in choices.CHOSEN_KINDS},
    )
    submitted(session, cast)

    for actor, delivery in ((cast.approver, Delivery.NONE), (keen, Delivery.DAILY)):
        (notification,) = told(session, actor)  # listed on their page either way
        assert notification.delivery is delivery
        assert notification.message_id is None  # no email now: none, or the daily digest
        assert emailed(session, actor) == []
    assert choices.chosen(session=session, actor=keen)[NotificationKind.DECIDED] is Delivery.DAILY


def test_a_choice_that_is_not_one_is_refused_by_its_field(session: Session, cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as refused:
        choices.choose(
            session=session,
            actor=cast.approver,
            choices={"awaiting-decision": "hourly", "decided": "none"},
        )
    assert set(refused.value.errors) == {k.value for k in choices.CHOSEN_KINDS} - {"decided"}
    assert "assessments awaiting your decision" in refused.value.errors["awaiting-decision"]
    assert (
        choices.chosen(session=session, actor=cast.approver)[NotificationKind.DECIDED]
        is Delivery.SINGLE
    )  # nothing saved


def test_a_reminder_with_a_key_is_told_once(session: Session, cast: Cast) -> None:
    person = user(session, cast.approver)
    for _ in range(2):
        notify(
            session,
            user=person,
            kind=NotificationKind.REVIEW_DUE,
            subject="Review due",
            facts={"policy_id": 1},
            dedupe_key="review:1:2027-01-31:30",
        )
    assert len(told(session, cast.approver)) == 1
    assert len(emailed(session, cast.approver)) == 1


def test_unsubscribing_stops_one_kind_or_one_digest(session: Session, cast: Cast) -> None:
    user_id = cast.approver.user_id
    assert user_id is not None
    choices.choose(
        session=session,
        actor=cast.approver,
        choices={
            "awaiting-decision": "single",
            "decided": "weekly",
            "action-assigned": "weekly",
            "action-due": "daily",
            "review-due": "single",
        },
    )
    assert choices.stop(session, user_id=user_id, topic="awaiting-decision") == [
        NotificationKind.AWAITING_DECISION
    ]
    assert choices.stop(session, user_id=user_id, topic="awaiting-decision") == []  # again
    assert choices.stop(session, user_id=user_id, topic="weekly") == [
        NotificationKind.DECIDED,
        NotificationKind.ACTION_ASSIGNED,
    ]
    assert choices.stop(session, user_id=user_id, topic="account") == []  # always sent
    assert choices.stop(session, user_id=999_999, topic="decided") == []  # nobody
    now = choices.chosen(session=session, actor=cast.approver)
    assert [k.value for k, d in now.items() if d is not Delivery.NONE] == [
        "action-due",
        "review-due",
    ]


def test_many_told_at_once_each_email_carries_one_of_its_own_recipients(
    session: Session, cast: Cast
) -> None:
    people = [user(session, actor) for actor in (cast.approver, cast.author, cast.auditor)]
    choices.choose(  # one of them keeps a kind for the daily digest
        session=session,
        actor=cast.auditor,
        choices={k.value: Delivery.SINGLE.value for k in choices.CHOSEN_KINDS}
        | {"review-due": Delivery.DAILY.value},
    )
    tells = [
        Tell(
            person, kind, f"{kind} {n} for {person.name}", {"n": n}, f"many:{person.id}:{kind}:{n}"
        )
        for n in range(4)
        for person in people
        for kind in (NotificationKind.REVIEW_DUE, NotificationKind.ACTION_DUE)
    ]
    assert notify_all(session, [*tells, tells[0]]) == len(tells)  # a key given twice: once
    assert notify_all(session, tells) == 0  # told already, by their keys
    written = list(
        session.exec(select(Notification).where(col(Notification.dedupe_key).like("many:%")))
    )
    by_message: dict[int, list[Notification]] = {}
    for notification in written:
        if notification.message_id is not None:
            by_message.setdefault(notification.message_id, []).append(notification)
    assert len(by_message) == len(tells) - 4  # all but the auditor's digest of review reminders
    for message_id, carried in by_message.items():
        message = session.get(OutboxMessage, message_id)
        assert message is not None and len(carried) == 1
        assert message.user_id == carried[0].user_id  # to the person it tells
        assert message.to_address == next(p.email for p in people if p.id == message.user_id)


def test_more_keys_than_a_statement_takes_parameters_and_keys_of_any_text_are_found(
    session: Session, cast: Cast
) -> None:
    person = user(session, cast.approver)
    odd = ['quote\'s "key"', "back\\slash", "naïve:ключ:🙂", "comma, [bracket]", "%(s)s ?"]
    # More than either database takes bound parameters in one statement (65,535 and 32,766).
    keys = [f"many:{n}" for n in range(70_000)] + odd
    told_now = [keys[0], keys[69_999], *odd]
    notify_all(
        session,
        [Tell(person, NotificationKind.REVIEW_DUE, "Review due", {}, key) for key in told_now],
    )
    assert queries.told_keys(session, keys) == set(told_now)
