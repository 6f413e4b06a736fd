"""What particular emails say, as a real SMTP server (aiosmtpd) receives them: a daily digest
of everything waiting, a review reminder, an invitation (always sent, without unsubscribe,
its link opening the form), development mail kept as .eml files without a server, a title
or name typed with a line break going out on one header line, names and titles in any script
arriving as typed, and addresses that are not ASCII going with SMTPUTF8 (or, to a server
without it, given up alone)."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.mail.transport import Email
from app.settings import Settings
from assessments.drafting import queries as version_queries
from assessments.kernel import clock
from assessments.models import Delivery, MessageStatus, User
from assessments.notifications import choices
from assessments.notifications.reminders import run_sweep
from assessments.people import account_links, accounts
from assessments.workflow import transitions as workflow
from tests.app.mail_worker import BASE, cast, mailbox, messages, parts, worker
from tests.factories.people import Cast
from tests.factories.versions import RETURN_REASON, make_version, screen_out, submitted
from tests.mailbox import Mailbox, smtp_server

__all__ = ["cast", "mailbox"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")


def test_a_daily_digest_is_one_email_of_everything_waiting_and_unsubscribes_as_one(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
    anonymous_client: TestClient,
) -> None:
    box, url = mailbox
    choices.choose(
        session=session,
        actor=cast.approver,
        choices={k.value: Delivery.DAILY.value for k in choices.CHOSEN_KINDS},
    )
    first, second = submitted(session, cast), submitted(session, cast)
    delivering = worker(connection, settings, url)
    delivering.deliver_all()
    assert box.to("pat.approver@accounts.example") == []  # waiting for the digest
    assert delivering.sweep(clock.today()).digests >= 1
    delivering.deliver_all()

    (digest,) = box.to("pat.approver@accounts.example")
    assert digest["Subject"] == "Today's notifications from the Workload Impact Register (2)"
    text, html = parts(digest)
    for version_id in (first, second):
        assert f"{BASE}/assessments/{version_id}/review" in text
        assert f'href="{BASE}/assessments/{version_id}/review"' in html
    assert text.count("* Awaiting your decision: ") == 2
    link = re.fullmatch(r"<(.+)>", digest["List-Unsubscribe"])
    assert link is not None
    anonymous_client.post(link[1].removeprefix(BASE))
    assert set(choices.chosen(session=session, actor=cast.approver).values()) == {Delivery.NONE}


def test_a_review_reminder_links_to_its_policy(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    policy = version_queries.policy_of_version(
        session, version_queries.get_version(session, submitted(session, cast))
    )
    policy.owner_user_id, policy.next_review_date = cast.author.user_id, clock.today()
    session.add(policy)
    run_sweep(session, today=clock.today() + timedelta(days=7))
    worker(connection, settings, url).deliver_all()
    (reminder,) = box.to("ann.author@accounts.example")
    assert reminder["Subject"] == f"Review overdue by 1 week: {policy.reference} {policy.title}"
    text, html = parts(reminder)
    assert "falls due on" in text and "(overdue by 1 week)" in text
    assert f'href="{BASE}/policies/{policy.id}"' in html


def test_an_invitation_is_always_sent_has_no_unsubscribe_and_its_link_opens_the_form(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    mailbox: tuple[Mailbox, str],
    anonymous_client: TestClient,
) -> None:
    box, url = mailbox
    operator = accounts.operator_of_trust(session=session, trust_name="Local trust")
    ivy = accounts.create_user(
        session=session,
        actor=operator,
        trust_id=operator.trust_id or 0,
        email="ivy@local.example",
        name="Ivy Invited",
        password=None,
        grants=[],
    )
    choices.choose(  # no emails of any kind she may choose: an invitation still comes
        session=session,
        actor=accounts.actor_of(session, ivy),
        choices={k.value: Delivery.NONE.value for k in choices.CHOSEN_KINDS},
    )
    assert ivy.id is not None
    account_links.reinvite(session=session, actor=operator, user_id=ivy.id, now=clock.now())
    worker(connection, settings, url).deliver_all()
    _, email = box.to("ivy@local.example")  # the first invitation, and the one sent again
    assert email["Subject"] == "Set your password for the Workload Impact Register"
    assert email["List-Unsubscribe"] is None
    text, html = parts(email)
    assert "Your trust's administrator has added you to the Workload Impact Register of " in text
    link = re.search(rf"{BASE}(/account/set-password/\S+)", text)
    assert link is not None and f'href="{BASE}{link[1]}"' in html
    form = anonymous_client.get(link[1])
    assert form.status_code == 200 and "For ivy@local.example." in form.text


def test_the_worker_answers_a_reset_asked_for_with_a_link_by_email(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    for address in ("Ann.Author@accounts.example", "no.one@accounts.example"):
        account_links.request_reset(session=session, email=address, now=clock.now())
    assert box.messages == []
    worker(connection, settings, url).deliver_all()
    (email,) = box.messages
    assert email["To"].addresses[0].addr_spec == "ann.author@accounts.example"
    assert email["Subject"] == "Reset your password for the Workload Impact Register"
    assert f"{BASE}/account/set-password/" in parts(email)[0]


def test_without_a_mail_server_development_mail_is_kept_as_eml_files(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast, tmp_path: Path
) -> None:
    submitted(session, cast)
    folder = tmp_path / "mail"
    delivering = worker(connection, settings.model_copy(update={"mail_dir": folder}), "")
    assert delivering.check_mail_server() is None
    assert delivering.deliver_all().sent == 2
    files = sorted(folder.glob("*.eml"))
    assert [f.name for f in files] == [f"outbox.{m.id}@localhost.eml" for m in messages(session)]
    read = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(read, EmailMessage)
    assert read["Subject"].startswith("Awaiting your decision: ")
    assert parts(read)[0].startswith("Dear ")


def test_a_title_or_name_typed_with_a_line_break_goes_out_on_one_line(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    version_id = submitted(session, cast)
    policy = version_queries.policy_of_version(
        session, version_queries.get_version(session, version_id)
    )
    pat = session.get(User, cast.approver.user_id)
    assert pat is not None
    policy.title, pat.name = "Homework\r\nBcc: someone@else.example", "Pat\nApprover"
    session.add_all([policy, pat])
    workflow.return_version(
        session=session, actor=cast.approver, version_id=version_id, reason=RETURN_REASON
    )
    done = worker(connection, settings, url).deliver_all()
    assert done.not_sent == 0
    (returned,) = box.to("ann.author@accounts.example")
    assert "Bcc: someone@else.example" in returned["Subject"]  # flattened into the subject
    assert returned["Bcc"] is None
    (asked,) = box.to("pat.approver@accounts.example")
    assert asked["To"] == "Pat Approver <pat.approver@accounts.example>"


ENCODED_WORD = re.compile(rb"=\?[^?]+\?[bqBQ]\?[^?]*\?=")


def test_names_and_titles_in_any_script_arrive_as_typed(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    version_id = submitted(session, cast)
    policy = version_queries.policy_of_version(
        session, version_queries.get_version(session, version_id)
    )
    pat, ann = session.get(User, cast.approver.user_id), session.get(User, cast.author.user_id)
    assert pat is not None and ann is not None
    title = "Politique des devoirs — année scolaire 2027, écoles primaires et collèges ✓ " * 2
    pat_name = "Siân Óisín Ní Bhriain-Llewellyn, Jr."  # its address would overrun its line
    policy.title, pat.name, ann.name = title.strip(), pat_name, 'Zoë "Z" Ng'
    session.add_all([policy, pat, ann])
    workflow.return_version(
        session=session, actor=cast.approver, version_id=version_id, reason=RETURN_REASON
    )
    assert worker(connection, settings, url).deliver_all().not_sent == 0

    (returned,) = box.to("ann.author@accounts.example")
    assert policy.title[:60] in returned["Subject"]
    assert returned["To"].addresses[0].display_name == 'Zoë "Z" Ng'
    assert parts(returned)[0].startswith('Dear Zoë "Z" Ng')
    (asked,) = box.to("pat.approver@accounts.example")
    assert asked["To"].addresses[0].display_name == pat_name
    for raw in box.raw:  # on the wire: ASCII, each encoded word within RFC 2047's 75
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert head.isascii()
        assert all(len(word) <= 75 for word in ENCODED_WORD.findall(head))
        lines = head.split(b"\r\n")
        assert all(len(line) <= 76 for line in lines if ENCODED_WORD.search(line))
        assert all(len(line) <= 998 for line in lines)


def test_an_address_that_is_not_ascii_goes_with_smtputf8_or_alone_is_given_up(
    session: Session, connection: sa.Connection, settings: Settings, cast: Cast
) -> None:
    submitted(session, cast)
    pat = session.get(User, cast.approver.user_id)
    assert pat is not None
    pat.email = "pât@écoles.example"
    session.add(pat)
    session.flush()
    with smtp_server() as (old, old_url):  # a server without SMTPUTF8
        done = worker(connection, settings, old_url).deliver_all()
    assert (done.sent, done.not_sent, done.failing) == (1, 1, False)  # the other one went
    (refused,) = [m for m in messages(session) if m.status is MessageStatus.FAILED]
    assert "does not offer SMTPUTF8" in refused.last_error
    assert [str(m["To"]) for m in old.messages] == ["Bea Both <bea.both@accounts.example>"]

    refused.status, refused.attempts = MessageStatus.PENDING, 0
    session.add(refused)
    session.flush()
    with smtp_server(smtputf8=True) as (box, url):
        assert worker(connection, settings, url).deliver_all().sent == 1
    (arrived,) = box.raw  # RFC 6532: the header in UTF-8, as the envelope is
    assert "To: Pat Approver <pât@écoles.example>\r\n".encode() in arrived


def test_a_header_is_written_as_composed_but_never_as_two() -> None:
    folded = MIMEMultipart()
    folded["Subject"] = "=?utf-8?q?Ann=C3=A9e?=\n =?utf-8?q?scolaire?="
    written = Email.of("wia@trust.example", "ann@school.example", folded).data
    assert b"Subject: =?utf-8?q?Ann=C3=A9e?=\r\n =?utf-8?q?scolaire?=\r\n" in written
    for breaking in ("\n", "\r", "\x0c", "\x0b", "\x1c", "\u2028"):
        injected = MIMEMultipart()
        injected["Subject"] = f"Hello{breaking}Bcc: someone@else.example"
        with pytest.raises(ValueError, match="start a header of its own"):
            Email.of("wia@trust.example", "ann@school.example", injected)


def test_an_author_sent_back_for_the_full_assessment_is_told_so(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
) -> None:
    box, url = mailbox
    screened = make_version(
        session, "submitted", actor=cast.author, fill=screen_out, school_id=cast.school.id
    )
    assert screened.id is not None
    workflow.require_full(
        session=session, actor=cast.approver, version_id=screened.id, reason="Hours move"
    )
    assert worker(connection, settings, url).deliver_all().not_sent == 0

    (told,) = box.to("ann.author@accounts.example")
    text, html = parts(told)
    for body in (text, html):
        assert "Hours move" in body
        assert "They asked for the full assessment" in body
