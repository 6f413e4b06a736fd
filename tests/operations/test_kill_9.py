"""`kill -9` of the service in the middle of writes, on the run's database (SQLite in WAL mode
by default, PostgreSQL when the suite runs on it): every write the server acknowledged is in
the database afterwards, the audit chain verifies, and the service starts again on the same
database and takes writes (no lock is left behind)."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Role
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.rubrics.schema import Question
from tests import databases, servers
from tests.databases import prepared_engine
from tests.factories.answers import answer
from tests.factories.api import Json
from tests.factories.operations import (
    CHOICES,
    api,
    api_tokens,
    at_once,
    audit_after,
    audit_seq,
    details,
    send,
    verified_by_the_command_line,
    verified_events,
)
from tests.factories.versions import make_draft

pytestmark = [pytest.mark.operations, pytest.mark.xdist_group("operations")]

WRITERS = 4
QUESTIONS = CHOICES[:WRITERS]  # each writer changes an answer of its own, on one draft
ENOUGH = 9  # acknowledged writes of every writer before the kill (6 answers, 3 actions)
MITIGATION: Json = {"owner": "Deputy Headteacher", "residual_impact": 1}


@dataclass(frozen=True)
class Ack:
    """A write the server answered with success: `key` is a question id, or "action"."""

    key: str
    marker: str  # the answer's comment, or the action's description
    revision: int = 0  # the answer's, as the response gave it
    action_id: int = 0


def _draft_with_answers(url: str) -> tuple[int, list[str], int]:
    """A draft with a first answer to each writer's question, the writers' API tokens and the
    audit head. The test's engine is closed again, so the server is alone with the database."""
    engine = prepared_engine(url)
    try:
        with unit_of_work(engine) as session:
            draft = make_draft(session)
            for question in QUESTIONS:
                answer(session, draft, question.id, question.options[0].value)
        assert draft.id is not None
        tokens = api_tokens(engine, Role.AUTHOR, *(f"Writer {n}" for n in range(WRITERS)))
        return draft.id, tokens, audit_seq(engine)
    finally:
        engine.dispose()


def _answer_body(question: Question, write: int, marker: str, revision: int) -> Json:
    value = question.options[write % len(question.options)].value
    return {"value": value, "comment": marker, "expected_revision": revision}


def _write_until_killed(server: servers.Server, draft_id: int, tokens: list[str]) -> list[Ack]:
    """Writers saving answers and adding actions as fast as the server answers, and a `kill -9`
    of the server once it has acknowledged ENOUGH of each; the writes it acknowledged."""
    version = f"/assessment-versions/{draft_id}"
    acks: list[Ack] = []
    acknowledged = [0] * WRITERS
    enough, cut_off = threading.Event(), set[int]()

    def write(n: int) -> None:
        question, revision = QUESTIONS[n], 1
        with api(server.url, tokens[n]) as client:
            for i in range(100_000):  # in practice, until the server is gone
                marker = f"writer {n}, write {i}"
                try:
                    if i % 3 == 2:
                        action = {
                            **MITIGATION,
                            "question_ids": [question.id],
                            "description": marker,
                        }
                        added = send(client, "POST", f"{version}/actions", action)
                        assert added.status_code == 201, added.text
                        acks.append(Ack("action", marker, action_id=added.json()["id"]))
                    else:
                        body = _answer_body(question, i, marker, revision)
                        saved = send(client, "PUT", f"{version}/answers/{question.id}", body)
                        assert saved.status_code == 200, saved.text
                        revision = saved.json()["revision"]
                        acks.append(Ack(question.id, marker, revision))
                except httpx2.TransportError:  # refused, or cut off mid-request
                    cut_off.add(n)
                    return
                acknowledged[n] += 1
                if min(acknowledged) >= ENOUGH:
                    enough.set()

    def kill(_: int) -> None:
        enough.wait(timeout=60)  # whatever happened, the writers must be stopped
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        assert enough.is_set(), "the writers did not get far enough"

    at_once(WRITERS + 1, lambda n: kill(n) if n == WRITERS else write(n))
    assert server.process.returncode == -signal.SIGKILL
    assert cut_off == set(range(WRITERS)), "every writer was still writing at the kill"
    return acks


def _check_acknowledged_writes(
    engine: sa.Engine, draft_id: int, start: int, acks: list[Ack]
) -> int:
    """Every acknowledged write is stored and in the audit trail, which verifies; at most one
    more write a writer (sent, never answered) may be there too. Returns the events since start."""
    with unit_of_work(engine, read_only=True) as session:
        answers = version_queries.answers_of_version(session, draft_id)
        actions = {
            a.id: a.description for a in version_queries.actions_of_version(session, draft_id)
        }
    events = audit_after(engine, start)
    saved = [details(e) for e in events if e.entity == "answer"]
    for question in QUESTIONS:
        acked = [a for a in acks if a.key == question.id]
        stored = answers[question.id]
        # The last acknowledged write stands, or one after it that was in flight at the kill.
        assert stored.revision - acked[-1].revision in (0, 1), (stored, acked[-1])
        if stored.revision == acked[-1].revision:
            assert stored.comment == acked[-1].marker
        comments = [d["comment"][1] for d in saved if d["question_id"] == question.id]
        assert comments[: len(acked)] == [a.marker for a in acked]
        assert len(comments) == len(acked) + stored.revision - acked[-1].revision
    assert all(actions.get(a.action_id) == a.marker for a in acks if a.key == "action")
    assert len(acks) <= len(events) <= len(acks) + WRITERS
    assert verified_events(engine) == start + len(events)
    return len(events)


def test_a_killed_server_loses_no_acknowledged_write_and_starts_again(
    tmp_database_url: str, tmp_path: Path
) -> None:
    draft_id, tokens, start = _draft_with_answers(tmp_database_url)
    env = servers.environment(tmp_database_url)
    with servers.serving(env, tmp_path / "killed.log") as [server]:
        acks = _write_until_killed(server, draft_id, tokens)
    if databases.is_sqlite(tmp_database_url):  # commits not yet checkpointed: opening replays them
        assert Path(f"{make_url(tmp_database_url).database}-wal").stat().st_size > 0

    engine = create_db_engine(tmp_database_url)
    try:
        written = _check_acknowledged_writes(engine, draft_id, start, acks)
    finally:
        engine.dispose()

    # Started again on the same database, it takes a write at once: nothing was left locked.
    question, version = QUESTIONS[0], f"/assessment-versions/{draft_id}"
    with (
        servers.serving(env, tmp_path / "restarted.log") as [again],
        api(again.url, tokens[0]) as client,
    ):
        current = next(
            a["revision"]
            for a in client.get(version).json()["answers"]
            if a["question_id"] == question.id
        )
        body = _answer_body(question, 1, "after the restart", current)
        saved = client.put(f"{version}/answers/{question.id}", json=body)
        assert saved.status_code == 200, saved.text
        assert saved.json()["revision"] == current + 1
    assert verified_by_the_command_line(env) == start + written + 1
