"""Writers racing on committed data, each in its own thread and transaction, on the real
database (SQLite or PostgreSQL): one wins, the other gets a message, nothing becomes a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import answering, editing, queries as version_queries
from assessments.drafting.schemas import AnswerSave
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.kernel.errors import Conflict, DomainError, StaleVersion, ValidationFailed
from assessments.policies import catalogue, queries as policy_queries
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics import publishing, queries as rubric_queries
from tests import databases
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, default_rubric, make_policy
from tests.factories.versions import make_draft

T = TypeVar("T")


@pytest.fixture
def engine(tmp_database_url: str) -> Iterator[sa.Engine]:
    """A database of the test's own, committed to for real (no rolled-back test transaction)."""
    engine = databases.prepared_engine(tmp_database_url)
    yield engine
    engine.dispose()


def race(engine: sa.Engine, *attempts: Callable[[Session], T]) -> list[T | DomainError]:
    """Run each attempt in its own thread and transaction, released at the same moment."""
    start = threading.Barrier(len(attempts))
    outcomes: list[T | DomainError] = [DomainError("did not run")] * len(attempts)

    def run(index: int, attempt: Callable[[Session], T]) -> None:
        start.wait()
        try:
            with unit_of_work(engine) as session:
                outcomes[index] = attempt(session)
        except DomainError as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_first_answers_to_one_question_one_wins_the_other_is_told(engine: sa.Engine) -> None:
    with unit_of_work(engine) as session:
        version_id = make_draft(session).id
    assert version_id is not None
    question = next(q for q in default_rubric().questions() if q.kind.value == "choice")
    values = [question.options[0].value, question.options[1].value]

    def save(value: str) -> Callable[[Session], object]:
        return lambda session: answering.save_answer(
            session=session,
            actor=AUTHOR,
            version_id=version_id,
            question_id=question.id,
            data=AnswerSave(value=value, expected_revision=0),
        )

    outcomes = race(engine, save(values[0]), save(values[1]))

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and isinstance(refused[0], StaleVersion), outcomes
    with unit_of_work(engine) as session:
        stored = version_queries.answers_of_version(session, version_id)[question.id]
    assert stored.revision == 1
    assert stored.value == values[outcomes.index(next(o for o in outcomes if o not in refused))]


def test_starting_an_assessment_twice_at_once_starts_one(engine: sa.Engine) -> None:
    with unit_of_work(engine) as session:
        policy_id = make_policy(session).id
    assert policy_id is not None

    def start(session: Session) -> object:
        return editing.start_assessment(
            session=session, actor=AUTHOR, policy_id=policy_id, rubric_id=default_rubric().id
        )

    outcomes = race(engine, start, start)

    assert sorted(type(o).__name__ for o in outcomes) == ["AssessmentVersion", "Conflict"]
    assert "already has an impact assessment" in next(
        o.message for o in outcomes if isinstance(o, Conflict)
    )


def test_two_policies_with_one_reference_at_once_one_is_refused(engine: sa.Engine) -> None:
    def create(title: str) -> Callable[[Session], object]:
        data = PolicyCreate(
            reference="TL-100",
            title=title,
            category="behaviour",
            owner="Headteacher",
            review_cycle_months=12,
        )
        return lambda session: catalogue.create_policy(session=session, actor=AUTHOR, data=data)

    outcomes = race(engine, create("Behaviour policy"), create("Behaviour policy (copy)"))

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and isinstance(refused[0], ValidationFailed), outcomes
    assert refused[0].errors == {"reference": "A policy with reference TL-100 already exists"}


def test_instances_publishing_the_same_rubric_at_once_all_succeed(
    tmp_database_url: str,
) -> None:
    engine = create_db_engine(tmp_database_url)
    databases.upgrade(engine)
    try:

        def publish(session: Session) -> object:
            return publishing.publish_rubric(session=session, actor=AUTHOR, rubric=default_rubric())

        outcomes = race(engine, publish, publish, publish)

        assert not [o for o in outcomes if isinstance(o, DomainError)], outcomes
        with unit_of_work(engine) as session:
            assert len(rubric_queries.list_published_rubrics(session)) == 1
    finally:
        engine.dispose()


def test_on_sqlite_a_reader_is_not_held_up_by_a_writer(engine: sa.Engine) -> None:
    if not databases.is_sqlite(str(engine.url)):
        pytest.skip("SQLite's write lock; PostgreSQL readers never take one")
    with unit_of_work(engine) as writer:
        make_policy(writer, title="Written, not yet committed")  # holds the write lock
        # A read-only unit of work must not ask for the lock: with it, this would wait out
        # busy_timeout and fail with "database is locked".
        with unit_of_work(engine, read_only=True) as reader:
            titles = [p.title for p in policy_queries.list_policies(reader, LOCAL_TRUST_ID)]
    assert "Written, not yet committed" not in titles
