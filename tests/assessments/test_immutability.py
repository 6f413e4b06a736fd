"""An approved version never changes: the use-cases refuse with a message, and database
triggers refuse even a direct statement, on SQLite and PostgreSQL alike. Only its status may
still go from approved to superseded; drafts stay as changeable as ever."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import answering, mitigation, queries as version_queries, workload
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from tests.factories.answers import HIGH_QUESTION, MITIGATION, low_answer
from tests.factories.audit import head, rows_of, sql
from tests.factories.people import make_approver
from tests.factories.trusts import AUTHOR
from tests.factories.versions import fill_in, make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")

REFUSAL = "approved assessment versions cannot be changed"
UNANSWERED = "career-progression-effect"  # optional, so fill_in leaves it unanswered
# What someone with a database prompt might try on an approved version (its id is :v).
TAMPERING = {
    "update an answer": "UPDATE answer SET value = 'tampered' WHERE version_id = :v",
    "move an answer to another version": "UPDATE answer SET version_id = :v + 1000000 "
    "WHERE version_id = :v",
    "delete an answer": "DELETE FROM answer WHERE version_id = :v",
    "delete every answer": "DELETE FROM answer",
    "insert an answer": "INSERT INTO answer (version_id, question_id, value, comment, "
    f"justification, revision, updated_by, updated_at) VALUES (:v, '{UNANSWERED}', 'none', "
    "'', '', 1, 'Mallory', CURRENT_TIMESTAMP)",
    "update a workload estimate": "UPDATE workload_estimate SET hours_per_term = 0 "
    "WHERE version_id = :v",
    "delete a workload estimate": "DELETE FROM workload_estimate WHERE version_id = :v",
    "insert a workload estimate": "INSERT INTO workload_estimate (version_id, staff_group, "
    "hours_per_term, staff_count, note, revision, updated_by, updated_at) VALUES "
    "(:v, 'support-staff', -5, 40, '', 1, 'Mallory', CURRENT_TIMESTAMP)",
    "update an action": "UPDATE mitigating_action SET residual_impact = 0, status = 'done' "
    "WHERE version_id = :v",
    "delete an action": "DELETE FROM mitigating_action WHERE version_id = :v",
    "insert an action": "INSERT INTO mitigating_action (version_id, description, question_ids, "
    "owner, status, residual_impact, revision, updated_by, updated_at) VALUES (:v, 'Forged', "
    f"'[\"{UNANSWERED}\"]', 'Mallory', 'done', 0, 1, 'Mallory', CURRENT_TIMESTAMP)",
    "change the decision reason": "UPDATE assessment_version SET decision_reason = 'forged' "
    "WHERE id = :v",
    "change the content hash": "UPDATE assessment_version SET content_hash = 'forged' "
    "WHERE id = :v",
    "renumber it": "UPDATE assessment_version SET number = number + 10 WHERE id = :v",
    "change its author": "UPDATE assessment_version SET author = 'Mallory' WHERE id = :v",
    "change who approved it": "UPDATE assessment_version SET decided_by = 'Mallory', "
    "decided_by_user_id = NULL WHERE id = :v",
    "move its review date": "UPDATE assessment_version SET review_due = NULL WHERE id = :v",
    "make it a draft again": "UPDATE assessment_version SET status = 'draft' WHERE id = :v",
    "supersede it and change it": "UPDATE assessment_version SET status = 'superseded', "
    "decision_reason = 'forged' WHERE id = :v",
    "delete it": "DELETE FROM assessment_version WHERE id = :v",
}


@pytest.fixture
def approver(session: Session) -> Actor:
    return make_approver(session)


@pytest.fixture
def approved(session: Session, approver: Actor) -> int:
    """The id of an approved version with answers, a workload estimate and an action."""
    version = make_version(session, "approved", approver=approver)
    assert version.id is not None
    return version.id


def refused(session: Session, statement: str, version_id: int) -> None:
    """Run a statement that must be refused; the savepoint keeps the test's transaction usable
    (on PostgreSQL a failed statement otherwise aborts the whole transaction)."""
    with pytest.raises(sa.exc.DBAPIError, match=REFUSAL), session.begin_nested():
        sql(session, statement, v=version_id)


def approve_next_version(session: Session, approver: Actor, approved: int) -> AssessmentVersion:
    draft = workflow.revise(session=session, actor=AUTHOR, version_id=approved)
    assert draft.id is not None
    workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)
    return workflow.approve(session=session, actor=approver, version_id=draft.id)


@pytest.mark.parametrize("statement", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_direct_change_to_an_approved_version_is_refused(
    session: Session, approved: int, statement: str
) -> None:
    before = rows_of(session, approved)

    refused(session, statement, approved)

    assert rows_of(session, approved) == before


@pytest.mark.parametrize(
    "statement",
    [
        TAMPERING["update an answer"],
        TAMPERING["delete an action"],
        TAMPERING["change the decision reason"],
        "UPDATE assessment_version SET status = 'approved' WHERE id = :v",
        TAMPERING["delete it"],
    ],
)
def test_a_direct_change_to_a_superseded_version_is_refused(
    session: Session, approver: Actor, approved: int, statement: str
) -> None:
    approve_next_version(session, approver, approved)
    before = rows_of(session, approved)

    refused(session, statement, approved)

    assert rows_of(session, approved) == before


def test_a_drafts_rows_cannot_be_moved_into_an_approved_version(
    session: Session, approved: int
) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    fill_in(session, draft.id)
    before = rows_of(session, approved)

    for table in ("answer", "workload_estimate", "mitigating_action"):
        move = f"UPDATE {table} SET version_id = :v WHERE version_id = {draft.id}"
        refused(session, move, approved)

    assert rows_of(session, approved) == before


@pytest.mark.parametrize(
    "table",
    ["answer", "workload_estimate", "mitigating_action CASCADE", "assessment_version CASCADE"],
)
def test_truncating_a_table_cannot_empty_an_approved_version(
    session: Session, approved: int, table: str
) -> None:
    if session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE is refused (see above)")

    before = rows_of(session, approved)

    refused(session, f"TRUNCATE {table}", approved)

    assert rows_of(session, approved) == before


def test_approving_the_next_version_supersedes_the_approved_one_and_changes_nothing_else(
    session: Session, approver: Actor, approved: int
) -> None:
    before = rows_of(session, approved)

    version_2 = approve_next_version(session, approver, approved)

    after = rows_of(session, approved)
    [old], [new] = before.pop("assessment_version"), after.pop("assessment_version")
    assert (old["status"], new["status"]) == ("approved", "superseded")
    moved = {"status", "revision", "updated_at"}
    assert {k: v for k, v in new.items() if k not in moved} == {
        k: v for k, v in old.items() if k not in moved
    }
    assert after == before  # its answers, workload estimates and actions
    assert version_2.status is VersionStatus.APPROVED and version_2.number == 2


def test_the_trigger_lets_an_approved_version_become_superseded(
    session: Session, approved: int
) -> None:
    sql(
        session,
        "UPDATE assessment_version SET status = 'superseded', revision = revision + 1 "
        "WHERE id = :v",
        v=approved,
    )

    assert rows_of(session, approved)["assessment_version"][0]["status"] == "superseded"


def test_a_drafts_rows_can_still_be_changed_directly(session: Session) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    fill_in(session, draft.id)

    for statement in (
        TAMPERING["update an answer"],
        TAMPERING["insert an answer"],
        TAMPERING["update a workload estimate"],
        TAMPERING["insert a workload estimate"],
        TAMPERING["update an action"],
        TAMPERING["insert an action"],
        TAMPERING["change the decision reason"],
    ):
        sql(session, statement, v=draft.id)

    rows = rows_of(session, draft.id)
    assert {a["value"] for a in rows["answer"]} == {"tampered", "none"}
    assert {Decimal(e["hours_per_term"]) for e in rows["workload_estimate"]} == {0, -5}
    assert [a["status"] for a in rows["mitigating_action"]] == ["done", "done"]
    assert rows["assessment_version"][0]["decision_reason"] == "forged"
    for statement in ("delete an answer", "delete a workload estimate", "delete an action"):
        sql(session, TAMPERING[statement], v=draft.id)
    sql(session, "DELETE FROM assessment_version WHERE id = :v", v=draft.id)
    assert rows_of(session, draft.id) == {
        "assessment_version": [],
        "answer": [],
        "workload_estimate": [],
        "mitigating_action": [],
    }


def test_the_next_draft_can_be_changed_while_its_approved_original_cannot(
    session: Session, approved: int
) -> None:
    draft = workflow.revise(session=session, actor=AUTHOR, version_id=approved)
    assert draft.id is not None
    original = rows_of(session, approved)

    sql(session, TAMPERING["update an answer"], v=draft.id)
    sql(session, TAMPERING["delete an action"], v=draft.id)
    refused(session, TAMPERING["update an answer"], approved)

    rows = rows_of(session, draft.id)
    assert {a["value"] for a in rows["answer"]} == {"tampered"}
    assert rows["mitigating_action"] == []
    assert rows_of(session, approved) == original


def _first_action_id(session: Session, version_id: int) -> int:
    action_id = version_queries.actions_of_version(session, version_id)[0].id
    assert action_id is not None
    return action_id


EDITS: dict[str, Callable[[Session, int], object]] = {
    "save an answer": lambda session, v: answering.save_answer(
        session=session,
        actor=AUTHOR,
        version_id=v,
        question_id=HIGH_QUESTION.id,
        data=AnswerSave(value=low_answer(HIGH_QUESTION)),
    ),
    "clear an answer": lambda session, v: answering.save_answer(
        session=session,
        actor=AUTHOR,
        version_id=v,
        question_id=HIGH_QUESTION.id,
        data=AnswerSave(value=""),
    ),
    "justify an answer": lambda session, v: mitigation.save_justification(
        session=session,
        actor=AUTHOR,
        version_id=v,
        question_id=HIGH_QUESTION.id,
        text="No action needed after all",
    ),
    "save a workload estimate": lambda session, v: workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=v,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal(0), staff_count=1),
    ),
    "clear a workload estimate": lambda session, v: workload.clear_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=v,
        staff_group="teachers",
    ),
    "add an action": lambda session, v: mitigation.add_action(
        session=session, actor=AUTHOR, version_id=v, data=MITIGATION
    ),
    "change an action": lambda session, v: mitigation.update_action(
        session=session,
        actor=AUTHOR,
        version_id=v,
        action_id=_first_action_id(session, v),
        data=MITIGATION.model_copy(update={"residual_impact": 0}),
    ),
    "remove an action": lambda session, v: mitigation.remove_action(
        session=session,
        actor=AUTHOR,
        version_id=v,
        action_id=_first_action_id(session, v),
        expected_revision=None,
    ),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_the_use_cases_refuse_to_change_an_approved_version(
    session: Session, approved: int, edit: Callable[[Session, int], object]
) -> None:
    before, chain = rows_of(session, approved), head(session)

    with pytest.raises(InvalidTransition, match="approved and can no longer be changed"):
        edit(session, approved)

    assert rows_of(session, approved) == before
    assert head(session) == chain  # and nothing was recorded as done
