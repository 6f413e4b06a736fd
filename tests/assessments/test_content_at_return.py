"""Returning a version: its content as returned is kept in the trail with the reason and the
meeting's minute, so when it is resubmitted its next review lists only what changed since the
latest return, and a version never returned has nothing to compare with."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.workflow import review, transitions as workflow
from assessments.workflow.review import Change
from tests.assessments.cast_and_trail import MINUTE, TEXT_QUESTION, cast, details, trail
from tests.factories.answers import QUESTIONS, answer
from tests.factories.people import Cast
from tests.factories.versions import submitted, view

__all__ = ["cast"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")


class TestContentAtReturn:
    def returned(self, session: Session, cast: Cast) -> int:
        version_id = submitted(session, cast)
        workflow.return_version(
            session=session,
            actor=cast.approver,
            version_id=version_id,
            reason="Say which report stops",
            minute=MINUTE,
        )
        return version_id

    def test_the_content_as_returned_is_kept_in_the_trail_with_the_reason_and_minute(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)

        event = trail(session, version_id)[-1]
        said = details(event)
        assert event.action == "returned"
        assert (said["reason"], said["minute"]) == ("Say which report stops", MINUTE)
        assert said["content_at_return"] == review.comparable(view(session, version_id))
        assert (
            said["content_at_return"]["answers"][TEXT_QUESTION]
            == view(session, version_id).answers[TEXT_QUESTION].value
        )

    def test_after_reopening_and_resubmitting_only_the_changed_answer_is_listed(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)
        before = view(session, version_id).answers[TEXT_QUESTION].value
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        answer(session, version_id, TEXT_QUESTION, "The weekly planning return.", actor=cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None
        assert (changes.since, changes.before) == (
            f"it was returned by {cast.approver.name}",
            "When returned",
        )
        assert changes.answers == [
            Change(QUESTIONS[TEXT_QUESTION].text, before, "The weekly planning return.")
        ]
        assert (changes.results, changes.workload, changes.actions) == ([], [], [])

    def test_a_resubmission_with_nothing_changed_lists_nothing(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None and changes.none

    def test_a_second_return_is_what_the_next_review_compares_with(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = self.returned(session, cast)
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        answer(session, version_id, TEXT_QUESTION, "First try.", actor=cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        workflow.return_version(
            session=session, actor=cast.author_approver, version_id=version_id, reason="Again"
        )
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        answer(session, version_id, TEXT_QUESTION, "Second try.", actor=cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None
        assert changes.since == f"it was returned by {cast.author_approver.name}"
        assert changes.answers == [
            Change(QUESTIONS[TEXT_QUESTION].text, "First try.", "Second try.")
        ]

    def test_a_version_never_returned_has_nothing_to_compare_with(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = submitted(session, cast)

        assert (
            review.changes_since_returned(session=session, view=view(session, version_id)) is None
        )
