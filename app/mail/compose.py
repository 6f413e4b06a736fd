"""An outbox message as an email: a plain-text and an HTML part written from the facts of the
notifications it carries (templates/email/), with links into the service and, for everything
but account emails, a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.mail.links import account_path, address, topic_of, unsubscribe_path
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

# Lines up to SMTP's limit: the default folds a long List-Unsubscribe URL, which has no spaces,
# into an RFC 2047 encoded-word, and mail clients then cannot read the link (RFC 2369).
HEADERS_UNFOLDED = email_policy.default.clone(max_line_length=998)

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
    return address(settings, PATHS[notification.kind](facts))


def subject_of(outgoing: Outgoing) -> str:
    notifications = outgoing.notifications
    if outgoing.message.digest is Delivery.SINGLE:
        return notifications[0].subject
    every = "Today's" if outgoing.message.digest is Delivery.DAILY else "This week's"
    return f"{every} notifications from the Workload Impact Register ({len(notifications)})"


def compose(settings: Settings, outgoing: Outgoing) -> EmailMessage:
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
        "choices": address(settings, "/notifications"),
        "unsubscribe": None,
    }
    email = EmailMessage(policy=HEADERS_UNFOLDED)
    # A header is one line: a name or title typed with a line break is flattened, not refused.
    email["Subject"] = brief(context["subject"], 200)
    email["From"] = settings.mail_from
    # Their address now, not when queued: a corrected address is where their mail goes.
    to = recipient.email if recipient else message.to_address
    email["To"] = formataddr((brief(recipient.name if recipient else "", 120), to))
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(settings, message.id)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    if first.kind is not NotificationKind.ACCOUNT and message.user_id is not None:
        topic = topic_of(message, first.kind)
        context["unsubscribe"] = address(
            settings, unsubscribe_path(settings, message.user_id, topic)
        )
        email["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(_environment.get_template("message.txt").render(context))
    email.add_alternative(_environment.get_template("message.html").render(context), subtype="html")
    return email


def message_id(settings: Settings, number: int) -> str:
    """The same Message-ID on every try of one message, so a receiving server that got it
    twice can tell."""
    sender_domain = parseaddr(settings.mail_from)[1].rpartition("@")[2]
    host = sender_domain or urlsplit(settings.base_url).hostname or "localhost"
    return f"<outbox.{number}@{host}>"
