"""How the worker sends a batch on one connection (to a real aiosmtpd server): its own work is
done while the server reads, not after the server answers (the last message marked sent while
the server reads the next one's first command, the next composed while it reads the message),
so a message that cannot be composed is given up there without holding up the rest; and the
message goes on the wire as composed, a line that starts with a dot included."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.mail.transport import Email, transport_for
from app.settings import Settings
from assessments.models import MessageStatus, NotificationKind, User
from assessments.notifications.outbox import notify
from tests.app.mail_worker import cast, mailbox, messages, worker
from tests.factories.people import Cast
from tests.mailbox import Mailbox, smtp_server

__all__ = ["cast", "mailbox"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")


def _remind(session: Session, person: User, number: int, facts: dict[str, Any]) -> None:
    notify(
        session,
        user=person,
        kind=NotificationKind.REVIEW_DUE,
        subject=f"Review due in 30 days: HW-{number}",
        facts=facts,
    )


def _review(number: int) -> dict[str, Any]:
    return {
        "policy_id": number,
        "reference": f"HW-{number}",
        "title": "Homework",
        "due": "2027-01-31",
        "when": "in 30 days",
    }


def test_a_message_that_cannot_be_composed_is_given_up_and_the_next_still_goes(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    person = session.get(User, cast.author.user_id)
    assert person is not None
    _remind(session, person, 1, _review(1))
    _remind(session, person, 2, {"reference": "HW-2"})  # its link cannot be made: a bug
    _remind(session, person, 3, _review(3))
    done = worker(connection, settings, url).deliver_all()
    assert (done.sent, done.not_sent, done.failing) == (2, 1, False)
    first, broken, last = messages(session)
    assert (first.status, last.status) == (MessageStatus.SENT, MessageStatus.SENT)
    assert broken.status is MessageStatus.FAILED
    assert broken.last_error.startswith("Cannot be written: KeyError('policy_id')")
    assert [m["Subject"] for m in box.messages] == [
        "Review due in 30 days: HW-1",
        "Review due in 30 days: HW-3",
    ]


class AnsweringLate(Mailbox):
    """Answers a message's first command, and the message, only once the sender says it has
    done its work meanwhile (a sender that waited for the answer first would be stuck)."""

    def __init__(self) -> None:
        super().__init__()
        self.first_done, self.meanwhile_done = threading.Event(), threading.Event()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if not self.first_done.wait(timeout=10):
            return "451 4.3.0 the sender never did its work while we read its MAIL"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.meanwhile_done.wait(timeout=10):
            return "451 4.3.0 the sender never did its work while we read the message"
        return await super().handle_DATA(server, session, envelope)


def test_the_sender_works_while_the_server_reads_and_the_message_arrives_as_composed(
    settings: Settings,
) -> None:
    box = AnsweringLate()
    # The body's own lines: one starting with a dot (which SMTP ends a message with, unless
    # doubled on the wire), one that is only a dot.
    data = b"Subject: dots\r\nMessage-ID: <dots@wia.example>\r\n\r\n.hidden\r\n.\r\nend\r\n"
    email = Email("wia@wia.example", "ann@school.example", "<dots@wia.example>", data)
    done: list[str] = []

    def first() -> None:
        done.append("first")
        box.first_done.set()

    def meanwhile() -> None:
        done.append("meanwhile")
        box.meanwhile_done.set()

    with (
        smtp_server(box) as (_, url),
        transport_for(settings.model_copy(update={"smtp_url": url})) as transport,
    ):
        transport.send(email, first=first, meanwhile=meanwhile)
    assert done == ["first", "meanwhile"]
    assert box.raw == [data]
