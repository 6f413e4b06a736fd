"""The use-cases, called as the pages and the API call them, against the real database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session

from assessments.drafting import (
    answering,
    editing,
    queries as version_queries,
    version_view,
    workload,
)
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from assessments.models import VersionStatus
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics import publishing, queries as rubric_queries
from assessments.rubrics.schema import Rubric
from tests.factories.answers import answer
from tests.factories.trusts import (
    AUTHOR,
    default_rubric,
    make_policy,
    make_school,
    publish_default_rubric,
)
from tests.factories.versions import make_draft

pytestmark = pytest.mark.usefixtures("rubric_published")


def _first_choice_question(rubric: Rubric) -> str:
    return next(q.id for q in rubric.questions() if q.kind.value == "choice")


def _number_question(rubric: Rubric) -> str:
    return next(q.id for q in rubric.questions() if q.kind.value == "number")


def _version_id(session: Session) -> int:
    version = make_draft(session)
    assert version.id is not None
    return version.id


class TestPublishRubric:
    def test_publishing_the_same_content_again_changes_nothing(self, session: Session) -> None:
        first = publish_default_rubric(session)
        again = publish_default_rubric(session)
        assert again.id == first.id
        assert len(rubric_queries.list_published_rubrics(session)) == 1

    def test_changed_content_under_the_same_version_is_refused(self, session: Session) -> None:
        changed = default_rubric().model_copy(update={"title": "Edited after publication"})
        with pytest.raises(Conflict, match="new version number"):
            publishing.publish_rubric(session=session, actor=AUTHOR, rubric=changed)

    def test_a_new_rubric_version_never_changes_an_assessment_already_started(
        self, session: Session
    ) -> None:
        version = make_draft(session)
        rubric = default_rubric()
        section = rubric.sections[0].model_copy(update={"title": "Renamed in the next version"})
        newer = rubric.model_copy(
            update={"version": rubric.version + 1, "sections": [section, *rubric.sections[1:]]}
        )
        publishing.publish_rubric(session=session, actor=AUTHOR, rubric=newer)

        pinned = rubric_queries.rubric_of_version(session, version)
        assert pinned.key == rubric.key
        assert pinned.sections[0].title == rubric.sections[0].title
        assert make_draft(session).rubric_version_id != version.rubric_version_id


class TestSchoolsAndPolicies:
    def test_school_names_are_required_and_unique(self, session: Session) -> None:
        make_school(session, "Riverside Academy")
        with pytest.raises(ValidationFailed) as duplicate:
            make_school(session, " Riverside Academy ")
        assert "already has a school called" in duplicate.value.errors["name"]
        with pytest.raises(ValidationFailed) as blank:
            make_school(session, "   ")
        assert blank.value.errors == {"name": "Enter the school's name, up to 200 characters"}

    def test_policy_for_a_school_that_does_not_exist_is_refused(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as error:
            make_policy(session, school_id=999_999)
        assert "school_id" in error.value.errors

    def test_policy_references_are_unique(self, session: Session) -> None:
        school = make_school(session)
        make_policy(session, reference="TL-004", school_id=school.id)
        with pytest.raises(ValidationFailed) as error:
            make_policy(session, reference="TL-004")
        assert error.value.errors == {"reference": "A policy with reference TL-004 already exists"}

    def test_policy_input_is_validated_by_its_schema(self) -> None:
        with pytest.raises(ValueError, match="review_cycle_months"):
            PolicyCreate(
                reference="TL-1",
                title="Homework",
                category="behaviour",
                owner="Head",
                review_cycle_months=0,
            )


class TestStartAssessment:
    def test_starts_version_one_as_a_draft_pinned_to_the_latest_rubric(
        self, session: Session
    ) -> None:
        version = make_draft(session)
        assert (version.number, version.status, version.author) == (
            1,
            VersionStatus.DRAFT,
            AUTHOR.name,
        )
        assert rubric_queries.rubric_of_version(session, version).key == default_rubric().key

    def test_a_policy_has_one_assessment(self, session: Session) -> None:
        version = make_draft(session)
        policy = version_queries.policy_of_version(session, version)
        assert policy.id is not None
        with pytest.raises(Conflict, match="already has an impact assessment"):
            editing.start_assessment(
                session=session, actor=AUTHOR, policy_id=policy.id, rubric_id=default_rubric().id
            )

    def test_unknown_policy_or_unpublished_rubric(self, session: Session) -> None:
        with pytest.raises(NotFound):
            editing.start_assessment(
                session=session, actor=AUTHOR, policy_id=999_999, rubric_id=default_rubric().id
            )
        policy = make_policy(session)
        assert policy.id is not None
        with pytest.raises(Conflict, match="has been published"):
            editing.start_assessment(
                session=session, actor=AUTHOR, policy_id=policy.id, rubric_id="no-such-rubric"
            )


class TestSaveAnswer:
    def test_partial_saves_are_kept_and_scored(self, session: Session) -> None:
        rubric = default_rubric()
        version = make_draft(session)
        question = rubric.question(_first_choice_question(rubric))
        assert question is not None and version.id is not None
        highest = max(question.options, key=lambda o: o.impact)
        answer(session, version, question.id, highest.value)

        view = version_view.view_assessment(session=session, actor=AUTHOR, version_id=version.id)
        assert view.answers[question.id].value == highest.value
        assert view.results.overall_score is not None
        assert not view.results.complete  # the rest is still unanswered

    def test_each_change_bumps_the_revision_and_a_stale_write_is_refused(
        self, session: Session
    ) -> None:
        rubric = default_rubric()
        version_id = _version_id(session)
        question = rubric.question(_first_choice_question(rubric))
        assert question is not None
        first, second = question.options[0].value, question.options[1].value

        def save(value: str, expected: int | None) -> int:
            row = answering.save_answer(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                question_id=question.id,
                data=AnswerSave(value=value, expected_revision=expected),
            )
            assert row is not None
            return row.revision

        assert save(first, None) == 1
        assert save(second, 1) == 2
        with pytest.raises(StaleVersion):
            save(first, 1)
        assert version_queries.answers_of_version(session, version_id)[question.id].value == second

    def test_resending_what_is_already_saved_is_not_a_conflict(self, session: Session) -> None:
        # An autosave and the page's own submit can carry the same answer from the same
        # revision; the second changes nothing, so it must neither fail nor bump the revision.
        rubric = default_rubric()
        version_id = _version_id(session)
        question = rubric.question(_first_choice_question(rubric))
        assert question is not None
        value = question.options[0].value

        def save(expected: int) -> int:
            row = answering.save_answer(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                question_id=question.id,
                data=AnswerSave(
                    value=value, comment="From the staff survey", expected_revision=expected
                ),
            )
            assert row is not None
            return row.revision

        assert save(0) == 1
        assert save(0) == 1
        with pytest.raises(StaleVersion):
            answering.save_answer(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                question_id=question.id,
                data=AnswerSave(value=value, comment="Changed", expected_revision=0),
            )

    def test_an_answer_cleared_by_someone_else_is_not_silently_recreated(
        self, session: Session
    ) -> None:
        rubric = default_rubric()
        version_id = _version_id(session)
        question = rubric.question(_first_choice_question(rubric))
        assert question is not None

        def save(value: str, expected: int) -> None:
            answering.save_answer(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                question_id=question.id,
                data=AnswerSave(value=value, expected_revision=expected),
            )

        save(question.options[0].value, 0)
        save("", 1)  # someone clears it
        with pytest.raises(StaleVersion):
            save(question.options[1].value, 1)  # a change based on the answer that was cleared
        assert question.id not in version_queries.answers_of_version(session, version_id)

    def test_evidence_without_an_answer_is_refused_not_dropped(self, session: Session) -> None:
        rubric = default_rubric()
        version_id = _version_id(session)
        question_id = _first_choice_question(rubric)
        with pytest.raises(ValidationFailed) as refused:
            answering.save_answer(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                question_id=question_id,
                data=AnswerSave(value="", comment="Staff survey, March"),
            )
        assert refused.value.errors == {
            "value": "Give an answer before adding evidence or a comment"
        }
        assert version_queries.answers_of_version(session, version_id) == {}

    def test_an_empty_value_clears_the_answer(self, session: Session) -> None:
        rubric = default_rubric()
        version = make_draft(session)
        assert version.id is not None
        question_id = _first_choice_question(rubric)
        question = rubric.question(question_id)
        assert question is not None
        answer(session, version, question_id, question.options[0].value)
        answer(session, version, question_id, "  ")
        assert question_id not in version_queries.answers_of_version(session, version.id)

    def test_invalid_answers_and_unknown_questions_are_refused(self, session: Session) -> None:
        rubric = default_rubric()
        version = make_draft(session)
        with pytest.raises(ValidationFailed) as not_an_option:
            answer(session, version, _first_choice_question(rubric), "not-an-option")
        assert not_an_option.value.errors == {"value": "Select one of the options"}
        with pytest.raises(ValidationFailed) as unknown:
            answer(session, version, "no-such-question", "yes")
        assert "no-such-question" in unknown.value.errors["question_id"]

    def test_a_version_that_left_draft_cannot_be_changed(self, session: Session) -> None:
        rubric = default_rubric()
        version = make_draft(session)
        version.status = VersionStatus.SUBMITTED  # the submit use-case arrives with issue 4
        session.add(version)
        session.flush()
        question = rubric.question(_first_choice_question(rubric))
        assert question is not None
        with pytest.raises(InvalidTransition, match="submitted"):
            answer(session, version, question.id, question.options[0].value)

    def test_saving_a_page_keeps_the_good_answers_and_reports_the_bad(
        self, session: Session
    ) -> None:
        rubric = default_rubric()
        version_id = _version_id(session)
        choice = rubric.question(_first_choice_question(rubric))
        assert choice is not None
        errors = answering.save_answers(
            session=session,
            actor=AUTHOR,
            version_id=version_id,
            answers={
                choice.id: AnswerSave(value=choice.options[0].value),
                _number_question(rubric): AnswerSave(value="lots"),
            },
        )
        assert errors == {_number_question(rubric): "Enter a number, like 3 or 1.5"}
        saved = version_queries.answers_of_version(session, version_id)
        assert set(saved) == {choice.id}


class TestWorkloadEstimates:
    def test_estimates_give_net_hours_per_year(self, session: Session) -> None:
        rubric = default_rubric()
        version_id = _version_id(session)
        teachers, support = rubric.staff_groups[0].id, rubric.staff_groups[-1].id
        errors = workload.save_workload_estimates(
            session=session,
            actor=AUTHOR,
            version_id=version_id,
            estimates={
                teachers: WorkloadEstimateSave(hours_per_term=Decimal("2.5"), staff_count=30),
                support: WorkloadEstimateSave(hours_per_term=Decimal("-1"), staff_count=4),
            },
        )
        assert errors == {}
        results = version_view.view_assessment(
            session=session, actor=AUTHOR, version_id=version_id
        ).results
        terms = rubric.workload.terms_per_year
        expected = Decimal("2.5") * terms * 30 + Decimal(-1) * terms * 4
        assert results.net_hours_per_year == expected.quantize(Decimal("0.1"))
        assert [line.staff_group for line in results.workload] == [teachers, support]

    def test_unknown_group_stale_revision_and_clearing(self, session: Session) -> None:
        rubric = default_rubric()
        version_id = _version_id(session)
        group = rubric.staff_groups[0].id

        def save(hours: str, expected: int | None = None) -> int:
            return workload.save_workload_estimate(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                staff_group=group,
                data=WorkloadEstimateSave(
                    hours_per_term=Decimal(hours), staff_count=10, expected_revision=expected
                ),
            ).revision

        with pytest.raises(ValidationFailed, match="no staff group"):
            workload.save_workload_estimate(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                staff_group="governors",
                data=WorkloadEstimateSave(hours_per_term=Decimal(1), staff_count=1),
            )
        assert save("1") == 1
        assert save("2", expected=1) == 2
        with pytest.raises(StaleVersion):
            save("3", expected=1)
        with pytest.raises(StaleVersion):
            workload.clear_workload_estimate(
                session=session,
                actor=AUTHOR,
                version_id=version_id,
                staff_group=group,
                expected_revision=1,
            )
        with pytest.raises(ValidationFailed, match="no staff group"):
            workload.clear_workload_estimate(
                session=session, actor=AUTHOR, version_id=version_id, staff_group="governors"
            )
        workload.clear_workload_estimate(
            session=session,
            actor=AUTHOR,
            version_id=version_id,
            staff_group=group,
            expected_revision=2,
        )
        assert version_queries.estimates_of_version(session, version_id) == {}
        with pytest.raises(StaleVersion):  # based on the estimate that was just removed
            save("4", expected=2)
