"""The signed link of a person's calendar feed, `/calendar/{user_id}.{generation}.{mac}.ics`:
made from the service's secret key rather than stored, so a copy of the database holds no
working link; a new link moves the generation on, which stops the old one."""

from __future__ import annotations

from dataclasses import dataclass

from app.settings import Settings
from app.signing import number, read_signed, signed
from assessments.calendars.subscriptions import FeedKey


def feed_token(settings: Settings, key: FeedKey) -> str:
    return signed(settings, "calendar", f"{key.user_id}.{key.generation}")


def read_feed_token(settings: Settings, token: str) -> FeedKey | None:
    """The person and generation a token was signed for, or None if this service did not
    sign it (whether that generation is still theirs is the feed's to say)."""
    payload = read_signed(settings, "calendar", token)
    user_id, _, generation = (payload or "").partition(".")
    user, count = number(user_id), number(generation)
    return None if user is None or count is None else FeedKey(user, count)


@dataclass(frozen=True)
class FeedLinks:
    """The feed's address to paste into a calendar app, and as a webcal:// link that opens
    one (Apple Calendar, Outlook on a desktop)."""

    web: str
    webcal: str


def feed_links(settings: Settings, key: FeedKey) -> FeedLinks:
    web = f"{settings.base_url.rstrip('/')}/calendar/{feed_token(settings, key)}.ics"
    return FeedLinks(web=web, webcal="webcal://" + web.partition("://")[2])
