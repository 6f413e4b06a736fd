"""Writers of two trusts never wait for each other on the audit trail (PostgreSQL, real
transactions on two connections); writers of one trust still queue on its chain's head."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.people import accounts
from tests.databases import is_sqlite, scratch_database, upgrade


@pytest.fixture
def two_trusts(database_url: str, tmp_path: Path) -> Iterator[tuple[sa.Engine, Actor, Actor]]:
    if is_sqlite(database_url):
        pytest.skip("SQLite has one writer at a time, whatever the trail does")
    with scratch_database(database_url, tmp_path) as url:
        engine = create_db_engine(url)
        upgrade(engine)
        with unit_of_work(engine) as session:
            north, south = (accounts.create_trust(session=session, name=n) for n in ("N", "S"))
            actors = [Actor(name=f"Writer of {t.name}", trust_id=t.id) for t in (north, south)]
            for actor in actors:  # each chain has a head already, as a trust in use has
                _append(session, actor)
        yield engine, actors[0], actors[1]
        engine.dispose()


def _append(session: Session, actor: Actor) -> None:
    audit.record(session, actor, entity="policy", entity_id=1, action="saved", details={"n": 1})


def _append_within(engine: sa.Engine, actor: Actor, timeout: str) -> None:
    """Append one event and commit, failing (not hanging) if a lock is not had in time."""
    with Session(engine) as session:
        session.connection().exec_driver_sql(f"SET LOCAL lock_timeout = '{timeout}'")
        _append(session, actor)
        session.commit()


def test_an_uncommitted_append_in_one_trust_does_not_hold_up_another(
    two_trusts: tuple[sa.Engine, Actor, Actor],
) -> None:
    engine, north, south = two_trusts
    with Session(engine) as holding:
        _append(holding, north)  # North's head stays locked until this commits

        _append_within(engine, south, "2s")  # raises LockNotAvailable if it had to wait

        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            _append_within(engine, north, "200ms")  # North's own writers do queue
        holding.commit()
    with Session(engine) as session:
        assert all(audit.verify_all(session)[i].intact for i in range(3))
        assert [v.events for v in audit.verify_all(session)] == [0, 2, 2]
