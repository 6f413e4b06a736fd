"""What the operations tests share: a database set up for servers in other processes, API
clients that call them as scripts do, people writing at the same moment, and the audit trail
as the database and `wia audit verify` see it."""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import httpx2
import sqlalchemy as sa

from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.kernel.db import unit_of_work
from assessments.models import AuditEvent
from assessments.rubrics.schema import AnswerKind
from tests import servers
from tests.factories.api import API, Json
from tests.factories.audit import events_after, head
from tests.factories.people import make_api_token, make_person
from tests.factories.trusts import LOCAL_TRUST_ID, RUBRIC

CHOICES = [q for q in RUBRIC.questions() if q.kind is AnswerKind.CHOICE]
TIMEOUT = 30  # seconds for one request: generous, only there so a hang fails the test


def api_tokens(engine: sa.Engine, role: Role, *names: str) -> list[str]:
    """A person per name with the trust-wide role, and an API token for each (the secrets)."""
    with unit_of_work(engine) as session:
        return [make_api_token(session, make_person(session, name, Grant(role))) for name in names]


@contextmanager
def api(base_url: str, token: str) -> Iterator[httpx2.Client]:
    """A script's client of one instance's JSON API, sending its token on every request."""
    with httpx2.Client(
        base_url=base_url + API, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    ) as client:
        yield client


def send(client: httpx2.Client, method: str, url: str, json: Json | None = None) -> httpx2.Response:
    """A request, sent again (at once, a few times) while the server answers 503: it found the
    database busy and saved nothing. On SQLite a writer can wait out busy_timeout while others
    keep taking the write lock (see test_sqlite_writers.py); that is not what these tests test."""
    for _ in range(5):
        response = client.request(method, url, json=json)
        if response.status_code != 503:
            break
    return response


def at_once(count: int, work: Callable[[int], None]) -> None:
    """Run work(0) … work(count - 1), each in a thread of its own, released together; fail
    with the tracebacks of any that raised (a thread's exception is otherwise only a warning)."""
    released = threading.Barrier(count)
    problems: list[str] = []

    def run(number: int) -> None:
        released.wait()
        try:
            work(number)
        except Exception:
            problems.append(traceback.format_exc())

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in 120 s"
    assert not problems, "\n".join(problems)


def audit_seq(engine: sa.Engine) -> int:
    """The last sequence number of the audit chain, as stored now."""
    with unit_of_work(engine, read_only=True) as session:
        return head(session)[0]


def audit_after(engine: sa.Engine, seq: int) -> list[AuditEvent]:
    """The audit events recorded after `seq`, in order."""
    with unit_of_work(engine, read_only=True) as session:
        return events_after(session, seq)


def details(event: AuditEvent) -> Json:
    found: Json = json.loads(event.changes)
    return found


def verified_events(engine: sa.Engine) -> int:
    """How many events `assessments.kernel.audit.verify` finds in the chain; fails unless intact."""
    with unit_of_work(engine, read_only=True) as session:
        verification = audit.verify(session, chain=LOCAL_TRUST_ID)
    assert verification.intact, verification
    return verification.events


def verified_by_the_command_line(env: Mapping[str, str]) -> int:
    """The same, as an operator checks it: `wia audit verify` (some seconds: a new process)."""
    said = servers.wia(env, "audit", "verify")
    found = re.findall(
        r"^.+: intact, (\d+) events, \d+ checkpoints witnessed; head \S+$", said, re.M
    )
    assert found and len(found) == len(said.splitlines()), said
    return sum(map(int, found))
