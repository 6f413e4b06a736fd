"""Staff asked in a consultation are emailed through the worker like anyone else, though they
have no account (issue 18): each their own link, which opens their form without signing in;
and, once the author tells them, what was done with what staff said, with the same link."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.models import MessageStatus
from tests.app.mail_worker import BASE, cast, mailbox, messages, parts, worker
from tests.assessments.consultation_cases import STAFF, Keeper, consult
from tests.factories.people import Cast
from tests.factories.versions import draft_for
from tests.mailbox import Mailbox

__all__ = ["cast", "mailbox"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")

ASKED = ["ann@oak.example", "bob@oak.example", "cat@oak.example"]
LINK = re.compile(re.escape(BASE) + r"(/consult/[^\s\"<]+)")


def _link(text: str) -> str:
    found = LINK.search(text)
    assert found is not None, text
    return found[1]


def test_staff_without_accounts_get_their_own_link_and_then_what_was_done(
    session: Session,
    connection: sa.Connection,
    settings: Settings,
    cast: Cast,
    mailbox: tuple[Mailbox, str],
    anonymous_client: TestClient,
) -> None:
    box, url = mailbox
    consultation = consult(session, cast.author, draft_for(session, cast), STAFF)

    assert worker(connection, settings, url).deliver_all().sent == len(ASKED)

    links = []
    for address in ASKED:
        (email,) = box.to(address)
        assert email["Subject"].startswith("Your views on a draft")
        text, html = parts(email)
        links.append(_link(text))
        assert f'href="{BASE}{links[-1]}"' in html
    assert len(set(links)) == len(ASKED)  # each their own
    form = anonymous_client.get(links[0])
    assert form.status_code == 200 and "How many hours a week" in form.text
    assert all(m.status is MessageStatus.SENT for m in messages(session))

    keeper = Keeper(session, cast.author, consultation)
    keeper.close()
    keeper.add()
    keeper.tell()
    assert worker(connection, settings, url).deliver_all().sent == len(ASKED)

    asked, told = box.to(ASKED[0])
    assert told["Subject"] != asked["Subject"]
    assert "has answered what staff said" in parts(told)[0]
    assert _link(parts(told)[0]) == links[0]  # the same link, which now shows the themes
