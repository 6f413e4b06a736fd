"""What the sweep's bulk writes keep of an ordinary INSERT and UPDATE: the database's refusal
comes as SQLAlchemy's (so that what handles those still does), with nothing half-written;
and a message marked sent twice (its first answer lost with the connection) is marked once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from assessments.kernel import clock
from assessments.models import Delivery, NotificationKind, OutboxMessage, User
from assessments.notifications import delivery, queries
from assessments.notifications.outbox import notify
from tests.factories.people import make_cast


def _approver(session: Session) -> User:
    person = session.get(User, make_cast(session).approver.user_id)
    assert person is not None
    return person


def _row(person: User, key: str) -> dict[str, object]:
    return {
        "trust_id": person.trust_id,
        "user_id": person.id,
        "kind": NotificationKind.REVIEW_DUE,
        "subject": "Review due",
        "facts": {"policy_id": 1},
        "dedupe_key": key,
        "delivery": Delivery.SINGLE,
        "message_id": None,
        "created_at": clock.now(),
    }


def test_a_key_told_twice_is_refused_as_an_integrity_error_and_nothing_is_written(
    session: Session,
) -> None:
    person = _approver(session)
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        queries.insert_notifications(session, [_row(person, "twice"), _row(person, "twice")])
    assert queries.told_keys(session, ["twice"]) == set()
    queries.insert_notifications(session, [_row(person, "once")])  # the session still serves
    assert queries.told_keys(session, ["once", "twice"]) == {"once"}


def test_rows_with_different_columns_are_refused_before_anything_is_written(
    session: Session,
) -> None:
    person = _approver(session)
    short = _row(person, "short")
    del short["facts"]
    with pytest.raises(ValueError, match="different columns"):
        queries.insert_notifications(session, [_row(person, "full"), short])
    assert queries.told_keys(session, ["full", "short"]) == set()


def test_a_message_marked_sent_twice_is_marked_once(session: Session) -> None:
    person = _approver(session)
    notify(session, user=person, kind=NotificationKind.REVIEW_DUE, subject="Due", facts={})
    message = session.exec(select(OutboxMessage)).one()
    assert message.id is not None
    first = clock.now()
    delivery.mark_sent(session, message.id, now=first)
    delivery.mark_sent(session, message.id, now=clock.now())
    session.expire_all()
    marked = session.get(OutboxMessage, message.id)
    assert marked is not None
    assert (marked.status.value, marked.attempts, marked.sent_at) == ("sent", 1, first)
