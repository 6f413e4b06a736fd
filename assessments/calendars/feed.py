"""A person's calendar feed (iCalendar, RFC 5545, read by Outlook, Google Calendar and the
like through a signed link): an all-day event on the review date of each policy in use they
may see, and on the due date of each open action of an approved version they may see."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import TRANSP, Calendar, Event, vDuration
from sqlmodel import Session

from assessments.calendars import queries
from assessments.kernel.actors import Actor
from assessments.kernel.text import brief
from assessments.models import (
    ActionProgress,
    AssessmentVersion,
    MitigatingAction,
    Policy,
    School,
)
from assessments.people import queries as people_queries
from assessments.people.accounts import actor_of

PRODID = "-//Workload Impact Register//Calendar feed//EN"
# How often calendar apps are asked to fetch it again (RFC 7986, and Outlook's older name).
REFRESH = timedelta(hours=12)
SUMMARY_LENGTH = 60  # an action's description, shortened to fit a calendar's day cell
# RFC 5545 text may hold no control character but a tab (icalendar escapes the newlines).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def calendar_for(
    *, session: Session, user_id: int, generation: int, base_url: str, now: datetime
) -> bytes | None:
    """The .ics of the person a feed link was signed for, or None when there is no such
    person, they are disabled, or the link is of an earlier generation (a new one was got)."""
    user = people_queries.get_user(session, user_id)
    if user is None or user.disabled or user.calendar_generation != generation:
        return None
    site = _Site(base_url)
    calendar = Calendar.new(
        prodid=PRODID,
        name=f"Workload Impact Register – {user.name}",
        description="Policy reviews and mitigating actions falling due",
        uid=f"calendar-{user_id}@{site.host}",  # the same every time, unlike the default
    )
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for event in sorted(_events(session, actor_of(session, user), site, now), key=_by_day):
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


class _Site:
    """Where the service is: its pages' addresses, and the host that makes UIDs unique."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(base_url).hostname or "localhost"

    def page(self, path: str) -> str:
        return self.base_url + path


def _events(session: Session, actor: Actor, site: _Site, now: datetime) -> list[Event]:
    """The events of what the actor may see (Actor.sees): nothing of another trust, and of
    their trust its trust-wide records and those of their schools (all with a trust-wide role)."""
    trust_id = actor.trust_id
    if trust_id is None or not actor.sees(trust_id, None):  # no role: sees nothing
        return []
    schools = actor.schools_seen()
    reviews = [
        _review(policy, school, site, now)
        for policy, school in queries.reviews_in(session, trust_id, schools)
    ]
    actions = [
        _action(action, progress, version, policy, site, now)
        for action, progress, version, policy in queries.open_actions_in(session, trust_id, schools)
    ]
    return reviews + actions


def _review(policy: Policy, school: School | None, site: _Site, now: datetime) -> Event:
    assert policy.next_review_date is not None
    day = policy.next_review_date
    url = site.page(f"/policies/{policy.id}")
    where = school.name if school is not None else "Trust-wide"
    named = f"{policy.reference} {policy.title}"
    return _all_day(
        day,
        # The date is part of it: a review moved to another date is another event.
        uid=f"review-{policy.id}-{day.isoformat()}@{site.host}",
        summary=f"Review due: {named}",
        description=(
            f"The review of {named} ({where}) falls due.\n"
            f"Owner: {policy.owner or 'not named'}. Status: {policy.status.label}.\n{url}"
        ),
        url=url,
        now=now,
    )


def _action(
    action: MitigatingAction,
    progress: ActionProgress,
    version: AssessmentVersion,
    policy: Policy,
    site: _Site,
    now: datetime,
) -> Event:
    assert action.due_date is not None
    url = site.page(f"/actions/{action.id}")
    return _all_day(
        action.due_date,
        uid=f"action-{action.id}@{site.host}",
        summary=f"Action due: {brief(action.description, SUMMARY_LENGTH)}",
        description=(
            f"{action.description}\n\n"
            f"A mitigating action of {policy.reference} {policy.title} (version "
            f"{version.number}). Owner: {action.owner or 'not named'}. "
            f"Status: {progress.status.label}.\n{url}"
        ),
        url=url,
        now=now,
    )


def _all_day(
    day: date, *, uid: str, summary: str, description: str, url: str, now: datetime
) -> Event:
    return Event.new(
        start=day,  # a DATE: an all-day event, on that day wherever the reader is
        end=day + timedelta(days=1),
        stamp=now,
        uid=uid,
        summary=_text(summary),
        description=_text(description),
        url=url,
        # A date falling due is not a meeting: it leaves the person's time free.
        transparency=TRANSP.TRANSPARENT,
    )


def _by_day(event: Event) -> tuple[date, str]:
    return event.start, str(event["UID"])


def _text(text: str) -> str:
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))
