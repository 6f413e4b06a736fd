"""An outbox message as an email: a plain-text and an HTML part written from the facts of the
notifications it carries (templates/email/), with links into the service and, for everything
but account emails, a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.mail.links import account_path, address, consultation_path, topic_of, unsubscribe_path
from app.mail.transport import Email
from app.settings import PROJECT_ROOT, Settings
from app.web import british_date
from assessments.kernel.text import brief
from assessments.models import Delivery, Notification, NotificationKind
from assessments.notifications.delivery import Outgoing

_environment = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_environment.filters["day"] = lambda iso: british_date(date.fromisoformat(iso))
_environment.filters["moment"] = lambda iso: (
    british_date(datetime.fromisoformat(iso), "short_time") + " UTC"
)


# Where each kind's email takes its reader (a path in the service, from the facts).
PATHS: Mapping[NotificationKind, Callable[[Mapping[str, Any]], str]] = {
    NotificationKind.AWAITING_DECISION: lambda f: f"/assessments/{f['version_id']}/review",
    NotificationKind.DECIDED: lambda f: f"/assessments/{f['version_id']}/summary",
    # An action's own page: its owner may have no role to open the assessment with.
    NotificationKind.ACTION_ASSIGNED: lambda f: f"/actions/{f['actions'][0]['action_id']}",
    NotificationKind.ACTION_DUE: lambda f: f"/actions/{f['action_id']}",
    NotificationKind.REVIEW_DUE: lambda f: f"/policies/{f['policy_id']}",
}


def link(settings: Settings, notification: Notification) -> str:
    facts = notification.facts
    if notification.kind is NotificationKind.ACCOUNT:  # signed now: nothing secret is stored
        return address(settings, account_path(settings, facts["link_id"], facts["issued"]))
    if notification.kind is NotificationKind.CONSULTATION:  # their own link, signed now too
        return address(settings, consultation_path(settings, facts["invitation_id"]))
    return address(settings, PATHS[notification.kind](facts))


def subject_of(outgoing: Outgoing) -> str:
    notifications = outgoing.notifications
    if outgoing.message.digest is Delivery.SINGLE:
        return notifications[0].subject
    every = "Today's" if outgoing.message.digest is Delivery.DAILY else "This week's"
    return f"{every} notifications from the Workload Impact Register ({len(notifications)})"


def compose(settings: Settings, outgoing: Outgoing) -> Email:
    """The email for a claimed message (which carries one notification or more)."""
    message, notifications = outgoing.message, outgoing.notifications
    assert message.id is not None and notifications, message.id
    first = notifications[0]
    items = [
        {"kind": n.kind.value, "subject": n.subject, "facts": n.facts, "link": link(settings, n)}
        for n in notifications
    ]
    recipient = outgoing.recipient
    context: dict[str, Any] = {
        "subject": subject_of(outgoing),
        "items": items,
        "digest": message.digest is not Delivery.SINGLE,
        "name": recipient.name if recipient else "",
        "base": address(settings, ""),
        # An address without an account (staff consulted) has no choices to make.
        "choices": address(settings, "/notifications") if message.user_id else None,
        "unsubscribe": None,
    }
    if first.kind is not NotificationKind.ACCOUNT and message.user_id is not None:
        topic = topic_of(message, first.kind)
        context["unsubscribe"] = address(
            settings, unsubscribe_path(settings, message.user_id, topic)
        )
    # The email package's plain (compat32) API, each header written as it is set here (see
    # transport.AS_COMPOSED): its modern API parses each header as it is set and again as it
    # is written, four times the cost of all the rest of composing a message.
    # Its parts are base64, which has no "=" but at its end, nor "_" or ".": so no line of
    # theirs can be this boundary, and the email package need not search them for it.
    email = MIMEMultipart("alternative", boundary=f"=_wia.outbox.{message.id}")
    # A header is one line: a name or title typed with a line break is flattened, not refused.
    email["Subject"] = _encoded("Subject", brief(context["subject"], 200))
    sender_name, sender = _parsed(settings.mail_from)
    email["From"] = _mailbox("From", sender_name, sender)
    # Their address now, not when queued: a corrected address is where their mail goes.
    to = recipient.email if recipient else message.to_address
    email["To"] = _mailbox("To", brief(recipient.name if recipient else "", 120), to)
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(settings, message.id)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    if context["unsubscribe"]:
        email["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for template, subtype in (("message.txt", "plain"), ("message.html", "html")):
        body = _environment.get_template(template).render(context)
        email.attach(MIMEText(body, subtype, "utf-8"))  # as base64 (RFC 2045)
    return Email.of(sender, to, email)


@cache
def _parsed(mail_from: str) -> tuple[str, str]:
    return parseaddr(mail_from)


def _encoded(header: str, text: str) -> str:
    """Plain ASCII as it is; anything else as RFC 2047 encoded-words, folded to fit (a long
    List-Unsubscribe URL, which has no spaces, is never folded: some mail clients cannot read
    it starting on a line of its own, RFC 2369)."""
    if text.isascii():
        return text
    # Lines of 76 with their folding space: words of 75 at most, RFC 2047's limit (the
    # package's default, 78, makes some of 77).
    return Header(text, "utf-8", maxlinelen=76, header_name=header).encode()


def _mailbox(header: str, name: str, address: str) -> str:
    """A display name and an address. The name is quoted if it must be, and encoded if it is
    not ASCII, unless the address is not ASCII either: then the header is UTF-8 (RFC 6532),
    and the message goes with SMTPUTF8."""
    if not name:
        return address
    if name.isascii() or not address.isascii():
        shown = _quoted(name) if SPECIALS.search(name) else name
        return f"{shown} <{address}>"
    # The address on a line of its own: after the name's last encoded word, it could take
    # that line past the 76 characters RFC 2047 allows a line with encoded words.
    return f"{_encoded(header, name)}\n <{address}>"


SPECIALS = re.compile(r'[][\\()<>@,:;".]')  # RFC 5322: a name with one of these is quoted


def _quoted(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def message_id(settings: Settings, number: int) -> str:
    """The same Message-ID on every try of one message, so a receiving server that got it
    twice can tell."""
    sender_domain = parseaddr(settings.mail_from)[1].rpartition("@")[2]
    host = sender_domain or urlsplit(settings.base_url).hostname or "localhost"
    return f"<outbox.{number}@{host}>"
