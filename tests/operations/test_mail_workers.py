"""`wia worker` in processes of its own, on the run's database (SQLite by default, PostgreSQL
when the suite runs on it), delivering to real SMTP servers (aiosmtpd): a worker sends what
is waiting and stops on SIGTERM; and of two workers, one killed with `kill -9` while its mail
server holds a message half-sent, every message still arrives exactly once; and a worker whose
database connection is ended mid-batch (PostgreSQL) still marks each message sent, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import select

from app.settings import Settings
from app.worker import Worker
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.models import MessageStatus, NotificationKind, OutboxMessage, User
from assessments.notifications.outbox import notify
from tests import servers
from tests.databases import is_sqlite, prepared_engine
from tests.factories.trusts import AUTHOR
from tests.mailbox import Mailbox, smtp_server

pytestmark = [pytest.mark.operations, pytest.mark.xdist_group("operations")]

MESSAGES = 40
DEADLINE_SECONDS = 60  # for the workers to deliver everything (a few seconds, normally)
QUICK = {"WIA_WORKER_POLL_SECONDS": "0.2", "WIA_OUTBOX_LEASE_SECONDS": "3"}


def _queue_messages(url: str) -> None:
    """MESSAGES emails to the test trust's author, committed, on a database made for the test
    (its engine closed again, so the workers are alone with it)."""
    engine = prepared_engine(url)
    try:
        with unit_of_work(engine) as session:
            author = session.get(User, AUTHOR.user_id)
            assert author is not None
            for number in range(1, MESSAGES + 1):
                notify(
                    session,
                    user=author,
                    kind=NotificationKind.AWAITING_DECISION,
                    subject=f"Awaiting your decision: message {number}",
                    facts={
                        "version_id": number,
                        "version": 1,
                        "policy_id": number,
                        "reference": f"MX-{number:03}",
                        "title": "Homework policy",
                        "submitted_by": "Ann Author",
                    },
                )
    finally:
        engine.dispose()


def _statuses(url: str) -> Counter[MessageStatus]:
    engine = create_db_engine(url)
    try:
        with unit_of_work(engine, read_only=True) as session:
            return Counter(m.status for m in session.exec(select(OutboxMessage)))
    finally:
        engine.dispose()


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def worker_process(url: str, smtp_url: str, log: Path) -> Iterator[WorkerProcess]:
    env = servers.environment(url, WIA_SMTP_URL=smtp_url, **QUICK)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*servers.WIA, "worker"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield WorkerProcess(process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for(condition: Any, what: str, *workers: WorkerProcess) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(w.output() for w in workers)
            pytest.fail(f"Timed out waiting for {what}:\n{logs}")
        time.sleep(0.05)


def _message_ids(mailbox: Mailbox) -> Counter[str]:
    return Counter(str(message["Message-ID"]) for message in mailbox.messages)


def test_a_worker_sends_what_waits_and_stops_on_sigterm(
    tmp_database_url: str, tmp_path: Path
) -> None:
    _queue_messages(tmp_database_url)
    with (
        smtp_server() as (mailbox, smtp_url),
        worker_process(tmp_database_url, smtp_url, tmp_path / "worker.log") as worker,
    ):
        _wait_for(lambda: len(mailbox.messages) >= MESSAGES, "every message", worker)
        worker.process.send_signal(signal.SIGTERM)
        assert worker.process.wait(timeout=15) == 0
    assert f"Worker started: mail goes out through {smtp_url}" in worker.output()
    assert "Worker stopped" in worker.output()
    assert set(_message_ids(mailbox).values()) == {1}  # each once
    assert len(mailbox.messages) == MESSAGES
    assert _statuses(tmp_database_url) == {MessageStatus.SENT: MESSAGES}


@dataclass
class HoldingMailbox(Mailbox):
    """A server that, after `accept` messages, holds the next one half-sent (the client waits
    for its answer) until the test lets go; then refuses it, as a server whose client went
    away does not deliver it."""

    accept: int = 5
    caught: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    shared: Mailbox = field(default_factory=Mailbox)  # what both servers delivered

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if len(self.messages) >= self.accept:
            self.caught.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.4.2 connection lost"
        answer = await super().handle_DATA(server, session, envelope)
        self.shared.messages.append(self.messages[-1])
        return answer


@dataclass
class CopyingMailbox(Mailbox):
    shared: Mailbox = field(default_factory=Mailbox)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        self.shared.messages.append(self.messages[-1])
        return answer


def test_a_worker_killed_mid_send_loses_nothing_and_nothing_arrives_twice(
    tmp_database_url: str, tmp_path: Path
) -> None:
    _queue_messages(tmp_database_url)
    delivered = Mailbox()
    holding, copying = HoldingMailbox(shared=delivered), CopyingMailbox(shared=delivered)
    with (
        smtp_server(holding) as (_, holding_url),
        smtp_server(copying) as (_, copying_url),
        worker_process(tmp_database_url, holding_url, tmp_path / "a.log") as doomed,
    ):
        _wait_for(holding.caught.is_set, "the first worker to be caught half-way", doomed)
        with worker_process(tmp_database_url, copying_url, tmp_path / "b.log") as survivor:
            os.kill(doomed.process.pid, signal.SIGKILL)  # in the middle of sending one
            doomed.process.wait()
            holding.release.set()
            _wait_for(
                lambda: len(delivered.messages) >= MESSAGES, "every message", doomed, survivor
            )
            # The survivor marks each message sent just after the server takes it.
            every_one_sent = {MessageStatus.SENT: MESSAGES}
            _wait_for(lambda: _statuses(tmp_database_url) == every_one_sent, "the marks", survivor)
    counts = _message_ids(delivered)
    assert len(counts) == MESSAGES and set(counts.values()) == {1}, counts
    assert len(holding.messages) == holding.accept  # the killed worker's, before the kill
    assert len(copying.messages) == MESSAGES - holding.accept  # the held one included


@dataclass
class CuttingMailbox(Mailbox):
    """A server that, while it reads the `cut_at`th message, has PostgreSQL end every other
    connection to the worker's database (as a restart or a failover would)."""

    url: str = ""
    cut_at: int = 3

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if len(self.messages) == self.cut_at - 1:
            engine = create_db_engine(self.url)
            try:
                with engine.connect() as connection:
                    connection.execute(CUT, {"database": make_url(self.url).database})
            finally:
                engine.dispose()
        return await super().handle_DATA(server, session, envelope)


CUT = sa.text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = :database AND pid != pg_backend_pid()"
)


def test_a_database_connection_lost_mid_batch_marks_each_message_once(
    tmp_database_url: str, settings: Settings
) -> None:
    if is_sqlite(tmp_database_url):
        pytest.skip("PostgreSQL ends connections; a SQLite file has none to lose")
    _queue_messages(tmp_database_url)
    engine = create_db_engine(tmp_database_url)
    try:
        with smtp_server(CuttingMailbox(url=tmp_database_url)) as (mailbox, smtp_url):
            mailing = settings.model_copy(
                update={"database_url": tmp_database_url, "smtp_url": smtp_url}
            )
            done = Worker.on(mailing, engine).deliver_all()
    finally:
        engine.dispose()
    assert (done.sent, done.not_sent) == (MESSAGES, 0)
    assert set(_message_ids(mailbox).values()) == {1} and len(mailbox.messages) == MESSAGES
    assert _statuses(tmp_database_url) == {MessageStatus.SENT: MESSAGES}
