"""A person's Calendar page, under their account: the link of their calendar feed, which a
calendar app fetches without signing in and gets text/calendar; a new link, which stops the
old one; and a link that is made up, garbled, of an earlier generation or of a disabled person
finds nothing."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.calendar_links import feed_links
from app.flash import CONFIRMATIONS
from app.mail.links import unsubscribe_token
from app.settings import Settings
from assessments.calendars import subscriptions
from assessments.calendars.subscriptions import FeedKey
from assessments.kernel import clock
from assessments.models import Trust
from assessments.people import accounts
from tests.app.pages import Element, banner, page, submit
from tests.factories.calendars import events_of, policy_reviewed_on, read_calendar
from tests.factories.people import Cast, make_cast
from tests.factories.sign_in import sign_in_as

pytestmark = pytest.mark.usefixtures("rubric_published")
REVIEW = date(2027, 4, 12)


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@pytest.fixture
def authors_browser(
    anonymous_client: TestClient, session: Session, settings: Settings, cast: Cast
) -> TestClient:
    sign_in_as(anonymous_client, session, settings, cast.author)
    return anonymous_client


def calendar_page(client: TestClient) -> Element:
    response = client.get("/account/calendar")
    assert response.status_code == 200
    return page(response)


def link_on(doc: Element) -> str:
    """The link the page shows, to copy (in a read-only field, outside any form)."""
    field = doc.by_id("calendar-link")
    assert "readonly" in field.attrs
    return field.attrs["value"]


def fetched(client: TestClient, settings: Settings, link: str) -> tuple[int, bytes]:
    """What a calendar app gets from the link (the person's cookies play no part in it)."""
    assert link.startswith(settings.base_url + "/calendar/") and link.endswith(".ics")
    response = client.get(link.removeprefix(settings.base_url))
    return response.status_code, response.content


def test_the_page_shows_a_link_that_a_calendar_app_can_subscribe_to(
    authors_browser: TestClient, session: Session, settings: Settings, cast: Cast
) -> None:
    policy = policy_reviewed_on(session, REVIEW, reference="HW-7", school_id=cast.school.id)
    doc = calendar_page(authors_browser)
    crumbs = [item.text for item in doc.find_all("li", cls="govuk-breadcrumbs__list-item")]
    assert crumbs == ["Home", "Your account", "Calendar"]
    link = link_on(doc)
    webcal = doc.by_id("calendar-webcal").attrs["href"]
    assert webcal == "webcal://" + link.partition("://")[2]
    assert doc.find("form", action="/account/calendar/renew").find("button").text == (
        "Get a new link"
    )

    authors_browser.cookies.clear()  # signed out: the link alone is enough
    response = authors_browser.get(link.removeprefix(settings.base_url))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-store"
    (event,) = events_of(read_calendar(response.content)).values()
    assert str(event["SUMMARY"]) == "Review due: HW-7 Marking and feedback policy"
    assert event.start == REVIEW
    assert str(event["URL"]) == f"{settings.base_url}/policies/{policy.id}"


def test_a_new_link_replaces_the_old_one_which_then_finds_nothing(
    authors_browser: TestClient, session: Session, settings: Settings
) -> None:
    doc = calendar_page(authors_browser)
    old = link_on(doc)
    renewed = submit(authors_browser, doc, "/account/calendar/renew")
    assert (renewed.status_code, renewed.headers["location"]) == (303, "/account/calendar")

    again = calendar_page(authors_browser)
    assert banner(again) == CONFIRMATIONS["calendar-renewed"]
    new = link_on(again)
    assert new != old
    assert fetched(authors_browser, settings, old)[0] == 404
    assert fetched(authors_browser, settings, new)[0] == 200
    assert link_on(calendar_page(authors_browser)) == new  # the same until renewed again


def test_a_new_link_needs_the_pages_csrf_token(
    authors_browser: TestClient, session: Session, cast: Cast
) -> None:
    link = link_on(calendar_page(authors_browser))
    refused = authors_browser.post("/account/calendar/renew", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert authors_browser.post("/account/calendar/renew").status_code == 403
    session.expire_all()
    assert subscriptions.feed_key(session=session, actor=cast.author).generation == 1
    assert link_on(calendar_page(authors_browser)) == link


def test_a_made_up_garbled_or_forged_link_finds_nothing(
    anonymous_client: TestClient, settings: Settings, cast: Cast
) -> None:
    assert cast.author.user_id is not None
    real = feed_links(settings, FeedKey(cast.author.user_id, 1)).web
    token = real.removeprefix(f"{settings.base_url}/calendar/").removesuffix(".ics")
    user_id, generation, mac = token.split(".")
    forged = [
        "1.1.madeup",
        f"{user_id}.2.{mac}",  # another generation under the first one's signature
        f"{int(user_id) + 1}.{generation}.{mac}",  # someone else's
        f"{user_id}.{generation}.{mac[:-1]}",
        f"{user_id}.{generation}",
        f"{user_id}.{generation}.{mac}.{mac}",
        f"{user_id}.{generation}.{mac[:-1]}é",  # not ASCII
        f"{user_id}.0{generation}.{mac}",
        "9" * 40 + f".{generation}.{mac}",
        # Signed by this service, but for unsubscribing: another key.
        unsubscribe_token(settings, int(user_id), generation),
    ]
    for made_up in forged:
        response = anonymous_client.get(f"/calendar/{made_up}.ics")
        assert response.status_code == 404, made_up
    assert anonymous_client.get(real.removeprefix(settings.base_url)).status_code == 200
    assert anonymous_client.get(f"/calendar/{token}").status_code == 404  # no .ics


def test_a_disabled_persons_link_finds_nothing_even_once_they_are_enabled_again(
    authors_browser: TestClient, session: Session, settings: Settings, cast: Cast
) -> None:
    link = link_on(calendar_page(authors_browser))
    assert fetched(authors_browser, settings, link)[0] == 200
    trust = session.get(Trust, cast.author.trust_id)
    assert trust is not None and cast.author.user_id is not None
    admin = accounts.operator_of_trust(session=session, trust_name=trust.name)
    for disabled in (True, False):
        accounts.set_disabled(
            session=session,
            actor=admin,
            user_id=cast.author.user_id,
            disabled=disabled,
            now=clock.now(),
        )
        # As their sessions and API tokens, the link they had is gone for good.
        assert fetched(authors_browser, settings, link)[0] == 404


def test_someone_signed_out_is_sent_to_sign_in(anonymous_client: TestClient) -> None:
    response = anonymous_client.get("/account/calendar")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
