"""The daily sweep (`wia worker` runs it each day; `wia reminders run` on its own, for cron):
it reminds policy owners before a review falls due and action owners before an action does,
then weekly while either is overdue, and sends the day's digests. It runs once a day: a second
run finds the day done and sends nothing more; a day missed is caught up with the reminder due
now (not every one missed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from assessments.kernel.text import brief
from assessments.models import (
    Delivery,
    NotificationKind,
    SweepRun,
    Trust,
    User,
)
from assessments.notifications import queries
from assessments.notifications.outbox import Tell, notify_all, queue_messages

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


Due = tuple[str, queries.Selected, int, str]  # its topic, the row, the days left, its key


def _due(
    topic: str,
    rows: list[queries.Selected],
    today: date,
    stage_of: Callable[[int, int], str | None],
) -> list[Due]:
    """The rows whose reminder falls due by today (`stage_of` is given a row's trust and the
    days left), each with its reminder's dedupe key."""
    due = []
    for row in rows:
        # By position (each row starts with its id, trust and due date): thousands of rows'
        # fields read by name cost more than all the rest of this loop.
        row_id, trust_id, due_on = row[0], row[1], row[2]
        days_left = (due_on - today).days
        if (stage := stage_of(trust_id, days_left)) is not None:
            due.append((topic, row, days_left, f"{topic}:{row_id}:{due_on}:{stage}"))
    return due


def _reminders(session: Session, today: date, trusts: list[Trust]) -> list[Tell]:
    """The reviews' and actions' reminders still to be sent: most of the rows selected were
    told on an earlier day, and their reminders are not written out only to be dropped."""
    offsets = {t.id: t.review_reminder_days for t in trusts}
    before = {t.id: t.action_reminder_days for t in trusts}
    furthest = max((max(days, default=0) for days in offsets.values()), default=0)
    reviews = queries.reviews_due_by(session, today + timedelta(days=furthest))
    actions = queries.actions_due_by(
        session, today + timedelta(days=max(before.values(), default=0))
    )
    due = _due("review", reviews, today, lambda trust, days: review_stage(days, offsets[trust]))
    due += _due("action", actions, today, lambda trust, days: action_stage(days, before[trust]))
    told = queries.told_keys(session, [key for *_, key in due])
    new = [one for one in due if one[3] not in told]
    owners = queries.people(session, {row.owner_user_id for _, row, _, _ in new})
    return [
        (_review if topic == "review" else _action)(owners, row, days_left, key)
        for topic, row, days_left, key in new
    ]


def _review(owners: dict[int, User], row: queries.Selected, days_left: int, key: str) -> Tell:
    policy_id, _, due_on, owner_id, reference, title = row
    when = _when(days_left)
    return Tell(
        owners[owner_id],
        NotificationKind.REVIEW_DUE,
        f"Review {'due ' if days_left >= 0 else ''}{when}: {reference} {title}",
        {
            "policy_id": policy_id,
            "reference": reference,
            "title": title,
            "due": due_on.isoformat(),
            "when": when,
        },
        key,
    )


def _action(owners: dict[int, User], row: queries.Selected, days_left: int, key: str) -> Tell:
    action_id, _, due_on, owner_id, description, version_id, version = row[:7]
    policy_id, reference, title = row[7:]
    when = _when(days_left)
    return Tell(
        owners[owner_id],
        NotificationKind.ACTION_DUE,
        f"Action {'due ' if days_left >= 0 else ''}{when}: {brief(description, 80)}",
        {
            "action_id": action_id,
            "description": description,
            "due": due_on.isoformat(),
            "when": when,
            "version_id": version_id,
            "version": version,
            "policy_id": policy_id,
            "reference": reference,
            "title": title,
        },
        key,
    )


def _send_digests(session: Session, today: date) -> int:
    """The day's digests (and on Mondays the week's): one message a person, carrying what waits."""
    waiting: dict[Delivery, dict[int, list[int]]] = {Delivery.DAILY: {}, Delivery.WEEKLY: {}}
    people: dict[int, User] = {}
    for notification_id, delivery, person in queries.waiting_for_digest(session):
        if not person.disabled:
            waiting[delivery].setdefault(person.id or 0, []).append(notification_id)
            people[person.id or 0] = person
    if not _weekly_digests_due(session, today):
        del waiting[Delivery.WEEKLY]
    sent = 0
    for delivery, by_person in waiting.items():
        message_ids = queue_messages(session, [people[p] for p in by_person], delivery)
        queries.carry(
            session,
            {
                notification: message_id  # one message each
                for notifications, message_id in zip(by_person.values(), message_ids, strict=True)
                for notification in notifications
            },
        )
        sent += len(by_person)
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
    trusts = queries.trusts(session)
    # Their keys are checked already, and the day's row keeps a second sweep out.
    run.reminders = notify_all(session, _reminders(session, today, trusts), keys_checked=True)
    run.digests = _send_digests(session, today)
    session.add(run)
    session.flush()
    return SweepReport(today, reminders=run.reminders, digests=run.digests)
