"""Every route of the app tried by every kind of person, and with every kind of CSRF token:
hundreds of cases, all in one world (world.py). The world is made once per module, inside a
transaction rolled back after the module's last case; each case runs in a savepoint of it,
rolled back after the case, so no case sees what another did."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.app.every_route.world import World, make_world
from tests.databases import session_on
from tests.factories.trusts import publish_default_rubric


@pytest.fixture(scope="module")
def _world_in_a_transaction(engine: sa.Engine) -> Iterator[tuple[sa.Connection, World]]:
    with engine.connect() as connection:
        transaction = connection.begin()
        with session_on(connection) as session:
            publish_default_rubric(session)
            world = make_world(session)
        yield connection, world
        transaction.rollback()


@pytest.fixture
def connection(_world_in_a_transaction: tuple[sa.Connection, World]) -> Iterator[sa.Connection]:
    """The suite's `connection`, but inside the world's transaction."""
    connection, _ = _world_in_a_transaction
    savepoint = connection.begin_nested()
    yield connection
    savepoint.rollback()


@pytest.fixture
def world(_world_in_a_transaction: tuple[sa.Connection, World]) -> World:
    return _world_in_a_transaction[1]
