"""The worker (`wia worker`, or beside the server with `wia serve --worker`): it runs the daily
sweep of reminders and digests each day, and delivers the outbox over SMTP, each message
exactly once, trying again with growing waits when the mail server fails. Any number of
workers may run against PostgreSQL; on SQLite, one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session

from app.mail.compose import compose
from app.mail.transport import NotSent, Transport, transport_for
from app.settings import Settings
from assessments.kernel import clock
from assessments.kernel.db import unit_of_work
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


class Worker:
    """Delivery through `unit` (one transaction each time it is entered: the database's own,
    or in tests one inside the test's transaction)."""

    def __init__(self, settings: Settings, unit: UnitOfWork) -> None:
        self.settings, self.unit = settings, unit
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.swept: date | None = None  # the last day this worker ran the daily sweep for

    @classmethod
    def on(cls, settings: Settings, engine: sa.Engine) -> Worker:
        return cls(settings, partial(unit_of_work, engine))

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
        held_since, tried, error = time.monotonic(), 0, ""
        try:
            with self.transport() as transport:
                for outgoing in batch:
                    # The first always goes: a slow sign-in must not give every batch back.
                    if tried and time.monotonic() - held_since > self.lease.total_seconds() / 2:
                        break
                    tried += 1
                    if not self._send(transport, outgoing, held_until, done):
                        break
        except NotSent as exc:  # the connection: the server is unreachable or refuses us
            events.error("mail not sent: %s", exc.reason)
            error, done.failing = exc.reason, True
            done.not_sent += len(batch) - tried
        finally:
            self._give_back(batch[tried:], held_until, error=error)
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

    def _send(
        self, transport: Transport, outgoing: Outgoing, held_until: datetime, done: Round
    ) -> bool:
        """Send one message; whether the connection may be used for the next one."""
        message_id = outgoing.message.id
        assert message_id is not None
        try:
            email = compose(self.settings, outgoing)
        except Exception as exc:  # its content cannot be written (a bug): given up, shown to admins
            events.exception("mail cannot be composed (message %s)", message_id)
            failed = NotSent(f"Cannot be written: {exc!r}", permanent=True)
            self._not_sent(message_id, held_until, failed)
            done.not_sent += 1
            return True
        try:
            transport.send(email)
        except NotSent as exc:
            self._not_sent(message_id, held_until, exc)
            done.not_sent += 1
            if not exc.permanent:  # the server is in trouble, or the connection is lost
                done.failing = True
                return False
            return True
        with self.unit() as session:
            delivery.mark_sent(session, message_id, now=clock.now())
        done.sent += 1
        return True

    def _not_sent(self, message_id: int, held_until: datetime, exc: NotSent) -> None:
        if exc.server:  # nothing wrong with the message: it waits for the server, uncounted
            with self.unit() as session:
                delivery.release(session, [message_id], held_until=held_until, error=exc.reason)
            return
        with self.unit() as session:
            status = delivery.mark_not_sent(
                session,
                message_id,
                now=clock.now(),
                error=exc.reason,
                max_attempts=self.settings.outbox_max_attempts,
                permanent=exc.permanent,
                held_until=held_until,
            )
        if status is MessageStatus.FAILED:
            events.error("mail given up (message %s): %s", message_id, exc.reason)
        else:
            events.warning(
                "mail not sent (message %s), to be tried again: %s", message_id, exc.reason
            )


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
