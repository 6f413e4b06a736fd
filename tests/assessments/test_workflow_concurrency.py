"""Approvers and authors racing on committed data, each in a thread and transaction of their
own, on the real database (SQLite or PostgreSQL): one decision wins, no acknowledged write is
lost, a stale edit is refused, and the audit chain stays one unforked line of events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import answering, queries as version_queries
from assessments.drafting.schemas import AnswerSave
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.db import unit_of_work
from assessments.kernel.errors import DomainError, InvalidTransition, StaleVersion
from assessments.models import Answer, AssessmentVersion, VersionStatus
from assessments.rubrics.schema import AnswerKind
from assessments.workflow import transitions as workflow
from tests import databases
from tests.assessments.test_concurrency import race
from tests.factories.audit import events_after, head
from tests.factories.people import make_approver
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, RUBRIC
from tests.factories.versions import make_draft, make_version

WRITERS = 8
CHOICES = [q for q in RUBRIC.questions() if q.kind is AnswerKind.CHOICE][:WRITERS]
EDITED = next(q for q in CHOICES if len(q.options) >= 3)  # a first answer and two edits


@pytest.fixture
def engine(tmp_database_url: str) -> Iterator[sa.Engine]:
    """A database of the test's own, committed to for real (no rolled-back test transaction)."""
    engine = databases.prepared_engine(tmp_database_url)
    yield engine
    engine.dispose()


def chain_after(engine: sa.Engine, seq: int) -> tuple[audit.Verification, list[tuple[str, str]]]:
    """The whole chain's verification, and (entity, action) of each event after `seq`."""
    with unit_of_work(engine, read_only=True) as session:
        events = events_after(session, seq)
        verification = audit.verify(session, chain=LOCAL_TRUST_ID)
    return verification, [(e.entity, e.action) for e in events]


def save(
    version_id: int, question_id: str, value: str, revision: int
) -> Callable[[Session], object]:
    return lambda session: answering.save_answer(
        session=session,
        actor=AUTHOR,
        version_id=version_id,
        question_id=question_id,
        data=AnswerSave(value=value, expected_revision=revision),
    )


@pytest.mark.parametrize("from_revision", [False, True], ids=["as-shown", "from-revision"])
def test_two_approvers_at_once_approve_the_version_once(
    engine: sa.Engine, from_revision: bool
) -> None:
    with unit_of_work(engine) as session:
        submitted = make_version(session, "submitted")
        approvers = [make_approver(session, "Ama Approver"), make_approver(session, "Bo Board")]
        start, _ = head(session)
    version_id = submitted.id
    assert version_id is not None
    revision = submitted.revision if from_revision else None

    def approve(approver: Actor) -> Callable[[Session], object]:
        return lambda session: workflow.approve(
            session=session, actor=approver, version_id=version_id, expected_revision=revision
        )

    outcomes = race(engine, *(approve(a) for a in approvers))

    won = [o for o in outcomes if isinstance(o, AssessmentVersion)]
    lost = [o for o in outcomes if not isinstance(o, AssessmentVersion)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], StaleVersion if from_revision else InvalidTransition), lost
    winner = approvers[outcomes.index(won[0])]
    with unit_of_work(engine, read_only=True) as session:
        stored = version_queries.get_version(session, version_id)
    assert stored.status is VersionStatus.APPROVED
    assert (stored.decided_by, stored.decided_by_user_id) == (winner.name, winner.user_id)
    assert stored.revision == submitted.revision + 1
    verification, events = chain_after(engine, start)
    assert verification.intact, verification
    assert events == [("assessment_version", "approved")]


def test_authors_saving_different_answers_of_one_draft_at_once_lose_none(
    engine: sa.Engine,
) -> None:
    with unit_of_work(engine) as session:
        draft = make_draft(session)
        start, _ = head(session)
    assert draft.id is not None
    wanted = {q.id: q.options[-1].value for q in CHOICES}

    outcomes = race(engine, *(save(draft.id, qid, value, 0) for qid, value in wanted.items()))

    assert all(isinstance(o, Answer) for o in outcomes), outcomes
    with unit_of_work(engine, read_only=True) as session:
        stored = version_queries.answers_of_version(session, draft.id)
    assert {qid: a.value for qid, a in stored.items()} == wanted  # lost updates: 0
    verification, events = chain_after(engine, start)
    assert verification.intact, verification
    assert events == [("answer", "saved")] * WRITERS


def test_authors_saving_to_different_drafts_at_once_keep_one_unforked_chain(
    engine: sa.Engine,
) -> None:
    # No version lock puts these writers in a queue: only the audit head does.
    question = CHOICES[0]
    with unit_of_work(engine) as session:
        drafts = [make_draft(session).id or 0 for _ in range(WRITERS)]
        start, _ = head(session)

    outcomes = race(engine, *(save(d, question.id, question.options[0].value, 0) for d in drafts))

    assert all(isinstance(o, Answer) for o in outcomes), outcomes
    verification, events = chain_after(engine, start)
    assert verification.intact, verification
    assert events == [("answer", "saved")] * WRITERS
    with unit_of_work(engine, read_only=True) as session:
        saved_for = [json.loads(e.changes)["version_id"] for e in events_after(session, start)]
    assert sorted(saved_for) == sorted(drafts)


def test_two_authors_editing_one_answer_from_the_same_revision_one_is_told(
    engine: sa.Engine,
) -> None:
    question = EDITED
    first, *others = (o.value for o in question.options)
    with unit_of_work(engine) as session:
        draft = make_draft(session)
        assert draft.id is not None
        save(draft.id, question.id, first, 0)(session)
        start, _ = head(session)
    assert draft.id is not None

    outcomes = race(engine, *(save(draft.id, question.id, value, 1) for value in others[:2]))

    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and isinstance(refused[0], StaleVersion), outcomes
    kept = others[outcomes.index(next(o for o in outcomes if o not in refused))]
    with unit_of_work(engine, read_only=True) as session:
        stored = version_queries.answer(session, draft.id, question.id)
        [event] = events_after(session, start)
    assert stored is not None and (stored.value, stored.revision) == (kept, 2)
    assert json.loads(event.changes)["value"] == [first, kept]  # nobody's edit went unseen
    verification, _ = chain_after(engine, start)
    assert verification.intact, verification
