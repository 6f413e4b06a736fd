"""The worker delivers the outbox to a real SMTP server (aiosmtpd on a free port): each
message once, with a plain-text and an HTML part, links into the service and a one-click
unsubscribe that works; a server that refuses for now is tried again later, one that refuses
for good, or cannot be reached, is recorded, and nothing is lost meanwhile; a batch whose
hold has half gone gives the rest back rather than send them late."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel import clock
from assessments.models import Delivery, MessageStatus, NotificationKind, User
from assessments.notifications import choices, delivery
from assessments.workflow import transitions as workflow
from tests.app.mail_worker import BASE, cast, mailbox, messages, parts, worker
from tests.factories.people import Cast
from tests.factories.versions import RETURN_REASON, submitted
from tests.mailbox import PASSWORD, USERNAME, Mailbox, free_port, smtp_server

__all__ = ["cast", "mailbox"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")


def test_a_decision_reaches_its_author_once_with_both_parts_and_its_links(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    version_id = submitted(session, cast)
    workflow.return_version(
        session=session, actor=cast.approver, version_id=version_id, reason=RETURN_REASON
    )
    delivering = worker(connection, settings, url)
    done = delivering.deliver_all()
    assert done.sent == 3  # the approvers asked (Pat, and Bea Both), then the author told
    assert delivering.deliver_all().sent == 0  # never twice

    (email,) = box.to("ann.author@accounts.example")
    assert email["Subject"].startswith("Returned: ")
    assert email["To"] == "Ann Author <ann.author@accounts.example>"
    assert email["Auto-Submitted"] == "auto-generated"
    text, html = parts(email)
    assert RETURN_REASON in text and RETURN_REASON in html
    assert f"{BASE}/assessments/{version_id}/summary" in text
    assert f'href="{BASE}/assessments/{version_id}/summary"' in html
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(m.status is MessageStatus.SENT for m in messages(session))


def test_the_one_click_unsubscribe_stops_that_kind_without_signing_in(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
    anonymous_client: TestClient,
) -> None:
    box, url = mailbox
    submitted(session, cast)
    worker(connection, settings, url).deliver_all()
    (email,) = box.to("pat.approver@accounts.example")
    link = re.fullmatch(r"<(.+)>", email["List-Unsubscribe"])
    assert link is not None and link[1].startswith(f"{BASE}/notifications/unsubscribe/")
    # On the wire as one plain header line: a mail client reads no RFC 2047 encoded-word there.
    (raw,) = [r for r in box.raw if b"pat.approver@accounts.example" in r]
    assert f"List-Unsubscribe: {email['List-Unsubscribe']}\r\n".encode() in raw
    path = link[1].removeprefix(BASE)

    page = anonymous_client.get(path)  # following the link only asks
    assert page.status_code == 200 and "Stop these emails?" in page.text
    assert (
        choices.chosen(session=session, actor=cast.approver)[NotificationKind.AWAITING_DECISION]
        is Delivery.SINGLE
    )
    # RFC 8058: the mail client POSTs the form below, without cookies or a CSRF token.
    stopped = anonymous_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200
    assert "Assessments awaiting your decision" in stopped.text
    assert (
        choices.chosen(session=session, actor=cast.approver)[NotificationKind.AWAITING_DECISION]
        is Delivery.NONE
    )
    assert (
        choices.chosen(session=session, actor=cast.approver)[NotificationKind.DECIDED]
        is Delivery.SINGLE
    )  # only that kind


@pytest.mark.parametrize(
    "token", ["1.decided.AAAA", "2.decided", "x", "1.decided." + "A" * 24, "1.decided.é", "é"]
)
def test_an_unsubscribe_link_not_made_by_the_service_does_nothing(
    anonymous_client: TestClient, token: str
) -> None:
    for response in (
        anonymous_client.get(f"/notifications/unsubscribe/{token}"),
        anonymous_client.post(f"/notifications/unsubscribe/{token}"),
    ):
        assert response.status_code == 404
        assert "This link does not work" in response.text


def test_a_server_refusing_for_now_is_tried_again_later(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    submitted(session, cast)
    box.refuse_data = "451 4.3.0 Mailbox busy, try later"
    delivering = worker(connection, settings, url)
    now = clock.now()
    done = delivering.deliver_all(now=now)
    assert (done.sent, done.not_sent, done.failing) == (0, 1, True)  # the round stops there
    first, second = messages(session)
    assert first.status is MessageStatus.PENDING and first.attempts == 1
    assert "451 4.3.0 Mailbox busy" in first.last_error
    assert first.next_attempt_at >= now + timedelta(minutes=1)
    assert second.attempts == 0  # untouched: the round stopped at the first refusal

    box.refuse_data = None
    assert delivering.deliver_all(now=now).sent == 1  # the second; the first waits its turn
    assert delivering.deliver_all(now=now + timedelta(minutes=2)).sent == 1
    assert len(box.messages) == 2
    assert all(m.status is MessageStatus.SENT for m in messages(session))


def test_an_address_refused_for_good_is_given_up_and_the_rest_still_go(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    submitted(session, cast)
    box.refuse_recipient = "550 5.1.1 No such mailbox"
    done = worker(connection, settings, url).deliver_all()
    assert (done.sent, done.not_sent) == (0, 2)
    assert [m.status for m in messages(session)] == [MessageStatus.FAILED] * 2
    assert "550 5.1.1 No such mailbox" in messages(session)[0].last_error


def test_after_its_last_try_a_message_is_given_up(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    submitted(session, cast)
    box.refuse_data = "452 4.3.1 Insufficient system storage"
    delivering = worker(connection, settings, url)
    later = clock.now()
    # A round stops at the first refusal: the two messages take turns.
    for _ in range(2 * settings.outbox_max_attempts + 2):
        delivering.deliver_all(now=later)
        later += timedelta(days=1)
    statuses = {m.attempts: m.status for m in messages(session)}
    assert statuses == {settings.outbox_max_attempts: MessageStatus.FAILED}
    assert box.messages == []


def test_an_unreachable_server_loses_nothing(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast
) -> None:
    submitted(session, cast)
    delivering = worker(connection, settings, f"smtp://127.0.0.1:{free_port()}")
    assert "Cannot reach the mail server smtp://127.0.0.1:" in (
        delivering.check_mail_server() or ""
    )
    done = delivering.deliver_all()
    assert (done.sent, done.not_sent, done.failing) == (0, 2, True)  # the batch, given back
    for message in messages(session):
        assert message.status is MessageStatus.PENDING and "Cannot reach" in message.last_error
        assert message.attempts == 0  # the server's fault, not the message's: no try used up
        assert message.claimed_until is None  # the next round takes it at once
    for _ in range(settings.outbox_max_attempts + 2):  # a long outage gives nothing up
        delivering.deliver_all()
    assert {m.status for m in messages(session)} == {MessageStatus.PENDING}


def test_a_server_asking_for_credentials_gets_them_and_says_when_they_are_wrong(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast
) -> None:
    submitted(session, cast)
    with smtp_server(requires_login=True) as (box, url):
        host = url.removeprefix("smtp://")
        wrong = worker(connection, settings, f"smtp://{USERNAME}:nope@{host}")
        problem = wrong.check_mail_server() or ""
        assert "refused the username and password: 535" in problem
        assert "nope" not in problem  # never the password in the log or the admins' view
        secret = PASSWORD.replace(" ", "%20").replace(":", "%3A").replace("&", "%26")
        right = worker(connection, settings, f"smtp://{USERNAME}:{secret}@{host}")
        assert right.check_mail_server() is None
        assert right.deliver_all().sent == 2
        assert len(box.messages) == 2


def test_a_disabled_account_is_not_emailed(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    submitted(session, cast)
    pat = session.get(User, cast.approver.user_id)
    assert pat is not None
    pat.disabled = True
    session.add(pat)
    session.flush()
    done = worker(connection, settings, url).deliver_all()
    assert done.sent == 1
    assert box.to("pat.approver@accounts.example") == []
    dropped = [m for m in messages(session) if m.status is MessageStatus.FAILED]
    assert [m.last_error for m in dropped] == ["Not sent: the account is disabled"]


def test_a_server_wanting_a_sign_in_we_did_not_give_gives_nothing_up(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast
) -> None:
    submitted(session, cast)
    with smtp_server(requires_login=True) as (box, url):
        done = worker(connection, settings, url).deliver_all()  # no credentials in the URL
    assert (done.sent, done.failing) == (0, True)
    first, *_ = messages(session)
    assert (first.status, first.attempts) == (MessageStatus.PENDING, 0)
    assert "refused to send from" in first.last_error and "530" in first.last_error
    assert box.messages == []


@dataclass
class SlowMailbox(Mailbox):
    """A server that takes `seconds` to accept the first message."""

    seconds: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.messages:
            await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


def test_a_batch_whose_hold_is_half_gone_gives_the_rest_back_unsent(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast
) -> None:
    submitted(session, cast)
    held = settings.model_copy(update={"outbox_lease_seconds": 1})
    with smtp_server(SlowMailbox(seconds=0.6)) as (box, url):
        delivering = worker(connection, held, url)
        assert delivering.deliver().sent == 1  # half the second's hold went on the first
        first, second = messages(session)
        assert first.status is MessageStatus.SENT
        assert (second.status, second.attempts, second.claimed_until) == (
            MessageStatus.PENDING,
            0,
            None,  # not left held: the next round takes it at once
        )
        assert delivering.deliver().sent == 1
    assert len(box.messages) == 2


def test_a_message_refused_for_its_content_is_given_up_and_blocks_nothing(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    submitted(session, cast)
    box.refuse_data = "550 5.7.1 Message rejected as spam"
    done = worker(connection, settings, url).deliver_all()
    assert (done.sent, done.not_sent, done.failing) == (0, 2, False)  # each tried, in one round
    assert [m.status for m in messages(session)] == [MessageStatus.FAILED] * 2
    assert "550 5.7.1 Message rejected as spam" in messages(session)[0].last_error


def test_a_hold_that_ran_out_is_another_workers_and_stands(
    session: Session, cast: Cast, settings: Settings
) -> None:
    submitted(session, cast)
    lease, start = timedelta(minutes=5), clock.now()
    first = delivery.take(session, now=start, lease=lease, limit=10)
    # The first worker stalls past its hold; a second takes the messages.
    second = delivery.take(session, now=start + lease + timedelta(seconds=1), lease=lease, limit=10)
    assert [o.message.id for o in second] == [o.message.id for o in first]
    theirs = second[0].message.claimed_until
    mine = start + lease
    ids = [o.message.id or 0 for o in first]
    delivery.release(session, ids, held_until=mine, error="given back late")
    delivery.mark_not_sent(
        session,
        ids[0],
        now=clock.now(),
        error="failed late",
        max_attempts=settings.outbox_max_attempts,
        held_until=mine,
    )
    for message in messages(session):
        assert message.claimed_until == theirs  # still the second worker's
        assert (message.attempts, message.last_error) == (0, "")


def test_an_unexpected_failure_gives_the_batch_back_at_once(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast, tmp_path: Path
) -> None:
    submitted(session, cast)
    not_a_folder = tmp_path / "mail"
    not_a_folder.write_text("a file where the mail folder should be")
    broken = worker(connection, settings.model_copy(update={"mail_dir": not_a_folder}), "")
    with pytest.raises(OSError):
        broken.deliver_all()
    for message in messages(session):
        assert (message.status, message.claimed_until) == (MessageStatus.PENDING, None)
