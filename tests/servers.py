"""`wia serve` in processes of its own, on a database a test chose: what the browser journeys
and the operations tests (several instances, a killed server) run against."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories.trusts import TEST_AUDIT_KEY

WIA = [str(Path(sys.executable).with_name("wia"))]  # the venv's own command line
START_UP_SECONDS = 30


def environment(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `wia` command on `database_url`: development (plain HTTP, so a
    script's cookies are sent back), with any other WIA_* settings given."""
    return {
        **os.environ,
        "WIA_DATABASE_URL": database_url,
        "WIA_ENVIRONMENT": "development",
        "WIA_AUDIT_KEY": TEST_AUDIT_KEY,
        **settings,
    }


def shared_secret() -> dict[str, str]:
    """A secret key for instances that must accept each other's signed CSRF tokens."""
    return {"WIA_SECRET_KEY": secrets.token_urlsafe(48)}


def wia(env: Mapping[str, str], *args: str) -> str:
    """Run a `wia` command to its end; its standard output (a failure shows what it said)."""
    done = subprocess.run([*WIA, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"wia {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def listening_socket() -> socket.socket:
    """A loopback socket bound to a port the system chose, listening, kept by the caller: the
    port is never free for anything else to take between choosing and serving (as a port
    picked, released and then bound again would be)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@dataclass
class Server:
    """One `wia serve` process, and the file its output goes to."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_UP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The server stopped at start-up:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:  # refused while it starts (urllib.error.URLError is an OSError)
                time.sleep(0.1)
        pytest.fail(
            f"The server did not answer within {START_UP_SECONDS} s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        """Stop it as an orchestrator does (SIGTERM), unless it has already gone."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)


def start(env: Mapping[str, str], log: Path) -> Server:
    """`wia serve` on a loopback socket this process bound and hands on to it (`--fd`); not yet
    answering: see wait_until_up."""
    with listening_socket() as sock, log.open("ab") as out:
        port = sock.getsockname()[1]
        fd = sock.fileno()
        process = subprocess.Popen(
            [*WIA, "serve", "--fd", str(fd)], env=env, stdout=out, stderr=out, pass_fds=[fd]
        )
    # The server has its own copy of the socket now; this one is closed.
    return Server(f"http://127.0.0.1:{port}", process, log)


@contextmanager
def serving(env: Mapping[str, str], *logs: Path) -> Iterator[list[Server]]:
    """One server per log file, all on the database `env` names, started side by side and
    stopped when the block ends."""
    with ExitStack() as stack:
        servers = []
        for log in logs:
            server = start(env, log)
            stack.callback(server.stop)
            servers.append(server)
        for server in servers:
            server.wait_until_up()
        yield servers
