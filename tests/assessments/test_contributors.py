"""Nobody who had a hand in a version's content decides on it: whoever started, revised, edited
(answers, comments, justifications, estimates, actions) or submitted it. And a submitted
version whose content was changed behind the application's back is never approved."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import (
    answering,
    mitigation,
    queries as version_queries,
    version_view,
    workload,
)
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.drafting.version_view import view_assessment
from assessments.kernel.actors import Actor
from assessments.kernel.errors import ContentChanged, NotAllowed
from assessments.models import VersionStatus
from assessments.workflow import review, transitions as workflow
from tests.factories.answers import FLAGGED, action_data
from tests.factories.audit import events_since, last_seq, sql
from tests.factories.people import Cast, make_cast
from tests.factories.versions import complete_draft, draft_for, version, view

pytestmark = pytest.mark.usefixtures("rubric_published")
MIXED_UP = "You contributed to this version, so someone else must decide on it"


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def _answer(value: str, comment: str = "") -> Callable[[Session, Actor, int], object]:
    def change(session: Session, actor: Actor, version_id: int) -> None:
        question = FLAGGED[0]
        kept = view(session, version_id).answers[question]
        answering.save_answer(
            session=session,
            actor=actor,
            version_id=version_id,
            question_id=question,
            data=AnswerSave(value=value or kept.value, comment=comment),
        )

    return change


def _justification(session: Session, actor: Actor, version_id: int) -> None:
    mitigation.save_justification(
        session=session,
        actor=actor,
        version_id=version_id,
        question_id=FLAGGED[1],
        text="Rewritten by someone else entirely.",
    )


def _estimate(session: Session, actor: Actor, version_id: int) -> None:
    workload.save_workload_estimate(
        session=session,
        actor=actor,
        version_id=version_id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal("-4"), staff_count=12),
    )


def _estimate_cleared(session: Session, actor: Actor, version_id: int) -> None:
    workload.clear_workload_estimate(
        session=session, actor=actor, version_id=version_id, staff_group="teachers"
    )


def _action_added(session: Session, actor: Actor, version_id: int) -> None:
    mitigation.add_action(
        session=session, actor=actor, version_id=version_id, data=action_data([FLAGGED[1]])
    )


def _action_changed(session: Session, actor: Actor, version_id: int) -> None:
    (action,) = view(session, version_id).actions
    assert action.id is not None
    data = action_data(action.question_ids, residual=0, description="Someone else's plan")
    mitigation.update_action(
        session=session, actor=actor, version_id=version_id, action_id=action.id, data=data
    )


def _action_removed(session: Session, actor: Actor, version_id: int) -> None:
    (action,) = view(session, version_id).actions
    assert action.id is not None
    mitigation.remove_action(
        session=session,
        actor=actor,
        version_id=version_id,
        action_id=action.id,
        expected_revision=None,
    )
    mitigation.save_justification(  # so that it can still be submitted
        session=session,
        actor=actor,
        version_id=version_id,
        question_id=FLAGGED[0],
        text="Covered by the new timetable.",
    )


CHANGES: dict[str, Callable[[Session, Actor, int], object]] = {
    "an answer changed": _answer("partly-offset"),
    "a comment changed": _answer("", "A comment by someone else"),
    "a justification rewritten": _justification,
    "an estimate changed": _estimate,
    "an estimate cleared": _estimate_cleared,
    "an action added": _action_added,
    "an action changed": _action_changed,
    "an action removed": _action_removed,
}


def _refused_both_decisions(session: Session, actor: Actor, version_id: int) -> None:
    decisions: list[Callable[[], object]] = [
        lambda: workflow.approve(session=session, actor=actor, version_id=version_id),
        lambda: workflow.return_version(
            session=session, actor=actor, version_id=version_id, reason="Not for me to judge"
        ),
    ]
    for decide in decisions:
        with pytest.raises(NotAllowed) as refused:
            decide()
        assert refused.value.message == MIXED_UP
    assert version(session, version_id).status is VersionStatus.SUBMITTED


@pytest.mark.parametrize("change", CHANGES)
def test_whoever_changed_a_colleagues_draft_may_not_decide_on_it(
    session: Session, cast: Cast, change: str
) -> None:
    both = cast.author_approver  # an author at the school and a trust-wide approver
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    CHANGES[change](session, both, version_id)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)

    as_seen_by = {
        who: version_view.view_assessment(session=session, actor=who, version_id=version_id)
        for who in (both, cast.approver)
    }
    assert (as_seen_by[both].may_decide, as_seen_by[cast.approver].may_decide) == (False, True)
    _refused_both_decisions(session, both, version_id)
    assert [c.name for c in version_queries.contributors_of(session, version_id)] == [
        cast.author.name,
        both.name,
    ]
    assert version(session, version_id).prepared_by == f"{cast.author.name}; {both.name}"
    assert review.approval_queue(session=session, actor=both) == []

    done = workflow.approve(session=session, actor=cast.approver, version_id=version_id)
    assert done.status is VersionStatus.APPROVED


def test_saving_what_is_already_there_contributes_nothing(session: Session, cast: Cast) -> None:
    both = cast.author_approver
    version_id = draft_for(session, cast)
    shown = complete_draft(session, cast.author, version_id)
    kept = shown.answers[FLAGGED[0]]
    answering.save_answer(
        session=session,
        actor=both,
        version_id=version_id,
        question_id=FLAGGED[0],
        data=AnswerSave(value=kept.value, comment=kept.comment),
    )
    workflow.submit(session=session, actor=cast.author, version_id=version_id)

    assert version_view.view_assessment(
        session=session, actor=both, version_id=version_id
    ).may_decide
    done = workflow.approve(session=session, actor=both, version_id=version_id)
    assert done.decided_by_user_id == both.user_id


def test_whoever_submits_a_colleagues_draft_may_not_decide_on_it(
    session: Session, cast: Cast
) -> None:
    both = cast.author_approver
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    workflow.submit(session=session, actor=both, version_id=version_id)

    _refused_both_decisions(session, both, version_id)
    assert version(session, version_id).submitted_by == both.name


def test_a_revision_carries_the_copied_versions_contributors_and_adds_the_reviser(
    session: Session, cast: Cast
) -> None:
    both = cast.author_approver
    first = draft_for(session, cast)
    complete_draft(session, cast.author, first)
    _estimate(session, both, first)
    workflow.submit(session=session, actor=cast.author, version_id=first)
    workflow.approve(session=session, actor=cast.approver, version_id=first)

    second = workflow.revise(session=session, actor=cast.second_author, version_id=first)
    assert second.id is not None
    workflow.submit(session=session, actor=cast.second_author, version_id=second.id)

    names = [c.name for c in version_queries.contributors_of(session, second.id)]
    assert names == [cast.author.name, both.name, cast.second_author.name]
    _refused_both_decisions(session, both, second.id)  # her estimate is in version 2 too
    assert workflow.approve(session=session, actor=cast.approver, version_id=second.id)


# A database editor's changes to a submitted version's content (its id is :v).
BEHIND_THE_BACK = {
    "an answer's value": "UPDATE answer SET value = 'removes-work' "
    f"WHERE version_id = :v AND question_id = '{FLAGGED[0]}'",
    "an answer's comment": "UPDATE answer SET comment = 'forged' "
    f"WHERE version_id = :v AND question_id = '{FLAGGED[0]}'",
    "a justification": "UPDATE answer SET justification = 'forged' "
    f"WHERE version_id = :v AND question_id = '{FLAGGED[1]}'",
    "an answer removed": "DELETE FROM answer WHERE version_id = :v AND question_id = 'stress-risk'",
    "an estimate's hours": "UPDATE workload_estimate SET hours_per_term = -40 "
    "WHERE version_id = :v",
    "an estimate's note": "UPDATE workload_estimate SET note = 'forged' WHERE version_id = :v",
    "an action's status": "UPDATE mitigating_action SET status = 'done' WHERE version_id = :v",
    "an action's owner": "UPDATE mitigating_action SET owner = 'Mallory' WHERE version_id = :v",
    "an action added": "INSERT INTO mitigating_action (version_id, description, question_ids, "
    "owner, status, residual_impact, revision, updated_by, updated_at) VALUES (:v, 'Forged', "
    f"'[\"{FLAGGED[1]}\"]', 'Mallory', 'done', 0, 1, 'Mallory', CURRENT_TIMESTAMP)",
    "the rubric's content": "UPDATE rubric_version SET content = "
    "replace(content, 'one in, one out', 'anything goes') "
    "WHERE id = (SELECT rubric_version_id FROM assessment_version WHERE id = :v)",
}


@pytest.mark.parametrize("edit", BEHIND_THE_BACK)
def test_a_submitted_version_changed_in_the_database_is_not_approved(
    session: Session, cast: Cast, edit: str
) -> None:
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    taken = version(session, version_id).content_hash
    assert sql(session, BEHIND_THE_BACK[edit], v=version_id).rowcount == 1
    session.expire_all()
    seq = last_seq(session)

    with pytest.raises(ContentChanged) as refused:
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)

    assert "changed since it was submitted, outside the application" in refused.value.message
    session.expire_all()
    kept = version(session, version_id)
    assert (kept.status, kept.content_hash, kept.decided_at) == (
        VersionStatus.SUBMITTED,
        taken,
        None,
    )
    assert events_since(session, seq) == []


def test_content_and_its_hash_rewritten_together_are_caught_by_the_audit_trail(
    session: Session, cast: Cast
) -> None:
    """A database editor who also writes the new content's hash on the version is caught: the
    trail's keyed "submitted" event still holds the hash taken at submission."""
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    assert sql(session, BEHIND_THE_BACK["an estimate's note"], v=version_id).rowcount == 1
    session.expire_all()
    view = view_assessment(session=session, actor=cast.approver, version_id=version_id)
    sql(
        session,
        "UPDATE assessment_version SET content_hash = :h WHERE id = :v",
        h=workflow.content_hash(view),
        v=version_id,
    )
    session.expire_all()

    with pytest.raises(ContentChanged):
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)
    session.expire_all()
    assert version(session, version_id).status is VersionStatus.SUBMITTED


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM version_contributor WHERE version_id = :v",
        "UPDATE version_contributor SET name = 'Someone else' WHERE version_id = :v",
        "INSERT INTO version_contributor (version_id, user_id, name, first_contributed_at)"
        " SELECT :v, id, name, CURRENT_TIMESTAMP FROM user_account WHERE name = 'Aud Auditor'",
    ],
    ids=["delete", "update", "insert"],
)
def test_an_approved_versions_contributors_cannot_be_changed_in_the_database(
    session: Session, cast: Cast, statement: str
) -> None:
    version_id = draft_for(session, cast)
    complete_draft(session, cast.author, version_id)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    workflow.approve(session=session, actor=cast.approver, version_id=version_id)

    with pytest.raises(sa.exc.DatabaseError, match="cannot be changed"), session.begin_nested():
        sql(session, statement, v=version_id)
    names = [c.name for c in version_queries.contributors_of(session, version_id)]
    assert names == [cast.author.name]
