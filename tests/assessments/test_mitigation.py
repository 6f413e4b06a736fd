"""Mitigating actions and written justifications: the authors of a draft add, change and remove
them; the rating after mitigation takes them into account."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.mitigation import remove_action, save_justification, update_action
from assessments.kernel.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from assessments.models import ActionStatus
from assessments.rubrics.scoring import compute_results
from assessments.workflow import transitions as workflow
from tests.factories.answers import (
    FLAGGED,
    QUESTIONS,
    THRESHOLD,
    action_data,
    add,
    answer,
    answer_all,
    high_answer,
    impact,
)
from tests.factories.audit import events_since, last_seq
from tests.factories.people import Cast, make_cast
from tests.factories.trusts import RUBRIC
from tests.factories.versions import approved, draft_for, submitted, view

pytestmark = pytest.mark.usefixtures("rubric_published")
QUESTION = FLAGGED[0]


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@pytest.fixture
def draft(session: Session, cast: Cast) -> int:
    """A draft whose first flagged question is answered at its highest impact."""
    version_id = draft_for(session, cast)
    answer(session, version_id, QUESTION, high_answer(QUESTIONS[QUESTION]), actor=cast.author)
    return version_id


class TestActions:
    def test_an_author_adds_changes_and_removes_an_action(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        seq = last_seq(session)
        action = add(session, cast.author, draft, [QUESTION, QUESTION], residual=1)
        assert action.id is not None
        assert [a.question_ids for a in view(session, draft).actions] == [[QUESTION]]

        changed = update_action(
            session=session,
            actor=cast.second_author,
            version_id=draft,
            action_id=action.id,
            data=action_data([QUESTION], residual=0, status=ActionStatus.DONE, expected_revision=1),
        )
        assert (changed.revision, changed.status, changed.residual_impact) == (
            2,
            ActionStatus.DONE,
            0,
        )
        assert changed.updated_by == cast.second_author.name

        remove_action(
            session=session,
            actor=cast.author,
            version_id=draft,
            action_id=action.id,
            expected_revision=2,
        )
        assert view(session, draft).actions == []
        events = events_since(session, seq, "mitigating_action")
        assert [e.action for e in events] == ["added", "changed", "removed"]

    def test_an_action_must_answer_questions_of_the_rubric(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            add(session, cast.author, draft, [QUESTION, "no-such-question"])
        assert "no-such-question" in refused.value.errors["question_ids"]
        assert view(session, draft).actions == []

    @pytest.mark.parametrize("residual", [RUBRIC.impact_scale.max + 1, 99])
    def test_residual_impact_above_the_scale_is_refused(
        self, session: Session, cast: Cast, draft: int, residual: int
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            add(session, cast.author, draft, [QUESTION], residual=residual)
        assert set(refused.value.errors) == {"residual_impact"}

    def test_residual_impact_below_the_scale_is_refused(self) -> None:
        with pytest.raises(ValidationError) as refused:
            action_data([QUESTION], residual=RUBRIC.impact_scale.min - 1)
        assert [e["loc"] for e in refused.value.errors()] == [("residual_impact",)]

    @pytest.mark.parametrize("description", ["", "ab", "  ab  "])
    def test_a_description_too_short_is_refused(self, description: str) -> None:
        with pytest.raises(ValidationError) as refused:
            action_data([QUESTION], description=description)
        assert [e["loc"] for e in refused.value.errors()] == [("description",)]

    def test_an_action_must_name_at_least_one_question(self) -> None:
        with pytest.raises(ValidationError) as refused:
            action_data([])
        assert [e["loc"] for e in refused.value.errors()] == [("question_ids",)]

    def test_a_change_based_on_a_stale_revision_is_refused(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        action = add(session, cast.author, draft, [QUESTION], residual=2)
        assert action.id is not None
        update_action(
            session=session,
            actor=cast.second_author,
            version_id=draft,
            action_id=action.id,
            data=action_data([QUESTION], residual=1, expected_revision=1),
        )
        with pytest.raises(StaleVersion):
            update_action(
                session=session,
                actor=cast.author,
                version_id=draft,
                action_id=action.id,
                data=action_data([QUESTION], residual=0, expected_revision=1),
            )
        with pytest.raises(StaleVersion):
            remove_action(
                session=session,
                actor=cast.author,
                version_id=draft,
                action_id=action.id,
                expected_revision=1,
            )
        assert [a.residual_impact for a in view(session, draft).actions] == [1]

    def test_an_action_of_another_version_is_not_found(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        other = draft_for(session, cast)
        action = add(session, cast.author, draft, [QUESTION])
        assert action.id is not None
        with pytest.raises(NotFound):
            update_action(
                session=session,
                actor=cast.author,
                version_id=other,
                action_id=action.id,
                data=action_data([QUESTION]),
            )
        with pytest.raises(NotFound):
            remove_action(
                session=session,
                actor=cast.author,
                version_id=other,
                action_id=action.id,
                expected_revision=None,
            )

    @pytest.mark.parametrize("state", ["submitted", "approved"])
    def test_actions_change_only_with_a_draft(
        self, session: Session, cast: Cast, state: str
    ) -> None:
        version_id = submitted(session, cast) if state == "submitted" else approved(session, cast)
        action = view(session, version_id).actions[0]
        assert action.id is not None
        with pytest.raises(InvalidTransition):
            add(session, cast.author, version_id, [QUESTION])
        with pytest.raises(InvalidTransition):
            update_action(
                session=session,
                actor=cast.author,
                version_id=version_id,
                action_id=action.id,
                data=action_data([QUESTION], residual=0),
            )
        with pytest.raises(InvalidTransition):
            remove_action(
                session=session,
                actor=cast.author,
                version_id=version_id,
                action_id=action.id,
                expected_revision=None,
            )
        assert len(view(session, version_id).actions) == 1

    @pytest.mark.parametrize(
        ("who", "error"),
        [("approver", NotAllowed), ("auditor", NotAllowed), ("other_author", NotFound)],
    )
    def test_only_authors_of_the_policys_school_change_actions(
        self, session: Session, cast: Cast, draft: int, who: str, error: type[Exception]
    ) -> None:
        actor = getattr(cast, who)
        action = add(session, cast.author, draft, [QUESTION])
        assert action.id is not None
        with pytest.raises(error):
            add(session, actor, draft, [QUESTION])
        with pytest.raises(error):
            update_action(
                session=session,
                actor=actor,
                version_id=draft,
                action_id=action.id,
                data=action_data([QUESTION], residual=0),
            )
        with pytest.raises(error):
            remove_action(
                session=session,
                actor=actor,
                version_id=draft,
                action_id=action.id,
                expected_revision=None,
            )
        assert [a.residual_impact for a in view(session, draft).actions] == [0]
        assert len(version_queries.actions_of_version(session, draft)) == 1

    def test_a_dropped_action_mitigates_nothing(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        add(session, cast.author, draft, [QUESTION], status=ActionStatus.DROPPED)
        assert view(session, draft).unmitigated() == [QUESTION]
        add(session, cast.author, draft, [QUESTION], status=ActionStatus.DONE)
        assert view(session, draft).unmitigated() == []


class TestJustification:
    def test_a_justification_stands_in_for_an_action(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        assert view(session, draft).unmitigated() == [QUESTION]
        save_justification(
            session=session,
            actor=cast.author,
            version_id=draft,
            question_id=QUESTION,
            text="  Required by the exam board.  ",
            expected_revision=1,
        )
        shown = view(session, draft)
        assert shown.unmitigated() == []
        assert shown.answers[QUESTION].justification == "Required by the exam board."

    def test_an_unanswered_question_cannot_be_justified(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            save_justification(
                session=session,
                actor=cast.author,
                version_id=draft,
                question_id="new-task-pattern",
                text="Nothing to do",
            )
        assert set(refused.value.errors) == {"justification"}

    def test_a_justification_too_long_or_stale_is_refused(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            save_justification(
                session=session,
                actor=cast.author,
                version_id=draft,
                question_id=QUESTION,
                text="x" * 2001,
            )
        assert set(refused.value.errors) == {"justification"}
        answer(session, draft, QUESTION, "offset-undecided", actor=cast.second_author)  # revision 2
        with pytest.raises(StaleVersion):
            save_justification(
                session=session,
                actor=cast.author,
                version_id=draft,
                question_id=QUESTION,
                text="Because",
                expected_revision=1,
            )
        assert view(session, draft).answers[QUESTION].justification == ""

    def test_an_approved_version_cannot_be_justified(self, session: Session, cast: Cast) -> None:
        version_id = approved(session, cast)
        with pytest.raises(InvalidTransition):
            save_justification(
                session=session,
                actor=cast.author,
                version_id=version_id,
                question_id=FLAGGED[1],
                text="Changed my mind",
            )


class TestRatingAfterMitigation:
    @pytest.fixture
    def worst(self, session: Session, cast: Cast) -> int:
        """A draft with every question answered at its highest impact."""
        version_id = draft_for(session, cast)
        answer_all(session, cast.author, version_id, high=list(QUESTIONS))
        return version_id

    def _flagged(self, session: Session, version_id: int) -> list[str]:
        return [f.question.id for f in view(session, version_id).results.flagged]

    def test_actions_with_low_residual_impact_lower_the_rating(
        self, session: Session, cast: Cast, worst: int
    ) -> None:
        add(session, cast.author, worst, self._flagged(session, worst), residual=0)
        shown = view(session, worst)
        assert shown.results.rating is not None and shown.results_after.rating is not None
        assert (shown.results.rating.id, shown.results_after.rating.id) == ("very-high", "low")
        assert shown.results_after.overall_score is not None
        assert shown.results.overall_score is not None
        assert shown.results_after.overall_score < shown.results.overall_score
        assert shown.results_after.flagged == ()

    def test_a_dropped_action_leaves_the_rating_as_answered(
        self, session: Session, cast: Cast, worst: int
    ) -> None:
        flagged = self._flagged(session, worst)
        add(session, cast.author, worst, flagged, residual=0, status=ActionStatus.DROPPED)
        shown = view(session, worst)
        assert shown.results_after == shown.results

        add(session, cast.author, worst, flagged[:1], residual=0, status=ActionStatus.DONE)
        shown = view(session, worst)
        assert shown.results_after.overall_score != shown.results.overall_score

    def test_the_lowest_residual_of_several_live_actions_counts(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        add(session, cast.author, draft, [QUESTION], residual=2)
        add(session, cast.author, draft, [QUESTION], residual=0, status=ActionStatus.DONE)
        add(session, cast.author, draft, [QUESTION], residual=3, status=ActionStatus.IN_PROGRESS)
        assert view(session, draft).results_after.overall_score == 0

    def test_a_residual_above_the_answer_never_raises_its_score(
        self, session: Session, cast: Cast, draft: int
    ) -> None:
        impact_1 = "checked-minor-overlap"
        answer(session, draft, "calendar-timing", impact_1, actor=cast.author)
        add(session, cast.author, draft, ["calendar-timing"], residual=RUBRIC.impact_scale.max)
        shown = view(session, draft)
        assert shown.results_after == shown.results


@given(
    answers=st.fixed_dictionaries(
        {},
        optional={
            q.id: st.sampled_from(q.options).map(lambda o: o.value)
            for q in RUBRIC.questions()
            if q.options
        },
    ),
    residual=st.dictionaries(
        st.sampled_from(list(QUESTIONS)),
        st.integers(RUBRIC.impact_scale.min, RUBRIC.impact_scale.max),
    ),
)
@settings(max_examples=100, deadline=None)
def test_residual_impacts_never_raise_a_score(
    answers: dict[str, str], residual: dict[str, int]
) -> None:
    before = compute_results(RUBRIC, answers)
    after = compute_results(RUBRIC, answers, residual=residual)
    for was, now in zip(before.sections, after.sections, strict=True):
        assert was.score is None or (now.score is not None and now.score <= was.score)
    assert before.overall_score is None or (
        after.overall_score is not None and after.overall_score <= before.overall_score
    )
    assert {f.question.id for f in after.flagged} <= {f.question.id for f in before.flagged}
    for flag in after.flagged:
        assert flag.impact >= THRESHOLD
        assert flag.impact <= impact(flag.question, answers[flag.question.id])


def test_submission_needs_the_flagged_answers_mitigated(session: Session, cast: Cast) -> None:
    version_id = draft_for(session, cast)
    answer_all(session, cast.author, version_id, high=FLAGGED)
    assert view(session, version_id).unmitigated() == list(FLAGGED)
    add(session, cast.author, version_id, FLAGGED, residual=4)  # covers, even if it helps little
    assert workflow.submission_problems(view(session, version_id)) == {}
