"""Links the service signs instead of storing a secret (an email's unsubscribe and password
links, a calendar feed): a MAC under a key of each purpose's own, made from the secret key, so
that no link of one purpose passes as another's and a copy of the database opens nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac

from app.security import same_text
from app.settings import Settings

MAX_DIGITS = 9  # an id or counter in a link: fits the columns, and no number to choke on


def sign(settings: Settings, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"{purpose}:".encode() + settings.secret_key.encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed(settings: Settings, purpose: str, payload: str) -> str:
    """`payload` with its MAC: `<payload>.<mac>`."""
    return f"{payload}.{sign(settings, purpose, payload)}"


def read_signed(settings: Settings, purpose: str, token: str) -> str | None:
    """The payload of a token this service signed for `purpose`, or None."""
    payload, _, mac = token.rpartition(".")
    return payload if payload and same_text(mac, sign(settings, purpose, payload)) else None


def number(text: str, *, digits: int = MAX_DIGITS) -> int | None:
    """A link's id or counter: ASCII digits only, never too many."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None
