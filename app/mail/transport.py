"""Handing a composed message to the mail server (WIA_SMTP_URL), or, in development without
one, writing it as an .eml file a developer opens (WIA_MAIL_DIR)."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from email.policy import Compat32
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self
from urllib.parse import unquote, urlsplit

from app.settings import Settings

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc's from Python 3.12

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TLS_SCHEMES = ("smtp+starttls", "smtps")  # plain smtp:// needs no TLS context


class NotSent(Exception):
    """The server did not take a message. `permanent` when trying again cannot help (it
    refused the address for good); `server` when the fault is the server's or our settings'
    (unreachable, our credentials refused or missing), not the message's: then no message's
    tries are used up, and the worker waits and tries again. Otherwise tried again later."""

    def __init__(self, reason: str, *, permanent: bool = False, server: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent, self.server = reason, permanent, server


class _AsComposed(Compat32):
    """compat32, writing each header as compose() set it (ASCII, with anything else already
    in RFC 2047 encoded-words and folded; an address in UTF-8, RFC 6532) rather than
    reparsing and refolding it, which costs more than all the rest of writing a message."""

    def fold(self, name: str, value: str) -> str:
        # A line break not folding the header would start a header of the text's own; other
        # control characters, some of which mail software also reads as line breaks, too.
        if ENDS_A_HEADER.search(value) or NOT_IN_A_HEADER.search(value):
            raise ValueError(f"The {name} header would let its text start a header of its own")
        return f"{name}: {self.linesep.join(LINE_BREAK.split(value))}{self.linesep}"

    def fold_binary(self, name: str, value: str) -> bytes:
        return self.fold(name, value).encode()


ENDS_A_HEADER = re.compile(r"\r\n(?![ \t])|\r(?![\n \t])|(?<!\r)\n(?![ \t])")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
NOT_IN_A_HEADER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
AS_COMPOSED = _AsComposed(linesep="\r\n")


@dataclass(frozen=True)
class Email:
    """An email as composed: whom it is from and to (the SMTP envelope), its Message-ID, and
    the message as it goes on the wire."""

    sender: str
    recipient: str
    message_id: str
    data: bytes

    @classmethod
    def of(cls, sender: str, recipient: str, message: Message) -> Email:
        return cls(
            sender, recipient, str(message["Message-ID"]), message.as_bytes(policy=AS_COMPOSED)
        )

    @property
    def international(self) -> bool:
        """An address that is not ASCII: the server must take SMTPUTF8 (RFC 6531)."""
        return not (self.sender + self.recipient).isascii()


# Work of the sender's own, done while the server works. If it raises, the exception leaves
# send() as it is, with the connection mid-command: fit only to be closed.
Meanwhile = Callable[[], None]


def _nothing() -> None:
    pass


class Transport(Protocol):
    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def send(
        self, email: Email, *, first: Meanwhile = _nothing, meanwhile: Meanwhile = _nothing
    ) -> None:
        """Hand `email` over: the sender's own work done while the server does its, `first`
        once the server has the message's first command (before it answers), `meanwhile` once
        it has the message (before it says whether it takes it). Either is left undone if the
        exchange fails before then."""
        ...


DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class _Smtp(smtplib.SMTP):
    """smtplib's client, doing the sender's work while the server reads what it was sent,
    rather than wait for its answer idle: `first` after a message's MAIL command, `meanwhile`
    after the message itself."""

    first: Meanwhile = staticmethod(_nothing)
    meanwhile: Meanwhile = staticmethod(_nothing)

    def putcmd(self, cmd: str, args: str = "") -> None:
        super().putcmd(cmd, args)
        if cmd == "mail":  # smtplib's mail() sends it so, then reads the answer
            work, self.first = self.first, _nothing
            work()

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        # smtplib's own DATA (which sendmail calls), with `meanwhile` before the answer.
        assert isinstance(msg, bytes)  # sendmail has encoded it
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = DOT_AT_LINE_START.sub(b"..", msg)  # RFC 5321 4.5.2: a line's leading dot doubled
        self.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        self.meanwhile()
        return self.getreply()


class _SmtpSsl(_Smtp, smtplib.SMTP_SSL):
    pass


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=parts.port or DEFAULT_PORTS[parts.scheme],
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )

    def __str__(self) -> str:  # never the password: this goes into logs and the admins' view
        return f"{self.scheme}://{self.host}:{self.port}"


class SmtpTransport:
    """One connection for a batch of messages: opened, secured and signed in on entry."""

    def __init__(
        self, server: SmtpServer, *, timeout: float, context: ssl.SSLContext | None
    ) -> None:
        self.server, self.timeout, self.context = server, timeout, context
        self.connection: _Smtp | None = None

    def __enter__(self) -> Self:
        server = self.server
        try:
            if server.scheme == "smtps":
                connection: _Smtp = _SmtpSsl(
                    server.host, server.port, timeout=self.timeout, context=self.context
                )
            else:
                connection = _Smtp(server.host, server.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotSent(
                f"Cannot reach the mail server {server}: {_said(exc)}", server=True
            ) from exc
        try:
            if server.scheme == "smtp+starttls":
                connection.starttls(context=self.context)
            if server.username:
                connection.login(server.username, server.password)
        except smtplib.SMTPAuthenticationError as exc:
            connection.close()
            raise NotSent(
                f"{server} refused the username and password: {_said(exc)}", server=True
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            connection.close()
            raise NotSent(
                f"The mail server {server} cannot be used: {_said(exc)}", server=True
            ) from exc
        self.connection = connection
        return self

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def send(
        self, email: Email, *, first: Meanwhile = _nothing, meanwhile: Meanwhile = _nothing
    ) -> None:
        assert self.connection is not None, "send inside `with transport:`"
        try:
            self._fits(email)
            self.connection.first, self.connection.meanwhile = first, meanwhile
            self.connection.sendmail(
                email.sender,
                [email.recipient],
                email.data,
                # As smtplib's send_message: UTF-8 headers (RFC 6532) in an 8-bit body.
                mail_options=["SMTPUTF8", "BODY=8BITMIME"] if email.international else [],
            )
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise NotSent(
                f"{self.server} refused the address: {_said(exc)}",
                permanent=all(500 <= code < 600 for code in codes),
            ) from exc
        except smtplib.SMTPSenderRefused as exc:  # e.g. 530 sign-in needed: our settings
            raise NotSent(
                f"{self.server} refused to send from {settings_hint(exc)}: {_said(exc)}",
                server=True,
            ) from exc
        except smtplib.SMTPDataError as exc:  # the message itself: its content, size or sender
            raise NotSent(
                f"{self.server} did not take it: {_said(exc)}",
                permanent=exc.smtp_code >= 500,
                server=exc.smtp_code == 421,  # closing the connection: the server's trouble
            ) from exc
        except smtplib.SMTPResponseException as exc:
            policy = exc.smtp_code in (530, 535) or _enhanced(exc).startswith("5.7")
            raise NotSent(
                f"{self.server} did not take it: {_said(exc)}",
                permanent=exc.smtp_code >= 500 and not policy,
                server=policy,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise NotSent(f"Lost the mail server {self.server}: {_said(exc)}", server=True) from exc
        finally:
            self.connection.first = self.connection.meanwhile = _nothing

    def _fits(self, email: Email) -> None:
        """An address that is not ASCII needs a server offering SMTPUTF8: without one, ours
        (WIA_MAIL_FROM) is our settings' fault, and a recipient's their message's alone."""
        assert self.connection is not None
        self.connection.ehlo_or_helo_if_needed()
        if not email.international or self.connection.has_extn("smtputf8"):
            return
        if not email.sender.isascii():
            raise NotSent(
                f"WIA_MAIL_FROM ({email.sender}) is not ASCII, and {self.server} does not offer "
                "SMTPUTF8",
                server=True,
            )
        raise NotSent(
            f"{self.server} cannot send to an address that is not ASCII (it does not offer "
            "SMTPUTF8)",
            permanent=True,
        )


class FolderTransport:
    """Development without a mail server: each message an .eml file of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> Self:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def send(
        self, email: Email, *, first: Meanwhile = _nothing, meanwhile: Meanwhile = _nothing
    ) -> None:
        first()
        # Named by its Message-ID (<outbox.12@host> → outbox.12@host.eml): one file a message.
        name = re.sub(r"[^A-Za-z0-9.@_-]", "", email.message_id) or "message"
        (self.folder / f"{name}.eml").write_bytes(email.data)
        meanwhile()


@cache
def _tls_context() -> ssl.SSLContext:
    """The system's CA certificates, loaded once (25-50 ms), not for every batch."""
    return ssl.create_default_context()


def transport_for(settings: Settings) -> Transport:
    if not settings.smtp_url:
        return FolderTransport(settings.mail_dir)
    server = SmtpServer.from_url(settings.smtp_url)
    context = _tls_context() if server.scheme in TLS_SCHEMES else None
    return SmtpTransport(server, timeout=settings.smtp_timeout, context=context)


def settings_hint(exc: smtplib.SMTPSenderRefused) -> str:
    sender = exc.sender.decode(errors="replace") if isinstance(exc.sender, bytes) else exc.sender
    return f"{sender} (check WIA_SMTP_URL's username and password, and WIA_MAIL_FROM)"


def _enhanced(exc: smtplib.SMTPResponseException) -> str:
    """The reply's enhanced status code (RFC 3463), like 5.7.1, or ''."""
    error = exc.smtp_error
    text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
    return text.split(" ", 1)[0] if text[:1].isdigit() else ""


def _said(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
        )
    return str(exc) or type(exc).__name__
