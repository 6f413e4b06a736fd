"""The daily sweep (`wia worker` runs it each day; `wia reminders run` on its own, for cron):
it reminds policy owners before a review falls due and action owners before an action does,
then weekly while either is overdue, and sends the day's digests. It runs once a day: a second
run finds the day done and sends nothing more; a day missed is caught up with the reminder due
now (not every one missed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from assessments.kernel.text import brief
from assessments.models import (
    Delivery,
    Notification,
    NotificationKind,
    SweepRun,
    Trust,
    User,
)
from assessments.notifications import queries
from assessments.notifications.outbox import Tell, notify_all, queue_message

WEEK = 7
DIGEST_WEEKDAY = 0  # weekly digests go out on Mondays


@dataclass(frozen=True)
class SweepReport:
    day: date
    already_run: bool = False
    reminders: int = 0
    digests: int = 0


def review_stage(days_left: int, offsets: list[int]) -> str | None:
    """Which reminder a review due in `days_left` days has reached (None: none yet): the
    nearest of the trust's offsets it is within, the day itself, or the week overdue."""
    if days_left < 0:
        return f"overdue-{-days_left // WEEK}" if days_left <= -WEEK else "due"
    if days_left == 0:
        return "due"
    reached = [offset for offset in offsets if offset >= days_left]
    return f"before-{min(reached)}" if reached else None


def action_stage(days_left: int, before: int) -> str | None:
    """Which reminder an action due in `days_left` days has reached: `before` days ahead,
    then each week overdue (from the day after it was due)."""
    if days_left < 0:
        return f"overdue-{(-days_left - 1) // WEEK}"
    return "soon" if days_left <= before else None


def _when(days_left: int) -> str:
    if days_left == 0:
        return "today"
    if days_left > 0:
        return f"in {days_left} day{'s' if days_left != 1 else ''}"
    weeks = -days_left // WEEK
    if weeks:
        return f"overdue by {weeks} week{'s' if weeks != 1 else ''}"
    return f"overdue by {-days_left} day{'s' if days_left != -1 else ''}"


def _review_reminders(session: Session, today: date, trusts: dict[int, Trust]) -> list[Tell]:
    furthest = max((max(t.review_reminder_days, default=0) for t in trusts.values()), default=0)
    tells = []
    for policy, owner in queries.reviews_due_by(session, today + timedelta(days=furthest)):
        assert policy.next_review_date is not None
        days_left = (policy.next_review_date - today).days
        stage = review_stage(days_left, trusts[policy.trust_id].review_reminder_days)
        if stage is None:
            continue
        when = _when(days_left)
        tells.append(
            Tell(
                owner,
                NotificationKind.REVIEW_DUE,
                f"Review {'due ' if days_left >= 0 else ''}{when}: {policy.reference} "
                f"{policy.title}",
                {
                    "policy_id": policy.id,
                    "reference": policy.reference,
                    "title": policy.title,
                    "due": policy.next_review_date.isoformat(),
                    "when": when,
                },
                f"review:{policy.id}:{policy.next_review_date}:{stage}",
            )
        )
    return tells


def _action_reminders(session: Session, today: date, trusts: dict[int, Trust]) -> list[Tell]:
    furthest = max((t.action_reminder_days for t in trusts.values()), default=0)
    tells = []
    for action, version, policy, owner in queries.actions_due_by(
        session, today + timedelta(days=furthest)
    ):
        assert action.due_date is not None
        days_left = (action.due_date - today).days
        stage = action_stage(days_left, trusts[policy.trust_id].action_reminder_days)
        if stage is None:
            continue
        when = _when(days_left)
        tells.append(
            Tell(
                owner,
                NotificationKind.ACTION_DUE,
                f"Action {'due ' if days_left >= 0 else ''}{when}: {brief(action.description, 80)}",
                {
                    "action_id": action.id,
                    "description": action.description,
                    "due": action.due_date.isoformat(),
                    "when": when,
                    "version_id": version.id,
                    "version": version.number,
                    "policy_id": policy.id,
                    "reference": policy.reference,
                    "title": policy.title,
                },
                f"action:{action.id}:{action.due_date}:{stage}",
            )
        )
    return tells


def _send_digests(session: Session, today: date) -> int:
    waiting: dict[tuple[int, Delivery], list[Notification]] = defaultdict(list)
    people: dict[int, User] = {}
    for notification, person in queries.waiting_for_digest(session):
        waiting[(person.id or 0, notification.delivery)].append(notification)
        people[person.id or 0] = person
    sent, weekly_due = 0, _weekly_digests_due(session, today)
    for (user_id, delivery), notifications in waiting.items():
        if delivery is Delivery.WEEKLY and not weekly_due:
            continue
        person = people[user_id]
        if person.disabled:
            continue
        message = queue_message(session, user=person, digest=delivery)
        for notification in notifications:
            notification.message_id = message.id
            session.add(notification)
        sent += 1
    session.flush()
    return sent


def _weekly_digests_due(session: Session, today: date) -> bool:
    """On Mondays; or later in the week if Monday's sweep was missed (the sweep had been
    running before then, so a Monday's digests are late rather than the service new)."""
    if today.weekday() == DIGEST_WEEKDAY:
        return True
    monday = today - timedelta(days=(today.weekday() - DIGEST_WEEKDAY) % WEEK)
    return queries.sweep_run_on(session, monday) is None and queries.swept_before(session, monday)


def run_sweep(session: Session, *, today: date) -> SweepReport:
    """Send `today`'s reminders and digests, unless the sweep has run today already."""
    if queries.sweep_run_on(session, today) is not None:
        return SweepReport(today, already_run=True)
    run = SweepRun(day=today)
    try:
        with session.begin_nested():  # another worker sweeping at the same moment wins
            session.add(run)
            session.flush()
    except IntegrityError:
        return SweepReport(today, already_run=True)
    trusts = {t.id: t for t in queries.trusts(session) if t.id is not None}
    tells = _review_reminders(session, today, trusts) + _action_reminders(session, today, trusts)
    run.reminders = len(notify_all(session, tells))
    run.digests = _send_digests(session, today)
    session.add(run)
    session.flush()
    return SweepReport(today, reminders=run.reminders, digests=run.digests)
