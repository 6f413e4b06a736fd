"""The server under test in its own process, and a signed-in browser's cookies for it."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from app.auth import session_cookie_name
from app.security import CSRF_HEADER, csrf_cookie_name
from app.settings import Environment, Settings
from assessments.models import WebSession
from assessments.people import authentication
from bench import load
from bench.databases import SCRATCH, environment, kind


@contextmanager
def serving(url: str) -> Iterator[int]:
    """`python -m bench.app` (the real app and the baselines) on a loopback socket bound here on
    a port the system chose and handed on, never released in between; yields the port."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    log = SCRATCH / f"server-{kind(url)}.log"
    with socket.socket() as sock, log.open("wb") as out:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port, fd = sock.getsockname()[1], sock.fileno()
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.app", "--fd", str(fd)],
            env=environment(url),
            stdout=out,
            stderr=out,
            cwd=Path(__file__).parent.parent,
            pass_fds=[fd],
        )
    try:
        _wait_until_up(port, server, log)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The server stopped at start-up:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The server did not answer within 60 s:\n{log.read_text()}")


@dataclass(frozen=True)
class Browser:
    """What a signed-in browser sends: its cookies, and the CSRF token htmx puts in a header."""

    cookie: str
    csrf: str

    def headers(self, *, htmx: bool = False) -> tuple[tuple[str, str], ...]:
        sent = [("Cookie", self.cookie)]
        if htmx:
            sent += [(CSRF_HEADER, self.csrf), ("HX-Request", "true")]
        return tuple(sent)


def signed_in(engine: sa.Engine, port: int, user_id: int) -> Browser:
    """A session for the user, made as signing in makes one (a row holding the token's digest),
    and the CSRF cookie the server hands to a browser with that session (the token is bound to
    the session, so it is asked for with the session cookie)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.add(
            WebSession(
                id=authentication.digest(token), user_id=user_id, created_at=now, last_seen_at=now
            )
        )
        session.commit()
    settings = Settings(environment=Environment.DEVELOPMENT)
    session_cookie = (("Cookie", f"{session_cookie_name(settings)}={token}"),)
    reply, _ = load.run(load.fetch(port, load.Request("GET", "/sign-in", session_cookie)))
    wanted = csrf_cookie_name(settings) + "="
    csrf = next(
        c.split(";")[0].removeprefix(wanted)
        for c in reply.header("set-cookie")
        if c.startswith(wanted)
    )
    cookie = f"{session_cookie_name(settings)}={token}; {wanted}{csrf}"
    return Browser(cookie=cookie, csrf=csrf)
