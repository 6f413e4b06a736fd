"""The links an email carries: into the service (WIA_BASE_URL), and the signed one-click
unsubscribe for what the message is about (RFC 8058), which needs no signing in."""

from __future__ import annotations

from app.settings import Settings
from app.signing import number, read_signed, signed
from assessments.models import Delivery, NotificationKind, OutboxMessage


def address(settings: Settings, path: str) -> str:
    return settings.base_url.rstrip("/") + path


def unsubscribe_token(settings: Settings, user_id: int, topic: str) -> str:
    """`topic`: a kind's value, or a digest's ("daily" / "weekly")."""
    return signed(settings, "unsubscribe", f"{user_id}.{topic}")


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[int, str] | None:
    """The person and topic a token was made for, or None if it was not made by this service."""
    user_id, _, topic = (read_signed(settings, "unsubscribe", token) or "").partition(".")
    person = number(user_id)
    return None if person is None else (person, topic)


def topic_of(message: OutboxMessage, kind: NotificationKind) -> str:
    """What unsubscribing from `message` stops: its digest, or its one kind."""
    return message.digest.value if message.digest is not Delivery.SINGLE else kind.value


def unsubscribe_path(settings: Settings, user_id: int, topic: str) -> str:
    return f"/notifications/unsubscribe/{unsubscribe_token(settings, user_id, topic)}"


def account_path(settings: Settings, link_id: int, issued: int) -> str:
    """The address of an account email's link (set or reset a password)."""
    return f"/account/set-password/{signed(settings, 'account', f'{link_id}.{issued}')}"


def read_account_token(settings: Settings, token: str) -> tuple[int, int] | None:
    """The link id and issue time an account link's token was made for, or None."""
    link_id, _, issued = (read_signed(settings, "account", token) or "").partition(".")
    link, when = number(link_id), number(issued, digits=11)  # issued: a Unix time
    return None if link is None or when is None else (link, when)


def consultation_path(settings: Settings, invitation_id: int) -> str:
    """The address of one member of staff's link to a consultation (to answer it, and later
    to read what was done with what staff said)."""
    return f"/consult/{signed(settings, 'consultation', str(invitation_id))}"


def read_consultation_token(settings: Settings, token: str) -> int | None:
    """The invitation a consultation link was made for, or None."""
    return number(read_signed(settings, "consultation", token) or "")
