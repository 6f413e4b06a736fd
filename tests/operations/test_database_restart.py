"""The service outlives its database: with PostgreSQL stopped under load it answers 503 with a
plain message (never a stack trace or a dropped connection), and once PostgreSQL is back it
serves again by itself, with no restart of the app.

This stops and starts the machine's PostgreSQL cluster, so it only runs where that is allowed:
on PostgreSQL with WIA_TEST_RESTART_POSTGRES=1 (.ci/run sets it, as root, after the suite), and
never beside another pytest-xdist worker, whose tests would lose the same server."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from assessments.kernel.actors import Role
from tests import servers
from tests.databases import is_sqlite, prepared_engine
from tests.factories.api import policy_body
from tests.factories.operations import api, api_tokens

pytestmark = [pytest.mark.operations, pytest.mark.xdist_group("operations")]
RECOVERY_SECONDS = 30  # generous: recovery is expected within a few seconds (printed)


def _cluster(action: str) -> None:
    """Stop (fast: connections are cut, as in a crash or failover) or start the machine's
    PostgreSQL, and wait until it is down or accepting connections."""

    def done() -> bool:
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False)
        return (ready.returncode == 0) == (action == "start")

    if done():
        return
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    subprocess.run([*command, *(["--", "-m", "fast"] if action == "stop" else [])], check=False)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    pytest.fail(f"PostgreSQL did not {action} within {RECOVERY_SECONDS} s")


@pytest.fixture
def restartable(database_url: str) -> Iterator[None]:
    if is_sqlite(database_url) or os.environ.get("WIA_TEST_RESTART_POSTGRES") != "1":
        pytest.skip("stops the machine's PostgreSQL: runs with WIA_TEST_RESTART_POSTGRES=1 (CI)")
    if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.skip(
            "stops the machine's PostgreSQL, which the other pytest-xdist workers' tests are"
            " using: run it alone, without -n (as .ci/run does)"
        )
    yield
    _cluster("start")  # whatever happened, leave the machine's database running


class Load:
    """Scripts writing and reading through the API without pause, counting what they get."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url, token
        self.statuses: Counter[int] = Counter()
        self.unavailable_bodies: set[str] = set()
        self.broken: list[str] = []  # connection errors: the server itself went away
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(3)]
        self._written = 0

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, number: int) -> None:
        with api(self.base_url, self.token) as client:
            while not self.stopping.is_set():
                try:
                    response = self._one(client, number)
                except httpx2.TransportError as exc:
                    self.broken.append(repr(exc))
                    continue
                with self._lock:
                    self.statuses[response.status_code] += 1
                    if response.status_code == 503:
                        self.unavailable_bodies.add(response.text)
                time.sleep(0.02)

    def _one(self, client: httpx2.Client, number: int) -> httpx2.Response:
        if number == 0:
            return client.get("/policies")
        with self._lock:
            self._written += 1
            reference = f"RS-{number}-{self._written:05d}"
        return client.post("/policies", json=policy_body(reference=reference))

    def count(self) -> int:
        with self._lock:
            return sum(self.statuses.values())

    def wait_for(self, status: int, timeout: float) -> float:
        """Seconds until a request got `status` (after this call), or fail at `timeout`."""
        started, seen = time.monotonic(), self.statuses[status]
        while time.monotonic() - started < timeout:
            if self.statuses[status] > seen:
                return time.monotonic() - started
            time.sleep(0.05)
        pytest.fail(f"no {status} within {timeout} s; statuses so far: {dict(self.statuses)}")


def test_503_while_postgresql_is_down_then_recovery_without_a_restart(
    restartable: None, tmp_database_url: str, tmp_path: Path
) -> None:
    engine = prepared_engine(tmp_database_url)
    [token] = api_tokens(engine, Role.AUTHOR, "Rae Restart")
    engine.dispose()
    env = servers.environment(tmp_database_url)

    with servers.serving(env, tmp_path / "server.log") as [server], Load(server.url, token) as load:
        load.wait_for(201, timeout=RECOVERY_SECONDS)
        _cluster("stop")
        load.wait_for(503, timeout=RECOVERY_SECONDS)
        during = Counter(load.statuses)
        readiness = httpx2.get(f"{server.url}/readyz", timeout=10)
        liveness = httpx2.get(f"{server.url}/healthz", timeout=10)
        _cluster("start")
        recovered_in = load.wait_for(201, timeout=RECOVERY_SECONDS)
        assert server.process.poll() is None  # the same process throughout: no restart

    print(f"\nwrites succeeded again {recovered_in:.1f} s after PostgreSQL accepted connections")
    assert (readiness.status_code, liveness.status_code) == (503, 200)
    assert readiness.json()["problem"].startswith("the database cannot be read")
    assert during[503] >= 1
    assert load.statuses[500] == 0, load.statuses
    assert load.broken == []  # every request was answered, none dropped
    [body] = load.unavailable_bodies  # one plain message, the same for every request
    assert "The register cannot reach its database just now" in body
    assert "Traceback" not in body and "psycopg" not in body
    log = (tmp_path / "server.log").read_text()
    assert "database_unavailable" in log and "Traceback" not in log
