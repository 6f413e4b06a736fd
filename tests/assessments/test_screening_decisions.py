"""Deciding on a screened-out version through the use-cases: it needs its reason and nothing
of the full assessment, is approved and frozen as screened out (and never with a reason changed
behind the application), may be sent back for the full assessment, and rates nothing wherever
it is shown."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import mitigation, screening
from assessments.kernel.errors import (
    ContentChanged,
    InvalidTransition,
    ValidationFailed,
)
from assessments.models import ActionStatus, AssessmentKind, AssessmentVersion, VersionStatus
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.register import dashboard_queries, queries as register_queries
from assessments.register.schemas import RegisterFilter
from assessments.workflow import review, transitions as workflow
from tests.assessments.screening_cases import (
    HIGH,
    QUESTIONS,
    WHY_FULL,
    cast,
    save,
    screened_out_and_submitted,
)
from tests.factories.answers import MITIGATION, answer
from tests.factories.people import Cast
from tests.factories.versions import (
    SCREENED_OUT_BECAUSE,
    complete_draft,
    draft_for,
    screen_out,
    screening_answers,
    version,
    view,
)

__all__ = ["cast"]  # the fixture
pytestmark = pytest.mark.usefixtures("rubric_published")


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
