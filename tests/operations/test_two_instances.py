"""Two instances of the service — `wia serve` on two loopback ports — on one database (a SQLite
file, or a PostgreSQL database when the suite runs on PostgreSQL), driven over real HTTP by
several people at once. Nothing one instance needs is in the other's memory: writes based on a
revision read through one instance and sent through the other lose nothing, each submitted
version is approved once, sessions and failed sign-ins are shared, a rubric published while
both run is used by both, and the audit trail stays one unbroken chain.

The two servers start once for this module (each start costs seconds); every test makes its
own records and counts audit events from the head it found, so no test depends on another."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise

import httpx2
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.auth import session_cookie_name
from app.security import CSRF_HEADER, csrf_cookie_name
from app.settings import Environment, Settings
from assessments.drafting import queries as version_queries, workload
from assessments.kernel.actors import Grant, Role
from assessments.kernel.db import unit_of_work
from assessments.models import Answer, VersionStatus, WorkloadEstimate
from assessments.people import accounts, authentication
from assessments.rubrics import publishing
from assessments.workflow import transitions as workflow
from tests import databases, servers
from tests.databases import prepared_engine
from tests.factories.answers import WORKLOAD, answer
from tests.factories.api import Json, policy_body
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
from tests.factories.people import make_api_token, make_person
from tests.factories.trusts import (
    AUTHOR,
    AUTHOR_EMAIL,
    AUTHOR_PASSWORD,
    LOCAL_TRUST,
    LOCAL_TRUST_ID,
    RUBRIC,
)
from tests.factories.versions import fill_in, make_draft, make_version

pytestmark = [pytest.mark.operations, pytest.mark.xdist_group("operations")]

WRITERS, WRITES_EACH = 6, 8
APPROVERS, SUBMITTED = 4, 4
DEV = Settings(environment=Environment.DEVELOPMENT)  # the servers' cookie names (plain HTTP)
MITIGATION: Json = {
    "question_ids": [CHOICES[0].id],
    "owner": "Deputy Headteacher",
    "residual_impact": 1,
}


@dataclass(frozen=True)
class Instances:
    urls: tuple[str, str]
    engine: sa.Engine  # the test's own connection to the database both serve
    env: dict[str, str]  # for `wia` commands on that database


@pytest.fixture(scope="module")
def instances(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instances]:
    folder = tmp_path_factory.mktemp("two-instances")
    with databases.scratch_database(database_url, folder) as url:
        engine = prepared_engine(url)
        # One secret key, as every instance of a deployment has: a CSRF token one signs,
        # the other accepts.
        env = servers.environment(url, **servers.shared_secret())
        try:
            with servers.serving(env, folder / "a.log", folder / "b.log") as [a, b]:
                yield Instances((a.url, b.url), engine, env)
        finally:
            engine.dispose()


@dataclass(frozen=True)
class Target:
    """One answer or workload estimate of a draft that several writers change."""

    version_id: int
    kind: str  # "answers" or "workload", as in the API's path
    name: str  # the question id or the staff group

    @property
    def path(self) -> str:
        return f"/assessment-versions/{self.version_id}/{self.kind}/{self.name}"

    @property
    def marker(self) -> str:
        """The field each write makes unique, so that no write is a no-op."""
        return "comment" if self.kind == "answers" else "note"

    def revision_in(self, version: Json) -> int:
        rows = version["answers"] if self.kind == "answers" else version["workload_estimates"]
        key = "question_id" if self.kind == "answers" else "staff_group"
        revision: int = next(row["revision"] for row in rows if row[key] == self.name)
        return revision

    def body(self, write: int, marker: str) -> Json:
        if self.kind == "answers":
            options = next(q for q in CHOICES if q.id == self.name).options
            return {"value": options[write % len(options)].value, "comment": marker}
        return {"hours_per_term": f"{write}.25", "staff_count": 10 + write, "note": marker}

    def stored(self, session: Session) -> Answer | WorkloadEstimate | None:
        if self.kind == "answers":
            return version_queries.answer(session, self.version_id, self.name)
        return version_queries.estimate(session, self.version_id, self.name)

    def saved_by(self, event: Json) -> bool:
        key = "question_id" if self.kind == "answers" else "staff_group"
        return event["version_id"] == self.version_id and event.get(key) == self.name


@dataclass(frozen=True)
class Ack:
    target: Target
    revision: int
    marker: str


def test_writers_through_both_instances_lose_no_acknowledged_write(instances: Instances) -> None:
    engine = instances.engine
    with unit_of_work(engine) as session:
        first, second = make_draft(session), make_draft(session)
        assert first.id is not None and second.id is not None
        for question in CHOICES[:2]:
            answer(session, first, question.id, question.options[0].value)
        answer(session, second, CHOICES[2].id, CHOICES[2].options[0].value)
        workload.save_workload_estimate(
            session=session,
            actor=AUTHOR,
            version_id=first.id,
            staff_group="teachers",
            data=WORKLOAD,
        )
    targets = [
        Target(first.id, "answers", CHOICES[0].id),
        Target(first.id, "answers", CHOICES[1].id),
        Target(first.id, "workload", "teachers"),
        Target(second.id, "answers", CHOICES[2].id),
    ]
    tokens = api_tokens(engine, Role.AUTHOR, *(f"Writer {n}" for n in range(WRITERS)))
    start = audit_seq(engine)
    acks: list[Ack] = []
    actions: dict[int, str] = {}  # id → description, as last acknowledged
    stale: list[str] = []  # writes refused because another came first (then read and retried)
    actions_path = f"/assessment-versions/{second.id}/actions"

    def write(n: int) -> None:
        with api(instances.urls[0], tokens[n]) as a, api(instances.urls[1], tokens[n]) as b:
            for i in range(WRITES_EACH):
                target = targets[(n + i) % len(targets)]
                reader, writer = (a, b) if i % 2 else (b, a)  # read on one, write on the other
                for attempt in range(100):
                    version = reader.get(f"/assessment-versions/{target.version_id}")
                    marker = f"writer {n}, write {i}, attempt {attempt}"
                    body = target.body(i, marker)
                    body["expected_revision"] = target.revision_in(version.json())
                    response = send(writer, "PUT", target.path, body)
                    if response.status_code != 409:
                        break
                    stale.append(marker)
                assert response.status_code == 200, response.text
                acks.append(Ack(target, response.json()["revision"], marker))
            # An action of the writer's own, added through one instance, changed through the other.
            action = {**MITIGATION, "description": f"Action of writer {n}"}
            added = send(a, "POST", actions_path, action)
            assert added.status_code == 201, added.text
            action |= {"description": f"Action of writer {n}, changed", "expected_revision": 1}
            changed = send(b, "PUT", f"{actions_path}/{added.json()['id']}", action)
            assert changed.status_code == 200 and changed.json()["revision"] == 2, changed.text
            actions[changed.json()["id"]] = changed.json()["description"]

    at_once(WRITERS, write)

    events = [details(e) for e in audit_after(engine, start)]
    with unit_of_work(engine, read_only=True) as session:
        for target in targets:
            acked = sorted((a for a in acks if a.target == target), key=lambda a: a.revision)
            # Each acknowledged write made exactly the next revision: none wrote over another.
            assert [a.revision for a in acked] == list(range(2, 2 + len(acked))), acked
            row = target.stored(session)
            assert row is not None and row.revision == acked[-1].revision
            assert getattr(row, target.marker) == acked[-1].marker  # the last one stands
            # One audit event per acknowledged write, in the same order, each from the one before.
            markers = ["", *(a.marker for a in acked)]
            saved = [e[target.marker] for e in events if target.saved_by(e)]
            assert saved == [list(pair) for pair in pairwise(markers)]
        stored_actions = version_queries.actions_of_version(session, second.id)
        assert {a.id: a.description for a in stored_actions} == actions
    assert len(acks) == WRITERS * WRITES_EACH, f"{len(acks)} acknowledged, {len(stale)} stale"
    assert len(events) == len(acks) + 2 * WRITERS  # and each action's adding and changing

    # A write from a revision someone has since changed is refused, and leaves no trace.
    with api(instances.urls[1], tokens[0]) as b:
        refused = b.put(targets[0].path, json=targets[0].body(1, "late") | {"expected_revision": 1})
    assert refused.status_code == 409, refused.text
    assert audit_seq(engine) == start + len(events)
    assert verified_by_the_command_line(instances.env) == start + len(events)


def test_approvers_racing_through_both_instances_approve_each_version_once(
    instances: Instances,
) -> None:
    engine = instances.engine
    with unit_of_work(engine) as session:
        versions = [make_version(session, "submitted") for _ in range(SUBMITTED - 1)]
        # One approver is also an author, and wrote the last version: never theirs to approve.
        both = make_person(session, "Bo Both", Grant(Role.AUTHOR), Grant(Role.APPROVER))
        own = make_draft(session, actor=both)
        assert own.id is not None
        fill_in(session, own.id, actor=both)
        versions.append(workflow.submit(session=session, actor=both, version_id=own.id))
        approvers = [
            make_person(session, f"Approver {n}", Grant(Role.APPROVER))
            for n in range(APPROVERS - 1)
        ] + [both]
        tokens = [make_api_token(session, approver) for approver in approvers]
    ids = [v.id or 0 for v in versions]
    revisions = {v.id: v.revision for v in versions}
    start = audit_seq(engine)
    outcomes: dict[tuple[int, int], int] = {}  # (version id, approver) → status

    def approve(n: int) -> None:
        with api(instances.urls[n % 2], tokens[n]) as client:
            for version_id in ids[n:] + ids[:n]:  # each starts at a different version
                # Each says which revision they decided on (the API refuses a decision that
                # does not, 428): of those racing, one wins and the rest find it changed (409).
                body = {"expected_revision": revisions[version_id]}
                response = send(client, "POST", f"/assessment-versions/{version_id}/approve", body)
                outcomes[version_id, n] = response.status_code

    at_once(APPROVERS, approve)

    mine = APPROVERS - 1  # Bo Both's place among the approvers
    winners: dict[int, int] = {}
    for version_id in ids:
        statuses = {n: outcomes[version_id, n] for n in range(APPROVERS)}
        approved_by = [n for n, status in statuses.items() if status == 200]
        assert len(approved_by) == 1, statuses
        winner = approved_by[0]
        winners[version_id] = approvers[winner].user_id or 0
        refused = {n: s for n, s in statuses.items() if n != winner}
        if version_id == own.id:
            assert winner != mine and refused.pop(mine) in (403, 409), statuses  # 403: wrote it
        assert set(refused.values()) == {409}, statuses
    with unit_of_work(engine, read_only=True) as session:
        for version_id in ids:
            stored = version_queries.get_version(session, version_id)
            assert stored.status is VersionStatus.APPROVED
            assert stored.decided_by_user_id == winners[version_id]
            assert stored.revision == revisions[version_id] + 1
    events = audit_after(engine, start)
    assert sorted((e.entity_id or 0, e.action, e.actor_user_id or 0) for e in events) == sorted(
        (version_id, "approved", user_id) for version_id, user_id in winners.items()
    )
    assert verified_events(engine) == start + len(ids)


def test_a_session_started_on_one_instance_works_on_the_other(instances: Instances) -> None:
    a, b = instances.urls
    session_cookie, csrf_cookie = session_cookie_name(DEV), csrf_cookie_name(DEV)
    # One browser, and the two instances behind one host name (cookies do not mind the port).
    with httpx2.Client(timeout=30) as browser:
        assert browser.get(f"{a}/sign-in").status_code == 200
        signed_in = browser.post(
            f"{a}/sign-in",
            data={
                "email": AUTHOR_EMAIL,
                "password": AUTHOR_PASSWORD,
                "csrf_token": browser.cookies[csrf_cookie],
                "next": "/",
            },
        )
        assert signed_in.status_code == 303, signed_in.text
        token = browser.cookies[session_cookie]

        home = browser.get(f"{b}/")
        assert home.status_code == 200 and "Sign out" in home.text
        # An unsafe API call with the cookie needs the CSRF token A issued at sign-in.
        created = browser.post(
            f"{b}/api/v1/policies",
            json=policy_body(reference="TWO-INSTANCES"),
            headers={CSRF_HEADER: browser.cookies[csrf_cookie]},
        )
        assert created.status_code == 201, created.text

        signed_out = browser.post(
            f"{b}/sign-out", data={"csrf_token": browser.cookies[csrf_cookie]}
        )
        assert signed_out.status_code == 303, signed_out.text
    # Signed out on B, the cookie (kept, as a thief would keep it) no longer works on A.
    with httpx2.Client(timeout=30, cookies={session_cookie: token}) as copied:
        refused = copied.get(f"{a}/")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/sign-in")


LOCKED_OUT = "lou.lockout@local-trust.example"
PASSWORD = "lockout-drill-across-instances-2026"


def test_failed_sign_ins_through_both_instances_count_towards_one_pause(
    instances: Instances,
) -> None:
    with unit_of_work(instances.engine) as session:
        operator = accounts.operator_of_trust(session=session, trust_name=LOCAL_TRUST)
        accounts.create_user(
            session=session,
            actor=operator,
            trust_id=LOCAL_TRUST_ID,
            email=LOCKED_OUT,
            name="Lou Lockout",
            password=PASSWORD,
            grants=[Grant(Role.AUTHOR)],
        )
    attempts = authentication.FREE_FAILURES  # failures after which attempts must wait
    with ExitStack() as stack:
        browsers = [stack.enter_context(httpx2.Client(timeout=30)) for _ in range(attempts)]
        urls = [instances.urls[n % 2] for n in range(attempts)]  # A, B, A, …
        for browser, url in zip(browsers, urls, strict=True):
            assert browser.get(f"{url}/sign-in").status_code == 200

        def sign_in(n: int, password: str = "not-the-password-at-all") -> int:
            csrf = browsers[n].cookies[csrf_cookie_name(DEV)]
            form = {"email": LOCKED_OUT, "password": password, "csrf_token": csrf}
            return browsers[n].post(f"{urls[n]}/sign-in", data=form).status_code

        statuses: list[int] = []
        at_once(attempts, lambda n: statuses.append(sign_in(n)))
        assert statuses == [422] * attempts
        # Now the right password must wait too, through either instance, for a while.
        assert [sign_in(0, PASSWORD), sign_in(1, PASSWORD)] == [429, 429]
    with unit_of_work(instances.engine, read_only=True) as session:
        failures = authentication.recent_failures(
            session=session, email=LOCKED_OUT, now=datetime.now(UTC)
        )
    assert failures == attempts  # none lost, none extra (waiting attempts count for nothing)


def test_a_rubric_published_while_both_run_is_used_by_both(instances: Instances) -> None:
    # Assessments started afterwards, by any test, pin this version: its questions are the
    # same, so the other tests do not mind.
    newer = RUBRIC.model_copy(update={"version": RUBRIC.version + 1})
    with unit_of_work(instances.engine) as session:
        token = make_api_token(session, AUTHOR)
    for url in instances.urls:  # each has read the rubrics it knows, if it keeps them
        with api(url, token) as client:
            assert newer.key not in _published(client)
    with unit_of_work(instances.engine) as session:
        publishing.publish_rubric(session=session, actor=AUTHOR, rubric=newer)
    for n, url in enumerate(instances.urls):
        with api(url, token) as client:
            assert newer.key in _published(client)
            policy = client.post("/policies", json=policy_body(reference=f"RUBRIC-{n}"))
            assert policy.status_code == 201, policy.text
            started = client.post(f"/policies/{policy.json()['id']}/assessment")
            assert started.status_code == 201, started.text
            assert started.json()["rubric"] == newer.key


def _published(client: httpx2.Client) -> set[str]:
    """The published rubric versions an instance lists, as id@version."""
    return {f"{r['id']}@{r['version']}" for r in client.get("/rubrics").json()}
