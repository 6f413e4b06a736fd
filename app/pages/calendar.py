"""A person's calendar feed: the page with its link and how to subscribe to it from Outlook or
Google Calendar, and a new link, which stops the old one; and the feed itself, which calendar
apps fetch without signing in (the signed link is the proof), outside the CSRF-checked pages
like the unsubscribe link (a GET, but it belongs to no browser session)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.calendar_links import feed_links, read_feed_token
from app.deps import ActorDep, SessionDep, SettingsDep
from app.flash import confirm
from app.settings import Settings
from app.web import redirect, render
from assessments.calendars import feed, subscriptions
from assessments.kernel.clock import now
from assessments.kernel.errors import NotFound

router = APIRouter()
feed_router = APIRouter(include_in_schema=False)  # no CSRF check, no sign-in: see above
ICALENDAR = "text/calendar; charset=utf-8"


@router.get("/account/calendar")
def calendar_page(
    request: Request, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    """The person's calendar link, and how to subscribe to it."""
    key = subscriptions.feed_key(session=session, actor=actor)
    context = {"title": "Calendar", "links": feed_links(settings, key)}
    return render(request, "account/calendar.html", context)


@router.post("/account/calendar/renew")
def renew_link(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Get a new calendar link: the old one stops working at once."""
    subscriptions.renew(session=session, actor=actor)
    return confirm(request, redirect(request, "/account/calendar"), "calendar-renewed")


@feed_router.get("/calendar/{token}.ics")
def calendar_feed(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The person's calendar, for their calendar app: 404 for a link this service did not
    sign, one replaced by a new link, or a disabled person's."""
    ics = _calendar(session, settings, token)
    if ics is None:
        raise NotFound("There is no such calendar")
    # Private: it is one person's, and a shared cache must not keep it past a new link.
    return Response(ics, media_type=ICALENDAR, headers={"Cache-Control": "private, no-store"})


def _calendar(session: Session, settings: Settings, token: str) -> bytes | None:
    key = read_feed_token(settings, token)
    if key is None:
        return None
    return feed.calendar_for(
        session=session,
        user_id=key.user_id,
        generation=key.generation,
        base_url=settings.base_url,
        now=now(),
    )
