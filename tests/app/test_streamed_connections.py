"""A streamed export holds a database connection only while it streams: complete, failed, or
cut off by the client half-way, it gives the connection back, so nobody can exhaust the pool
(and with it every trust's service) by asking for exports. Served by a real uvicorn in this
process, so that the test can look into the app's own connection pool."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from app.auth import session_cookie_name
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from assessments.kernel.db import unit_of_work
from assessments.models import AssessmentVersion
from tests import databases, servers
from tests.factories.people import make_api_token, start_session
from tests.factories.trusts import AUTHOR
from tests.factories.versions import make_draft

VERSIONS = 1200  # more than one batch of the export's query (500 rows), and several chunks
REASON = "A reason long enough to make the export a few megabytes. " * 40
IDLE_WAIT_SECONDS = 30  # how long a busy machine may take to bring an export to the client
PAGE_WAIT_SECONDS = 1  # the pool's timeout here: a leaked pool shows as 503s, not a hang
# The sockets' buffers, each way, kept small: Linux grows a loopback connection's up to tens of
# megabytes, which would take a whole export and let it end before a client stopped reading.
SOCKET_BUFFER = 64 * 1024


@dataclass
class Served:
    app: FastAPI
    url: str
    cookie: dict[str, str]
    token: str

    @property
    def pool(self) -> sa.pool.QueuePool:
        pool = self.app.state.engine.pool
        assert isinstance(pool, sa.pool.QueuePool)
        return pool

    def settle(self) -> int:
        """Connections still checked out once the server has finished with every request
        (a request whose client went away ends a moment after the client did)."""
        deadline = time.monotonic() + 10
        while self.pool.checkedout() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.pool.checkedout()


def _seed(engine: sa.Engine) -> None:
    """VERSIONS versions (copies of one draft's row) with long text, for a big export."""
    with unit_of_work(engine) as session:
        draft = make_draft(session, reference="BIG-001", title="Register-sized policy")
        row = draft.model_dump(exclude={"id"})
    copies = [{**row, "number": n, "decision_reason": REASON} for n in range(2, VERSIONS + 1)]
    with engine.begin() as connection:
        connection.execute(sa.insert(AssessmentVersion), copies)


@pytest.fixture
def served(tmp_database_url: str, settings: Settings) -> Iterator[Served]:
    engine = databases.prepared_engine(tmp_database_url)
    _seed(engine)
    with unit_of_work(engine) as session:
        cookie = start_session(session, AUTHOR)
        token = make_api_token(session, AUTHOR)
    engine.dispose()
    settings = settings.model_copy(  # the test's settings, on this database
        update={"database_url": tmp_database_url, "database_pool_timeout": PAGE_WAIT_SECONDS}
    )
    app = create_app(settings)
    sock = servers.listening_socket()  # bound and kept: handed to uvicorn, never re-bound
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)  # accepted ones inherit it
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + servers.START_UP_SECONDS
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Served(
            app, f"http://127.0.0.1:{port}", {session_cookie_name(settings): cookie}, token
        )
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _cut_off(served: Served, path: str, headers: dict[str, str]) -> None:
    """Ask for an export, read its first bytes, and go away."""
    address = urlsplit(served.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    assert response.status == 200
    assert response.read(4096)
    connection.sock.close()  # the client is gone half-way
    connection.close()


def test_hundreds_of_exports_complete_and_cut_off_leave_no_connection_checked_out(
    served: Served,
) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in served.cookie.items())
    bearer = {"Authorization": f"Bearer {served.token}"}
    timeout = httpx2.Timeout(30)
    with httpx2.Client(base_url=served.url, timeout=timeout) as client:
        for round_ in range(50):
            csv_page = client.get("/register.csv", headers={"Cookie": cookie})
            assert csv_page.status_code == 200, (round_, csv_page.text[:200])
            assert csv_page.text.count("\r\n") == VERSIONS + 1  # the header and every version
            exported = client.get("/api/v1/register?format=json", headers=bearer)
            assert exported.status_code == 200, (round_, exported.text[:200])
            assert len(json.loads(exported.text)["rows"]) == VERSIONS
            for _ in range(2):
                _cut_off(served, "/register.csv", {"Cookie": cookie})
                _cut_off(served, "/api/v1/register?format=csv", bearer)
        assert served.settle() == 0
        assert client.get("/register", headers={"Cookie": cookie}).status_code == 200
        assert client.get("/readyz").status_code == 200


def test_an_exhausted_pool_recovers_without_a_restart(served: Served) -> None:
    cookie = "; ".join(f"{name}={value}" for name, value in served.cookie.items())
    engine: sa.Engine = served.app.state.engine
    held = [engine.connect() for _ in range(served.pool.size() + served.pool._max_overflow)]
    with httpx2.Client(base_url=served.url, timeout=30) as client:
        busy = client.get("/register", headers={"Cookie": cookie})
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "5"
        assert client.get("/readyz").status_code == 503
        for connection in held:
            connection.close()
        assert client.get("/register", headers={"Cookie": cookie}).status_code == 200
        assert client.get("/readyz").status_code == 200
    assert served.settle() == 0


def test_a_connection_a_request_never_gave_back_is_taken_back_when_it_ends(
    served: Served,
) -> None:
    """Whatever route forgets a connection (here one added to misbehave), it is taken back."""
    engine: sa.Engine = served.app.state.engine
    forgotten: list[sa.Connection] = []

    @served.app.get("/test-forgets-a-connection")
    def forgets() -> dict[str, int]:
        forgotten.append(engine.connect())
        return {"held": served.pool.checkedout()}

    served.app.router.routes.insert(0, served.app.router.routes.pop())  # before the 404 pages
    cookie = "; ".join(f"{name}={value}" for name, value in served.cookie.items())
    with httpx2.Client(base_url=served.url, timeout=30) as client:
        for _ in range(3 * (served.pool.size() + served.pool._max_overflow)):
            assert client.get("/test-forgets-a-connection").json()["held"] >= 1
        assert served.settle() == 0
        assert client.get("/register", headers={"Cookie": cookie}).status_code == 200
    with pytest.raises(sa.exc.StatementError):  # the forgetful holder can no longer use it
        forgotten[0].exec_driver_sql("SELECT 1")


# The other connections to the test's database, and what each is doing.
STATES = (
    "SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def _end_idle_transactions(connection: sa.Connection) -> list[Any]:
    """End every other connection sitting idle inside a transaction, as a failing server would."""
    return list(
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state LIKE 'idle in transaction%%'"
        ).all()
    )


def test_an_export_that_fails_half_way_never_looks_complete(
    served: Served, tmp_database_url: str
) -> None:
    """The database connection of an export dies while it streams: the transfer ends without
    HTTP's end-of-body mark (so no client takes the file for complete), and the connection's
    place in the pool is given back."""
    if databases.is_sqlite(tmp_database_url):
        pytest.skip("nothing outside can break a SQLite read half-way; PostgreSQL can")
    bearer = {"Authorization": f"Bearer {served.token}"}
    observer = sa.create_engine(tmp_database_url, poolclass=sa.pool.NullPool)
    small_buffer = httpx2.HTTPTransport(
        socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)]
    )
    with httpx2.Client(base_url=served.url, timeout=30, transport=small_buffer) as client:
        with client.stream("GET", "/api/v1/register?format=json", headers=bearer) as response:
            assert response.status_code == 200
            assert response.headers["X-Register-Rows"] == str(VERSIONS)
            with observer.connect() as connection:  # the export's own, mid-transaction
                # On a busy machine (CI runs two workers beside PostgreSQL) the export may still
                # be starting or fetching a batch: wait until it sits idle, blocked on the client.
                deadline = time.monotonic() + IDLE_WAIT_SECONDS
                while not (ended := _end_idle_transactions(connection)):
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                states = connection.exec_driver_sql(STATES).all()
            assert ended == [(True,)], f"the export's connection never sat idle: {states}"
            with pytest.raises(httpx2.RemoteProtocolError):
                response.read()
        assert served.settle() == 0
        assert client.get("/api/v1/register?format=json", headers=bearer).status_code == 200
    observer.dispose()


def test_every_streamed_response_is_made_by_streamed() -> None:
    """A response that streams from the database anywhere else would hold the request's
    connection on its own terms: only app.connections makes them."""
    makers = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "app").rglob("*.py")
        if "StreamingResponse(" in path.read_text() and path.name != "connections.py"
    ]
    assert makers == []
