"""What the mail tests share: a real SMTP server (aiosmtpd) for each test, and a worker whose
transactions run inside the test's, sending to it with links that start with BASE."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.settings import Settings
from app.worker import Worker
from assessments.kernel.db import committed
from assessments.models import OutboxMessage
from tests import databases
from tests.factories.people import Cast, make_cast
from tests.mailbox import Mailbox, smtp_server

BASE = "https://wia.example"


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, str]]:
    with smtp_server() as running:
        yield running


def worker(connection: sa.Connection, settings: Settings, smtp_url: str) -> Worker:
    """A worker whose transactions run inside the test's, sending through `smtp_url`."""

    @contextmanager
    def unit() -> Iterator[Session]:
        with databases.session_on(connection) as session, committed(session):
            yield session

    mailing = settings.model_copy(update={"smtp_url": smtp_url, "base_url": BASE})
    return Worker(mailing, unit)


def messages(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()
