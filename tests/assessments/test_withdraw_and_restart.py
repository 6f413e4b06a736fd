"""Withdrawing and starting again: a draft is withdrawn only with a reason, kept in the version
and the trail; the latest withdrawn version is started again by its school's authors as a copy in
version n+1 (its content, actions and contributors carried over, the withdrawn one left as it
was, and whoever worked on it still kept from approving the copy), never while another version
is open."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.kernel.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from assessments.models import VersionStatus
from assessments.workflow import transitions as workflow
from tests.assessments.cast_and_trail import REASON, TEXT_QUESTION, cast, details, trail
from tests.factories.answers import answer
from tests.factories.people import Cast
from tests.factories.versions import complete_draft, draft_for, make_version, version, view

__all__ = ["cast"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")


class TestWithdraw:
    @pytest.mark.parametrize("reason", ["", "   ", "x" * (workflow.MAX_REASON + 1)])
    def test_a_draft_is_not_withdrawn_without_a_reason(
        self, session: Session, cast: Cast, reason: str
    ) -> None:
        version_id = draft_for(session, cast)

        with pytest.raises(ValidationFailed) as refused:
            workflow.withdraw(
                session=session, actor=cast.author, version_id=version_id, reason=reason
            )

        assert refused.value.errors == {
            "reason": "Say why it is withdrawn, for the register "
            f"(up to {workflow.MAX_REASON} characters)"
        }
        assert version(session, version_id).status is VersionStatus.DRAFT
        assert [e.action for e in trail(session, version_id)] == ["started"]

    def test_the_reason_is_kept_in_the_version_and_the_trail(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)

        gone = workflow.withdraw(
            session=session, actor=cast.second_author, version_id=version_id, reason=f" {REASON} "
        )

        assert (gone.status, gone.decision_reason) == (VersionStatus.WITHDRAWN, REASON)
        event = trail(session, version_id)[-1]
        assert (event.action, event.actor_user_id) == ("withdrawn", cast.second_author.user_id)
        assert details(event)["reason"] == REASON


class TestRestart:
    def withdrawn(self, session: Session, cast: Cast) -> int:
        """Version 1, completed by the cast's author with an answer by the author-approver,
        then withdrawn."""
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)
        answer(session, version_id, TEXT_QUESTION, "The weekly report.", actor=cast.author_approver)
        workflow.withdraw(session=session, actor=cast.author, version_id=version_id, reason=REASON)
        return version_id

    def test_a_withdrawn_version_starts_again_as_a_copy_in_version_2(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        before = view(session, first)

        draft = workflow.restart(session=session, actor=cast.second_author, version_id=first)

        assert draft.id is not None
        assert (draft.number, draft.status, draft.author_user_id, draft.decision_reason) == (
            2,
            VersionStatus.DRAFT,
            cast.second_author.user_id,
            "",
        )
        copy = view(session, draft.id)
        assert workflow.content_hash(copy) == workflow.content_hash(before)
        assert copy.answers[TEXT_QUESTION].value == "The weekly report."
        assert [a.description for a in copy.actions] == [a.description for a in before.actions]
        assert [e.staff_count for e in copy.estimates.values()] == [12]
        assert {a.id for a in copy.answers.values()}.isdisjoint(
            a.id for a in before.answers.values()
        )
        assert [c.name for c in version_queries.contributors_of(session, draft.id)] == [
            cast.author.name,
            cast.author_approver.name,
            cast.second_author.name,
        ]
        kept = version(session, first)
        assert (kept.status, kept.decision_reason) == (VersionStatus.WITHDRAWN, REASON)
        event = trail(session, draft.id)[-1]
        assert (event.action, details(event)) == ("restarted", {"from_version": 1, "number": 2})

    def test_whoever_worked_on_the_withdrawn_version_still_may_not_approve_the_new_one(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        draft = workflow.restart(session=session, actor=cast.author, version_id=first)
        assert draft.id is not None
        workflow.submit(session=session, actor=cast.author, version_id=draft.id)

        with pytest.raises(NotAllowed):
            workflow.approve(session=session, actor=cast.author_approver, version_id=draft.id)
        assert version(session, draft.id).status is VersionStatus.SUBMITTED

    def test_editing_the_new_draft_leaves_the_withdrawn_one_as_it_was(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        content = workflow.content_hash(view(session, first))
        draft = workflow.restart(session=session, actor=cast.author, version_id=first)
        assert draft.id is not None

        answer(session, draft.id, TEXT_QUESTION, "Nothing stops.", actor=cast.author)

        assert workflow.content_hash(view(session, first)) == content
        assert view(session, first).answers[TEXT_QUESTION].value == "The weekly report."

    def test_a_restart_is_refused_while_another_version_is_open(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        workflow.restart(session=session, actor=cast.author, version_id=first)

        with pytest.raises(InvalidTransition, match="already has a version in progress"):
            workflow.restart(session=session, actor=cast.author, version_id=first)
        numbers = [v.number for v in versions_of(session, first)]
        assert numbers == [1, 2]

    def test_only_the_latest_withdrawn_version_is_restarted(
        self, session: Session, cast: Cast
    ) -> None:
        first = self.withdrawn(session, cast)
        second = workflow.restart(session=session, actor=cast.author, version_id=first)
        assert second.id is not None
        workflow.withdraw(session=session, actor=cast.author, version_id=second.id, reason=REASON)

        with pytest.raises(InvalidTransition, match="Version 1 is not the latest"):
            workflow.restart(session=session, actor=cast.author, version_id=first)
        third = workflow.restart(session=session, actor=cast.author, version_id=second.id)
        assert third.number == 3
        assert [v.status for v in versions_of(session, first)] == [
            VersionStatus.WITHDRAWN,
            VersionStatus.WITHDRAWN,
            VersionStatus.DRAFT,
        ]

    @pytest.mark.parametrize("status", ["draft", "submitted", "returned", "approved"])
    def test_only_a_withdrawn_version_is_restarted(
        self, session: Session, cast: Cast, status: str
    ) -> None:
        made = make_version(
            session, status, actor=cast.author, approver=cast.approver, school_id=cast.school.id
        )
        assert made.id is not None

        with pytest.raises(InvalidTransition):
            workflow.restart(session=session, actor=cast.author, version_id=made.id)
        assert [v.number for v in versions_of(session, made.id)] == [1]
        assert version(session, made.id).status.value == status

    @pytest.mark.parametrize(
        ("who", "error"),
        [("approver", NotAllowed), ("auditor", NotAllowed), ("other_author", NotFound)],
    )
    def test_only_the_schools_authors_restart(
        self, session: Session, cast: Cast, who: str, error: type[Exception]
    ) -> None:
        first = self.withdrawn(session, cast)

        with pytest.raises(error):
            workflow.restart(session=session, actor=getattr(cast, who), version_id=first)
        assert [v.number for v in versions_of(session, first)] == [1]


def versions_of(session: Session, version_id: int) -> list[Any]:
    return version_queries.versions_of_assessment(
        session, version(session, version_id).assessment_id
    )
