"""Many authors saving at once on SQLite, through the app's own units of work: each waits its
turn for the write lock instead of being turned away.

SQLite's busy handler alone is no queue: it sleeps and tries again (1, 2, 5 … 100 ms), so a
waiting writer can lose the lock over and over to writers that come back sooner until
busy_timeout runs out, and its request fails with a 503 for a database that is up. With a dozen
writers some were turned away within seconds, until assessments/kernel/db.py queued its writers on a
lock of its own before BEGIN IMMEDIATE."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from assessments.drafting import answering
from assessments.drafting.schemas import AnswerSave
from assessments.kernel.db import create_db_engine, unit_of_work
from tests import databases
from tests.databases import prepared_engine
from tests.factories.operations import CHOICES, at_once
from tests.factories.trusts import AUTHOR
from tests.factories.versions import make_draft

pytestmark = [pytest.mark.operations, pytest.mark.xdist_group("operations")]

WRITERS, WRITES_EACH = 12, 60


def test_writers_on_sqlite_wait_their_turn_rather_than_being_turned_away(
    tmp_database_url: str,
) -> None:
    if not databases.is_sqlite(tmp_database_url):
        pytest.skip("SQLite's write lock: PostgreSQL's row locks keep a queue")
    prepared_engine(tmp_database_url).dispose()
    engine = create_db_engine(tmp_database_url, pool_size=WRITERS)
    try:
        with unit_of_work(engine) as session:
            draft_id = make_draft(session).id
        assert draft_id is not None
        turned_away: list[str] = []

        def save(n: int) -> None:
            question = CHOICES[n % len(CHOICES)]
            for i in range(WRITES_EACH):
                if turned_away:
                    return  # one is enough to show it
                data = AnswerSave(value=question.options[0].value, comment=f"{n}: {i}")
                try:
                    with unit_of_work(engine) as session:
                        answering.save_answer(
                            session=session,
                            actor=AUTHOR,
                            version_id=draft_id,
                            question_id=question.id,
                            data=data,
                        )
                except sa.exc.OperationalError as exc:
                    turned_away.append(f"writer {n}, write {i}: {exc.orig}")

        at_once(WRITERS, save)
    finally:
        engine.dispose()
    assert turned_away == []
