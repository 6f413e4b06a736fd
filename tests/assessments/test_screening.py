"""Screening through the use-cases: the shipped rubric's five questions decide whether a change
needs the full assessment; the answers and the reason as they are saved, refused and audited, and a
rubric without screening. Deciding on a screened-out version: test_screening_decisions.py."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.drafting import screening
from assessments.kernel import audit
from assessments.kernel.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
)
from assessments.models import AssessmentKind
from assessments.rubrics import publishing
from assessments.rubrics.screening import ScreeningQuestion
from tests.assessments.screening_cases import (
    QUESTIONS,
    cast,
    save,
    screened_out_and_submitted,
)
from tests.factories.people import Cast
from tests.factories.trusts import RUBRIC
from tests.factories.versions import (
    complete_draft,
    draft_for,
    screen_out,
    screening_answers,
    version,
    view,
)

__all__ = ["cast"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")


class TestTheRule:
    def test_a_new_draft_is_a_full_assessment_until_its_screening_is_answered(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        assert version(session, version_id).kind is AssessmentKind.FULL
        assert view(session, version_id).screening_outcome() is None

        *all_but_last, last = QUESTIONS
        answers = screening_answers()
        refused = save(
            session, cast.author, version_id, **{q.id: answers[q.id].value for q in all_but_last}
        )

        assert refused == {}
        assert version(session, version_id).kind is AssessmentKind.FULL  # one still to answer
        save(session, cast.author, version_id, **{last.id: answers[last.id].value})
        assert version(session, version_id).kind is AssessmentKind.SCREENED_OUT

    @pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
    @pytest.mark.parametrize("calling", ["full_if", "dont-know"])
    def test_any_answer_that_calls_for_it_or_don_t_know_means_the_full_assessment(
        self, session: Session, cast: Cast, question: ScreeningQuestion, calling: str
    ) -> None:
        version_id = draft_for(session, cast)
        screen_out(session, version_id, cast.author)
        qid = question.id
        value = question.full_if if calling == "full_if" else "dont-know"

        save(session, cast.author, version_id, **{qid: value})

        assert version(session, version_id).kind is AssessmentKind.FULL
        found = view(session, version_id).screening_outcome()
        assert found is not None and found.because == (qid,)

    def test_a_screened_out_version_is_not_scored_though_its_answers_are_kept(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)  # the full assessment answered first
        assert version(session, version_id).rating is not None

        screen_out(session, version_id, cast.author)

        row = version(session, version_id)
        assert (row.overall_score, row.rating, row.rating_after, row.rating_done) == (None,) * 4
        assert row.net_hours_per_year == 0
        assert len(view(session, version_id).answers) > len(QUESTIONS)  # nothing thrown away

    @pytest.mark.parametrize("value", ["maybe", "Y", "1"])
    def test_an_answer_other_than_yes_no_or_don_t_know_is_refused_and_the_rest_saved(
        self, session: Session, cast: Cast, value: str
    ) -> None:
        version_id = draft_for(session, cast)
        first, second = QUESTIONS[0].id, QUESTIONS[1].id

        refused = save(session, cast.author, version_id, **{first: value, second: "no"})

        assert refused == {first: "Select yes, no or don't know"}
        assert set(view(session, version_id).answers) == {second}

    def test_a_question_that_is_not_the_screening_s_is_refused(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        full_question = next(iter(RUBRIC.questions())).id

        refused = save(session, cast.author, version_id, **{full_question: "no", "nope": "no"})

        assert set(refused) == {full_question, "nope"}
        assert view(session, version_id).answers == {}


class TestTheReason:
    def test_the_reason_is_saved_audited_and_a_stale_one_refused(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        saved = screening.save_screening_reason(
            session=session, actor=cast.author, version_id=version_id, reason="  A new name  "
        )
        assert (saved.screening_reason, saved.screening_revision) == ("A new name", 1)
        (event,) = [
            e
            for e in audit.events_of(session, "assessment_version", version_id)
            if "screening_reason" in e.changes
        ]
        assert "A new name" in event.changes

        with pytest.raises(StaleVersion):  # written on revision 0, which is no longer current
            screening.save_screening_reason(
                session=session,
                actor=cast.second_author,
                version_id=version_id,
                reason="Something else",
                expected_revision=0,
            )
        assert version(session, version_id).screening_reason == "A new name"

    def test_a_reason_too_long_is_refused_and_the_answers_beside_it_kept(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        too_long = "x" * (screening.MAX_SCREENING_REASON + 1)

        refused = save(session, cast.author, version_id, too_long, **{QUESTIONS[0].id: "no"})

        assert refused == {"screening_reason": "Keep the reason to 2000 characters or fewer"}
        assert set(view(session, version_id).answers) == {QUESTIONS[0].id}
        assert version(session, version_id).screening_reason == ""

    def test_only_an_author_of_the_school_may_screen_and_only_a_draft(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)
        with pytest.raises(InvalidTransition):
            save(session, cast.author, version_id, "changed", **{QUESTIONS[0].id: "yes"})
        other = draft_for(session, cast)
        with pytest.raises(NotFound):  # another school's author does not see it
            save(session, cast.other_author, other, **{QUESTIONS[0].id: "no"})
        for reader in (cast.approver, cast.auditor):
            with pytest.raises(NotAllowed):
                save(session, reader, other, **{QUESTIONS[0].id: "no"})
        assert view(session, other).answers == {}


def test_a_rubric_without_screening_has_no_screening_to_save(session: Session, cast: Cast) -> None:
    unscreened = RUBRIC.model_copy(update={"version": RUBRIC.version + 1, "screening": None})
    publishing.publish_rubric(session=session, actor=cast.approver, rubric=unscreened)
    version_id = draft_for(session, cast)

    with pytest.raises(NotFound):
        save(session, cast.author, version_id, "A reason")
    assert version(session, version_id).kind is AssessmentKind.FULL
