"""The links an email carries: into the service (WIA_BASE_URL), and the signed one-click
unsubscribe for what the message is about (RFC 8058), which needs no signing in."""

from __future__ import annotations

import base64
import hashlib
import hmac

from app.settings import Settings
from assessments.models import Delivery, NotificationKind, OutboxMessage


def address(settings: Settings, path: str) -> str:
    return settings.base_url.rstrip("/") + path


def _mac(settings: Settings, payload: str) -> str:
    key = hashlib.sha256(b"unsubscribe:" + settings.secret_key.encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(settings: Settings, user_id: int, topic: str) -> str:
    """`topic`: a kind's value, or a digest's ("daily" / "weekly")."""
    payload = f"{user_id}.{topic}"
    return f"{payload}.{_mac(settings, payload)}"


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[int, str] | None:
    """The person and topic a token was made for, or None if it was not made by this service."""
    payload, _, mac = token.rpartition(".")
    user_id, _, topic = payload.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 10):
        return None
    if not hmac.compare_digest(mac, _mac(settings, payload)):
        return None
    return int(user_id), topic


def topic_of(message: OutboxMessage, kind: NotificationKind) -> str:
    """What unsubscribing from `message` stops: its digest, or its one kind."""
    return message.digest.value if message.digest is not Delivery.SINGLE else kind.value


def unsubscribe_path(settings: Settings, user_id: int, topic: str) -> str:
    return f"/notifications/unsubscribe/{unsubscribe_token(settings, user_id, topic)}"
