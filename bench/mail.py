"""Mail delivery: the worker (app/worker.py, as `wia worker` runs it) delivering queued messages
to a local SMTP server that counts and discards them (bench/smtp_sink.py, its own process),
against a bare smtplib loop sending the same composed messages, as bytes, on one connection."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.mail.compose import compose
from app.settings import Environment, Settings
from app.worker import Worker
from assessments.kernel.db import unit_of_work
from assessments.models import MessageStatus, NotificationKind, OutboxMessage, User
from assessments.notifications import queries
from assessments.notifications.delivery import Outgoing
from assessments.notifications.outbox import notify
from assessments.people import queries as people_queries
from bench.people import BENCH_USER
from bench.sweep import horizons, measured_day

MESSAGES = 2_000
MAIL_ROUNDS = 3
BASE_URL = "https://wia-bench.example"
RESET = sa.text(
    "UPDATE outbox_message SET status = :pending, attempts = 0, sent_at = NULL,"
    " claimed_until = NULL, last_error = '' WHERE id IN :ids"
).bindparams(sa.bindparam("ids", expanding=True))
REMOVE = tuple(
    sa.text(sql).bindparams(sa.bindparam("ids", expanding=True))
    for sql in (
        "DELETE FROM notification WHERE message_id IN :ids",
        "DELETE FROM outbox_message WHERE id IN :ids",
    )
)

Composed = tuple[str, list[str], bytes]  # sender, recipients, the message as sent


@contextmanager
def smtp_sink() -> Iterator[tuple[int, list[int]]]:
    """`python -m bench.smtp_sink` on a loopback socket bound here; yields its port and a list
    that holds, once it has stopped, how many messages it accepted."""
    accepted: list[int] = []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port, fd = sock.getsockname()[1], sock.fileno()
        sink = subprocess.Popen(
            [sys.executable, "-m", "bench.smtp_sink", "--fd", str(fd)],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).parent.parent,
            pass_fds=[fd],
            text=True,
        )
    assert sink.stdout is not None
    try:
        if sink.stdout.readline().strip() != "ready":
            raise RuntimeError("The SMTP sink did not start")
        yield port, accepted
    finally:
        sink.terminate()
        out, _ = sink.communicate(timeout=30)
        accepted.extend(int(line) for line in out.split() if line.isdigit())


def _recipients(session: Session) -> list[User]:
    """A few people who hear of each reminder by email (none of them chose a digest)."""
    names = (BENCH_USER, "Approver 1", "Approver 2", "Approver 3")
    return list(session.exec(select(User).where(col(User.name).in_(names)).order_by(col(User.id))))


def _reminder(n: int, reviews: Sequence[Any], actions: Sequence[Any]) -> dict[str, Any]:
    """The kind, subject and facts of a review's reminder or (every other one) an action's, as
    the sweep writes them."""
    if n % 2 and actions:
        action = actions[n // 2 % len(actions)]
        return {
            "kind": NotificationKind.ACTION_DUE,
            "subject": f"Action due in 7 days: {action.description}",
            "facts": {
                "action_id": action.id,
                "description": action.description,
                "due": str(action.due),
                "when": "in 7 days",
                "version_id": action.version_id,
                "version": action.version,
                "policy_id": action.policy_id,
                "reference": action.reference,
                "title": action.title,
            },
        }
    policy = reviews[n // 2 % len(reviews)]
    return {
        "kind": NotificationKind.REVIEW_DUE,
        "subject": f"Review due in 30 days: {policy.reference} {policy.title}",
        "facts": {
            "policy_id": policy.id,
            "reference": policy.reference,
            "title": policy.title,
            "due": str(policy.due),
            "when": "in 30 days",
        },
    }


def queue(engine: sa.Engine, count: int) -> list[int]:
    """`count` messages in the outbox, each queued by `notify`, to a few people in turn: the
    reminders of reviews and actions the sweep of the seed's day selects (again from the first
    when there are fewer); returns their ids."""
    by = horizons(engine, measured_day(engine))
    with unit_of_work(engine) as session:
        before = session.exec(select(sa.func.max(OutboxMessage.id))).one() or 0
        people = _recipients(session)
        reviews = queries.reviews_due_by(session, by["reviews_by"])
        actions = queries.actions_due_by(session, by["actions_by"])
        for n in range(count):
            told = notify(session, user=people[n % len(people)], **_reminder(n, reviews, actions))
            assert told, n
        query = select(OutboxMessage.id).where(col(OutboxMessage.id) > before)
        ids = [i for i in session.exec(query.order_by(col(OutboxMessage.id))) if i is not None]
    if len(ids) != count:
        raise RuntimeError(f"{len(ids)} messages queued, not {count}")
    return ids


def composed(engine: sa.Engine, settings: Settings, ids: Sequence[int]) -> list[Composed]:
    """Each message as the worker composes it and puts it on the wire: its envelope and its
    bytes."""
    made: list[Composed] = []
    with unit_of_work(engine, read_only=True) as session:
        for message_id in ids:
            message = session.get(OutboxMessage, message_id)
            assert message is not None and message.user_id is not None
            notifications = queries.carried_by_each(session, [message_id]).get(message_id, [])
            recipient = people_queries.get_user(session, message.user_id)
            email = compose(settings, Outgoing(message, notifications, recipient))
            made.append((email.sender, [email.recipient], email.data))
    return made


def bare_send(port: int, messages: Sequence[Composed]) -> float:
    """Seconds to send `messages` on one connection with plain smtplib."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for sender, recipients, data in messages:
            smtp.sendmail(sender, recipients, data)
    return time.perf_counter() - started


def worker_send(engine: sa.Engine, worker: Worker, ids: Sequence[int]) -> float:
    """Seconds for the worker to deliver the queued messages (made pending again first)."""
    with engine.begin() as conn:
        conn.execute(RESET, {"pending": MessageStatus.PENDING, "ids": list(ids)})
    started = time.perf_counter()
    done = worker.deliver_all()
    seconds = time.perf_counter() - started
    if done.sent != len(ids) or done.not_sent:
        raise RuntimeError(f"The worker sent {done.sent} of {len(ids)} ({done.not_sent} not sent)")
    return seconds


def mail_delivery(url: str, engine: sa.Engine) -> dict[str, Any]:
    """Messages a second, the worker's and the bare loop's, each the best of alternating
    rounds; the messages are removed again afterwards."""
    ids = queue(engine, MESSAGES)
    try:
        with smtp_sink() as (port, accepted):
            settings = Settings(
                environment=Environment.DEVELOPMENT,
                database_url=url,
                smtp_url=f"smtp://127.0.0.1:{port}",
                base_url=BASE_URL,
            )
            messages = composed(engine, settings, ids)
            worker = Worker.on(settings, engine)
            workers, bares = [], []
            for _ in range(MAIL_ROUNDS):
                workers.append(worker_send(engine, worker, ids))
                bares.append(bare_send(port, messages))
    finally:
        with engine.begin() as conn:
            for statement in REMOVE:
                conn.execute(
                    statement.bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids}
                )
    expected = 2 * MAIL_ROUNDS * len(ids)
    if accepted != [expected]:
        raise RuntimeError(f"The SMTP sink accepted {accepted}, not {expected}")
    sizes = [len(data) for _, _, data in messages]
    return {
        "messages": len(ids),
        "bytes_a_message": round(sum(sizes) / len(sizes)),
        "batch": settings.outbox_batch,
        "worker": _rate(len(ids), workers),
        "bare": _rate(len(ids), bares),
        "rounds": MAIL_ROUNDS,
    }


def _rate(count: int, runs: Sequence[float]) -> dict[str, Any]:
    best = min(runs)
    return {
        "seconds": round(best, 3),
        "per_second": round(count / best, 1),
        "all_seconds": [round(s, 3) for s in runs],
    }
