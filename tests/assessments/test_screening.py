"""Screening through the use-cases: the shipped rubric's five questions decide whether a change
needs the full assessment; a screened-out version keeps its answers and a reason, is decided
on like any version (and may be sent back for the full assessment), and the register says which
kind each version is."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import mitigation, screening
from assessments.drafting.schemas import AnswerSave
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import (
    ContentChanged,
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from assessments.models import ActionStatus, AssessmentKind, AssessmentVersion, VersionStatus
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.register import dashboard_queries, queries as register_queries
from assessments.register.schemas import RegisterFilter
from assessments.rubrics import publishing
from assessments.rubrics.screening import ScreeningQuestion
from assessments.workflow import review, transitions as workflow
from tests.factories.answers import MITIGATION, answer
from tests.factories.people import Cast, make_cast
from tests.factories.trusts import RUBRIC
from tests.factories.versions import (
    SCREENED_OUT_BECAUSE,
    complete_draft,
    draft_for,
    screen_out,
    screening_answers,
    version,
    view,
)

pytestmark = pytest.mark.usefixtures("rubric_published")
assert RUBRIC.screening is not None
QUESTIONS = RUBRIC.screening.questions
HIGH = [q.id for q in RUBRIC.questions() if q.required][:6]  # answered at their highest
WHY_FULL = "The change moves the marking of mocks to form tutors: assess it in full."


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def save(
    session: Session, actor: Actor, version_id: int, reason: str = "", **answers: str
) -> dict[str, str]:
    return screening.save_screening(
        session=session,
        actor=actor,
        version_id=version_id,
        answers={qid: AnswerSave(value=value) for qid, value in answers.items()},
        reason=reason,
    )


def screened_out_and_submitted(session: Session, cast: Cast) -> int:
    version_id = draft_for(session, cast)
    screen_out(session, version_id, cast.author)
    workflow.submit(session=session, actor=cast.author, version_id=version_id)
    return version_id


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


class TestDeciding:
    def test_a_screened_out_version_needs_its_reason_and_nothing_of_the_full_assessment(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        save(
            session, cast.author, version_id, **{k: v.value for k, v in screening_answers().items()}
        )

        with pytest.raises(ValidationFailed) as refused:
            workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert refused.value.errors == {
            "submission": "Say why this change needs no full assessment"
        }

        save(session, cast.author, version_id, SCREENED_OUT_BECAUSE)
        submitted = workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert submitted.status is VersionStatus.SUBMITTED

    def test_approved_it_stays_screened_out_in_the_register_and_never_changes(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)

        approved = workflow.approve(session=session, actor=cast.approver, version_id=version_id)

        assert approved.status is VersionStatus.APPROVED and approved.review_due is not None
        screened = RegisterFilter(kind=AssessmentKind.SCREENED_OUT)
        full = RegisterFilter(kind=AssessmentKind.FULL)
        today = date.today()
        (row,) = register_queries.page_of_rows(
            session, cast.approver, screened, today, size=50, page=1
        )
        assert (row.version_id, row.assessment_kind, row.rating) == (
            version_id,
            "screened-out",
            None,
        )
        rows = register_queries.page_of_rows(session, cast.approver, full, today, size=50, page=1)
        assert version_id not in [r.version_id for r in rows]
        with pytest.raises(sa.exc.DatabaseError), session.begin_nested():  # the freezing trigger
            session.execute(
                sa.update(AssessmentVersion)
                .where(sa.column("id") == version_id)
                .values(screening_reason="rewritten")
            )

    def test_a_reason_rewritten_behind_the_application_is_never_approved(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)
        session.execute(
            sa.update(AssessmentVersion)
            .where(sa.column("id") == version_id)
            .values(screening_reason="Rewritten after submission")
        )
        session.expire_all()

        with pytest.raises(ContentChanged):
            workflow.approve(session=session, actor=cast.approver, version_id=version_id)

    def test_sent_back_for_the_full_assessment_it_is_assessed_in_full(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)
        with pytest.raises(ValidationFailed) as refused:
            workflow.require_full(
                session=session, actor=cast.approver, version_id=version_id, reason=" "
            )
        assert "Say why it needs the full assessment" in refused.value.errors["reason"]

        returned = workflow.require_full(
            session=session, actor=cast.approver, version_id=version_id, reason=WHY_FULL
        )

        assert returned.status is VersionStatus.RETURNED
        assert (returned.full_required, returned.decision_reason) == (True, WHY_FULL)
        assert returned.kind is AssessmentKind.FULL
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        with pytest.raises(ValidationFailed) as incomplete:  # now the rubric's questions
            workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert "Answer “" in incomplete.value.errors["submission"]
        screen_out(session, version_id, cast.author)  # its screening no longer decides
        assert version(session, version_id).kind is AssessmentKind.FULL
        complete_draft(session, cast.author, version_id)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert version(session, version_id).rating is not None

    def test_a_full_assessment_cannot_be_sent_back_for_one(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        with pytest.raises(InvalidTransition) as refused:
            workflow.require_full(
                session=session, actor=cast.approver, version_id=version_id, reason=WHY_FULL
            )

        assert "already a full assessment" in refused.value.message
        assert version(session, version_id).status is VersionStatus.SUBMITTED

    def test_its_review_is_screened_again_from_its_answers_and_reason(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)

        review = workflow.revise(session=session, actor=cast.author, version_id=version_id)

        assert review.kind is AssessmentKind.SCREENED_OUT
        assert (review.screening_reason, review.full_required) == (SCREENED_OUT_BECAUSE, False)
        assert review.id is not None
        answer(session, review, QUESTIONS[0].id, "dont-know")
        assert version(session, review.id).kind is AssessmentKind.FULL


def test_a_rubric_without_screening_has_no_screening_to_save(session: Session, cast: Cast) -> None:
    unscreened = RUBRIC.model_copy(update={"version": RUBRIC.version + 1, "screening": None})
    publishing.publish_rubric(session=session, actor=cast.approver, rubric=unscreened)
    version_id = draft_for(session, cast)

    with pytest.raises(NotFound):
        save(session, cast.author, version_id, "A reason")
    assert version(session, version_id).kind is AssessmentKind.FULL


class TestWhatIsShownOfIt:
    def test_answers_left_from_a_full_assessment_rate_nothing_and_need_no_reason(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id, flagged=HIGH)
        assert view(session, version_id).results.rating is not None
        screen_out(session, version_id, cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        seen = view(session, version_id)
        assert (seen.results.rating, seen.results_after.rating) == (None, None)
        assert not seen.results.workload
        assert not workflow.approval_needs_reason(seen)
        approved = workflow.approve(session=session, actor=cast.approver, version_id=version_id)
        assert approved.status is VersionStatus.APPROVED

    def test_the_home_page_counts_no_rating_or_hours_of_a_screened_out_version(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)  # hours estimated, then screened out
        screen_out(session, version_id, cast.author)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)

        assert dashboard_queries.rating_counts(session, cast.approver) == {}
        assert dashboard_queries.hours_by_staff_group(session, cast.approver) == []

    def test_a_reason_changed_after_a_return_shows_in_what_changed(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)
        workflow.return_version(
            session=session, actor=cast.approver, version_id=version_id, reason="Say more"
        )
        workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        saved = version(session, version_id)
        screening.save_screening_reason(
            session=session,
            actor=cast.author,
            version_id=version_id,
            reason="Only the new job titles, agreed with the unions.",
            expected_revision=saved.screening_revision,
        )
        workflow.submit(session=session, actor=cast.author, version_id=version_id)

        changes = review.changes_since_returned(session=session, view=view(session, version_id))

        assert changes is not None
        (changed,) = changes.results
        assert changed.what == "Why no full assessment is needed"
        assert changed.after == "Only the new job titles, agreed with the unions."

    def test_an_approved_screened_out_version_s_actions_progress_without_a_fuss(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        screen_out(session, version_id, cast.author)
        mitigation.add_action(
            session=session, actor=cast.author, version_id=version_id, data=MITIGATION
        )
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)
        (action,) = view(session, version_id).actions
        assert action.id is not None

        recording.record_progress(
            session=session,
            actor=cast.author,
            action_id=action.id,
            data=ProgressSave(status=ActionStatus.DONE, done_on=date.today()),
            today=date.today(),
        )

        assert version(session, version_id).kind is AssessmentKind.SCREENED_OUT
        assert version(session, version_id).open_actions == 0

    def test_started_again_after_a_withdrawal_it_is_still_to_be_assessed_in_full(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = screened_out_and_submitted(session, cast)
        workflow.require_full(
            session=session, actor=cast.approver, version_id=version_id, reason=WHY_FULL
        )
        workflow.withdraw(
            session=session, actor=cast.author, version_id=version_id, reason="Rethinking it"
        )

        again = workflow.restart(session=session, actor=cast.author, version_id=version_id)

        assert (again.full_required, again.kind) == (True, AssessmentKind.FULL)
