"""The worker (`wia worker`, or beside the server with `wia serve --worker`): it runs the daily
sweep of reminders and digests each day, and delivers the outbox over SMTP, each message
exactly once, trying again with growing waits when the mail server fails. Any number of
workers may run against PostgreSQL; on SQLite, one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session

from app.mail.compose import compose
from app.mail.transport import Email, NotSent, Transport, transport_for
from app.settings import Settings
from assessments.kernel import clock
from assessments.kernel.db import held_connection, unit_of_work
from assessments.models import MessageStatus
from assessments.notifications import delivery
from assessments.notifications.delivery import Outgoing
from assessments.notifications.reminders import SweepReport, run_sweep
from assessments.people import account_links

events = logging.getLogger("wia.worker")
MAX_WAIT_SECONDS = 300  # the longest an idle or failing worker waits before it looks again


@dataclass
class Round:
    """What one round of delivery did."""

    sent: int = 0
    not_sent: int = 0
    failing: bool = False  # the round ended because the mail server failed


UnitOfWork = Callable[[], AbstractContextManager[Session]]
MarkSent = Callable[[int], None]  # marks a message (by id) sent, committed before it returns
Marking = Callable[[], AbstractContextManager[MarkSent]]  # entered for each batch


class Worker:
    """Delivery through `unit` (one transaction each time it is entered: the database's own,
    or in tests one inside the test's transaction), and each message marked sent through
    `marking` (by default, in a unit of its own)."""

    def __init__(
        self, settings: Settings, unit: UnitOfWork, marking: Marking | None = None
    ) -> None:
        self.settings, self.unit = settings, unit
        self.marking = marking or partial(_marking_in_units, unit)
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.swept: date | None = None  # the last day this worker ran the daily sweep for

    @classmethod
    def on(cls, settings: Settings, engine: sa.Engine) -> Worker:
        return cls(settings, partial(unit_of_work, engine), partial(_marking_on, engine))

    def transport(self) -> Transport:
        return transport_for(self.settings)

    def check_mail_server(self) -> str | None:
        """Whether the mail server answers and takes the credentials: None, or the problem."""
        try:
            with self.transport():
                return None
        except NotSent as exc:
            return exc.reason

    def deliver(self, *, now: datetime | None = None) -> Round:
        """Send a batch of the messages due (at `now`, or the clock's time) on one connection.
        The round ends early when the server fails (what it failed to send waits), and once
        half the batch's hold has gone: the rest are given back rather than sent when another
        worker might be about to take them. Whatever ends the round, what it did not try goes
        back at once, not when the hold runs out."""
        done = Round()
        batch = self._take(now)
        if not batch:
            return done
        held_until = batch[0].message.claimed_until
        assert held_until is not None
        held_since, error = time.monotonic(), ""
        sending = _Batch(self, batch, held_until, done)

        def in_time(tried: int) -> bool:
            # The first always goes: a slow sign-in must not give every batch back.
            return not tried or time.monotonic() - held_since <= self.lease.total_seconds() / 2

        try:
            with self.transport() as transport, self.marking() as mark_sent:
                sending.send_all(transport, mark_sent, in_time)
        except NotSent as exc:  # the connection: the server is unreachable or refuses us
            events.error("mail not sent: %s", exc.reason)
            error, done.failing = exc.reason, True
            done.not_sent += len(batch) - sending.tried
        finally:
            self._give_back(batch[sending.tried :], held_until, error=error)
        return done

    def deliver_all(self, *, now: datetime | None = None) -> Round:
        """Rounds of delivery until nothing more is due, or the server fails; each round first
        answers a few of the password resets asked for (and so, in turn, however many)."""
        total = Round()
        while True:
            answered = self._answer_resets(now)
            done = self.deliver(now=now)
            total.sent, total.not_sent = total.sent + done.sent, total.not_sent + done.not_sent
            if done.failing or not (done.sent or done.not_sent or answered):
                total.failing = done.failing
                return total

    def _answer_resets(self, now: datetime | None) -> int:
        try:
            with self.unit() as session:
                return account_links.answer_reset_requests(session=session, now=now or clock.now())
        except Exception:  # a reset that cannot be answered must not stop mail being delivered
            events.exception("password resets asked for could not be answered")
            return 0

    def sweep(self, today: date) -> SweepReport:
        """The daily sweep for `today` (once a day, whichever worker gets there first)."""
        with self.unit() as session:
            report = run_sweep(session, today=today)
        self.swept = today
        if not report.already_run:
            events.info(
                "daily sweep", extra={"reminders": report.reminders, "digests": report.digests}
            )
        return report

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set, looking again every few seconds when idle; and each
        new day, run the daily sweep first."""
        if problem := self.check_mail_server():
            events.error("the mail server is not usable yet (the worker keeps trying): %s", problem)
        failing = 0  # rounds in a row the mail server failed: the waits grow, to 5 minutes
        while not stop.is_set():
            try:
                if self.swept != (today := clock.today()):
                    self.sweep(today)
            except Exception:  # the day's sweep failing must not stop mail being delivered
                events.exception("the daily sweep failed; trying again shortly")
            try:
                done = self.deliver_all()
            except Exception:  # a database that is restarting: log it, wait, try again
                events.exception("delivery failed; trying again shortly")
                done = Round(failing=True)
            failing = failing + 1 if done.failing else 0
            if failing or not done.sent:
                poll = self.settings.worker_poll_seconds
                stop.wait(min(poll * 2 ** min(failing, 10), max(poll, MAX_WAIT_SECONDS)))

    def _take(self, now: datetime | None) -> list[Outgoing]:
        with self.unit() as session:
            while batch := delivery.take(
                session, now=now or clock.now(), lease=self.lease, limit=self.settings.outbox_batch
            ):
                # Nobody to send it to: given up at once, and others taken in its place.
                sendable = []
                for outgoing in batch:
                    assert outgoing.message.id is not None
                    if why := _undeliverable(outgoing):
                        delivery.drop(session, outgoing.message.id, why)
                    else:
                        sendable.append(outgoing)
                if sendable:
                    return sendable
            return []

    def _give_back(self, batch: list[Outgoing], held_until: datetime, *, error: str) -> None:
        if batch:
            ids = [o.message.id or 0 for o in batch]
            with self.unit() as session:
                delivery.release(session, ids, held_until=held_until, error=error)


class _Batch:
    """Sending one batch on one connection, the database's work done while the server does
    its own: each message is composed while the server reads the one before, and marked sent
    while the server reads the next one's first command (or at once, when there is none). So
    the one message the server took that a worker dying can leave unmarked, for another to
    send again, is still only the last one it took."""

    def __init__(
        self, worker: Worker, batch: list[Outgoing], held_until: datetime, done: Round
    ) -> None:
        self.worker, self.batch, self.held_until, self.done = worker, batch, held_until, done
        self.tried = 0
        self.composed: dict[int, Email | NotSent] = {}
        self.taken: int | None = None  # the message the server took last, still to be marked
        self.mark_sent: MarkSent = _never

    def send_all(
        self, transport: Transport, mark_sent: MarkSent, keep_going: Callable[[int], bool]
    ) -> None:
        """Send the messages in turn, while `keep_going(how many tried)` and the connection
        serves."""
        self.mark_sent = mark_sent
        try:
            for index in range(len(self.batch)):
                if not keep_going(self.tried):
                    return
                self.tried += 1
                if not self._send(transport, index):
                    return
        finally:
            self._mark_taken()

    def _send(self, transport: Transport, index: int) -> bool:
        """Send the batch's `index`th message; whether the connection may be used for the next."""
        message_id = self.batch[index].message.id
        assert message_id is not None
        email = self.composed.pop(index) if index in self.composed else self._compose(index)
        if isinstance(email, NotSent):  # its content cannot be written (a bug): shown to admins
            self._mark_taken()
            self._not_sent(message_id, email)
            return True
        try:
            transport.send(
                email, first=self._mark_taken, meanwhile=partial(self._compose_ahead, index + 1)
            )
        except NotSent as exc:
            self._mark_taken()
            self._not_sent(message_id, exc)
            if not exc.permanent:  # the server is in trouble, or the connection is lost
                self.done.failing = True
                return False
            return True
        # The transport marked the one before as it began this one: else this mark comes late.
        assert self.taken is None, "the transport did not call `first`"
        self.taken = message_id
        self.done.sent += 1
        return True

    def _mark_taken(self) -> None:
        if self.taken is not None:
            taken, self.taken = self.taken, None
            self.mark_sent(taken)

    def _compose_ahead(self, index: int) -> None:
        if index < len(self.batch) and index not in self.composed:
            self.composed[index] = self._compose(index)

    def _compose(self, index: int) -> Email | NotSent:
        outgoing = self.batch[index]
        try:
            return compose(self.worker.settings, outgoing)
        except Exception as exc:  # a bug: this message is given up, not the batch
            events.exception("mail cannot be composed (message %s)", outgoing.message.id)
            return NotSent(f"Cannot be written: {exc!r}", permanent=True)

    def _not_sent(self, message_id: int, exc: NotSent) -> None:
        self.done.not_sent += 1
        held_until = self.held_until
        if exc.server:  # nothing wrong with the message: it waits for the server, uncounted
            with self.worker.unit() as session:
                delivery.release(session, [message_id], held_until=held_until, error=exc.reason)
            return
        with self.worker.unit() as session:
            status = delivery.mark_not_sent(
                session,
                message_id,
                now=clock.now(),
                error=exc.reason,
                max_attempts=self.worker.settings.outbox_max_attempts,
                permanent=exc.permanent,
                held_until=held_until,
            )
        if status is MessageStatus.FAILED:
            events.error("mail given up (message %s): %s", message_id, exc.reason)
        else:
            events.warning(
                "mail not sent (message %s), to be tried again: %s", message_id, exc.reason
            )


def _never(message_id: int) -> None:
    raise AssertionError(f"message {message_id} marked outside a batch's connection")


@contextmanager
def _marking_in_units(unit: UnitOfWork) -> Iterator[MarkSent]:
    def mark_sent(message_id: int) -> None:
        with unit() as session:
            delivery.mark_sent(session, message_id, now=clock.now())

    yield mark_sent


@contextmanager
def _marking_on(engine: sa.Engine) -> Iterator[MarkSent]:
    """Marks on one connection held for the batch, each a statement committed at once (on
    PostgreSQL one round trip, which was over a third of a message's time as a unit of work)
    and not waiting for the disk: a worker that dies still leaves every message the server
    took marked; only the database server crashing, or its machine failing, could lose the
    marks of the second or so before, and those messages would go again, each under the same
    Message-ID. If the
    database dropped the connection since the last mark (a restart), the mark is made once
    more on a new one, rather than leave a message the server took looking unsent."""
    with held_connection(engine, power_cut_proof=False) as connection:

        def mark_sent(message_id: int) -> None:
            for last_try in (False, True):
                try:
                    delivery.mark_sent(connection, message_id, now=clock.now())
                    connection.commit()
                    return
                except sa.exc.DBAPIError as exc:
                    connection.rollback()
                    if last_try or not exc.connection_invalidated:
                        raise

        yield mark_sent


def _undeliverable(outgoing: Outgoing) -> str | None:
    if not outgoing.notifications:
        return "Not sent: it carries nothing"
    # A letter to an address (staff asked in a consultation) has no account to check.
    if all(notification.user_id is None for notification in outgoing.notifications):
        return None
    if outgoing.recipient is None:
        return "Not sent: the account was removed"
    if outgoing.recipient.disabled:
        return "Not sent: the account is disabled"
    return None
