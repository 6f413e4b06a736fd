"""A real SMTP server (aiosmtpd) on a free port of this machine, started by the tests that
send mail: it keeps what it accepts as parsed messages, and can be told to refuse, or to ask
for a username and password, as real servers do."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "wia-mailer", "relay pass: 7 words & symbols"


@dataclass
class Mailbox:
    """What the server accepted, and what it is to answer next."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # each as it came, before parsing
    refuse_data: str | None = None  # e.g. "451 4.3.0 try again later", for every message
    refuse_recipient: str | None = None  # e.g. "550 5.1.1 no such mailbox"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    # aiosmtpd's handler hooks
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_recipient:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data
        self.raw.append(envelope.original_content)
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 2.0.0 accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
    ok = (
        isinstance(auth, LoginPassword)
        and auth.login == USERNAME.encode()
        and auth.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    mailbox: Mailbox | None = None, *, requires_login: bool = False, smtputf8: bool = False
) -> Iterator[tuple[Mailbox, str]]:
    """A running server keeping what it accepts in `mailbox` (a new one unless given), and the
    WIA_SMTP_URL that reaches it (whose credentials the tests add, when it asks for them).
    With `smtputf8` it takes addresses that are not ASCII (RFC 6531), as most servers now do."""
    mailbox, port = mailbox or Mailbox(), free_port()
    options: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
    if requires_login:  # plain-text login on the loopback interface only, as in a test
        options |= {
            "authenticator": _check_login,
            "auth_required": True,
            "auth_require_tls": False,
        }
    # (aiosmtpd warns of AUTH without TLS on each connection: pyproject.toml lets it pass.)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
