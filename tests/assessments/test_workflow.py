"""The approval workflow: submit, approve, return, reopen, withdraw and revise, as authors and
approvers call them; each decision is recorded and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from assessments.drafting import queries as version_queries, workload
from assessments.drafting.mitigation import save_justification
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel import audit
from assessments.kernel.errors import InvalidTransition, NotAllowed, StaleVersion, ValidationFailed
from assessments.models import ActionStatus, PolicyStatus, VersionStatus
from assessments.workflow import transitions as workflow
from tests.factories.answers import FLAGGED, QUESTIONS, add, answer, answer_all
from tests.factories.audit import events_since, last_seq
from tests.factories.people import Cast, make_cast
from tests.factories.trusts import LOCAL_TRUST_ID, RUBRIC
from tests.factories.versions import approved, complete_draft, draft_for, submitted, version, view

pytestmark = pytest.mark.usefixtures("rubric_published")


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


class TestSubmit:
    def test_a_new_draft_is_refused_naming_every_required_question(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        with pytest.raises(ValidationFailed) as refused:
            workflow.submit(session=session, actor=cast.author, version_id=version_id)
        problems = refused.value.errors["submission"].split("; ")
        assert problems == [f"Answer “{q.text}”" for q in RUBRIC.questions() if q.required]
        assert version(session, version_id).status is VersionStatus.DRAFT

    def test_refusal_lists_each_missing_answer_and_each_unmitigated_flag(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        missing = ["what-is-stopped", "stress-risk"]
        flagged = [*FLAGGED, "marking-expectations"]
        answer_all(session, cast.author, version_id, high=flagged, skip=missing)
        add(session, cast.author, version_id, ["marking-expectations"])
        with pytest.raises(ValidationFailed) as refused:
            workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert refused.value.errors["submission"].split("; ") == [
            *(f"Answer “{QUESTIONS[q].text}”" for q in missing),
            *(
                f"Add a mitigating action for “{QUESTIONS[q].text}”, or say why none is needed"
                for q in FLAGGED
            ),
        ]

    def test_a_complete_draft_is_submitted_and_can_no_longer_be_edited(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast)
        content = workflow.content_hash(complete_draft(session, cast.author, version_id))
        seq = last_seq(session)
        sent = workflow.submit(
            session=session, actor=cast.second_author, version_id=version_id, expected_revision=1
        )
        assert (sent.status, sent.content_hash, sent.revision) == (
            VersionStatus.SUBMITTED,
            content,
            2,
        )
        assert sent.submitted_at is not None
        assert datetime.now(UTC) - sent.submitted_at < timedelta(minutes=1)
        assert [e.action for e in events_since(session, seq)] == ["submitted"]

        with pytest.raises(InvalidTransition):
            answer(session, version_id, "stress-risk", "beyond-capacity", actor=cast.author)
        with pytest.raises(InvalidTransition):
            add(session, cast.author, version_id, ["stress-risk"])
        with pytest.raises(InvalidTransition):
            save_justification(
                session=session,
                actor=cast.author,
                version_id=version_id,
                question_id=FLAGGED[0],
                text="Changed",
            )
        with pytest.raises(InvalidTransition):
            workload.save_workload_estimate(
                session=session,
                actor=cast.author,
                version_id=version_id,
                staff_group="teachers",
                data=WorkloadEstimateSave(hours_per_term=Decimal(9), staff_count=1),
            )
        with pytest.raises(InvalidTransition):
            workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert workflow.content_hash(view(session, version_id)) == content

    @pytest.mark.parametrize(("who", "error"), [("approver", NotAllowed), ("auditor", NotAllowed)])
    def test_only_authors_submit(
        self, session: Session, cast: Cast, who: str, error: type[Exception]
    ) -> None:
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)
        with pytest.raises(error):
            workflow.submit(session=session, actor=getattr(cast, who), version_id=version_id)
        assert version(session, version_id).status is VersionStatus.DRAFT


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 6, 1), 36, date(2028, 6, 1)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert workflow.add_months(day, months) == expected


class TestApprove:
    def test_approval_records_the_decision_and_the_next_review(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = draft_for(session, cast, review_cycle_months=18, status="under-review")
        complete_draft(session, cast.author, version_id)
        workflow.submit(session=session, actor=cast.author, version_id=version_id)
        seq = last_seq(session)
        done = workflow.approve(
            session=session, actor=cast.approver, version_id=version_id, expected_revision=2
        )
        assert done.status is VersionStatus.APPROVED
        assert (done.decided_by, done.decided_by_user_id) == (
            cast.approver.name,
            cast.approver.user_id,
        )
        assert done.decided_at is not None
        assert datetime.now(UTC) - done.decided_at < timedelta(minutes=1)
        assert done.review_due == workflow.add_months(done.decided_at.date(), 18)
        policy = view(session, version_id).policy
        assert (policy.next_review_date, policy.status) == (done.review_due, PolicyStatus.IN_FORCE)
        assert [e.action for e in events_since(session, seq)] == ["approved"]

    def test_the_author_never_decides_on_their_own_version(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = submitted(session, cast, cast.author_approver)  # an approver too
        with pytest.raises(NotAllowed):
            workflow.approve(session=session, actor=cast.author_approver, version_id=version_id)
        with pytest.raises(NotAllowed):
            workflow.return_version(
                session=session,
                actor=cast.author_approver,
                version_id=version_id,
                reason="Not mine to judge",
            )
        assert version(session, version_id).status is VersionStatus.SUBMITTED
        done = workflow.approve(session=session, actor=cast.approver, version_id=version_id)
        assert done.decided_by_user_id == cast.approver.user_id != done.author_user_id

    @pytest.mark.parametrize("who", ["author", "auditor"])
    def test_only_approvers_decide(self, session: Session, cast: Cast, who: str) -> None:
        version_id = submitted(session, cast, cast.second_author)
        with pytest.raises(NotAllowed):
            workflow.approve(session=session, actor=getattr(cast, who), version_id=version_id)
        assert version(session, version_id).status is VersionStatus.SUBMITTED

    def test_a_version_is_approved_once(self, session: Session, cast: Cast) -> None:
        version_id = submitted(session, cast)
        workflow.approve(session=session, actor=cast.approver, version_id=version_id)
        with pytest.raises(InvalidTransition):
            workflow.approve(session=session, actor=cast.author_approver, version_id=version_id)
        assert version(session, version_id).decided_by_user_id == cast.approver.user_id

    def test_a_draft_cannot_be_approved(self, session: Session, cast: Cast) -> None:
        version_id = draft_for(session, cast)
        complete_draft(session, cast.author, version_id)
        with pytest.raises(InvalidTransition):
            workflow.approve(session=session, actor=cast.approver, version_id=version_id)

    def test_a_decision_on_a_stale_revision_is_refused(self, session: Session, cast: Cast) -> None:
        version_id = submitted(session, cast)  # revision 2
        with pytest.raises(StaleVersion):
            workflow.approve(
                session=session, actor=cast.approver, version_id=version_id, expected_revision=1
            )
        with pytest.raises(StaleVersion):
            workflow.return_version(
                session=session,
                actor=cast.approver,
                version_id=version_id,
                reason="Why",
                expected_revision=1,
            )
        assert version(session, version_id).status is VersionStatus.SUBMITTED


class TestReturnReopenWithdraw:
    @pytest.mark.parametrize("reason", ["", "   \n", "x" * (workflow.MAX_REASON + 1)])
    def test_a_return_needs_a_reason(self, session: Session, cast: Cast, reason: str) -> None:
        version_id = submitted(session, cast)
        with pytest.raises(ValidationFailed) as refused:
            workflow.return_version(
                session=session, actor=cast.approver, version_id=version_id, reason=reason
            )
        assert set(refused.value.errors) == {"reason"}
        assert version(session, version_id).status is VersionStatus.SUBMITTED

    def test_returned_then_reopened_then_resubmitted(self, session: Session, cast: Cast) -> None:
        version_id = submitted(session, cast)
        back = workflow.return_version(
            session=session,
            actor=cast.approver,
            version_id=version_id,
            reason="  Say what stops to make room.  ",
            expected_revision=2,
        )
        assert (back.status, back.decision_reason, back.decided_by_user_id) == (
            VersionStatus.RETURNED,
            "Say what stops to make room.",
            cast.approver.user_id,
        )
        with pytest.raises(InvalidTransition):
            answer(session, version_id, "stress-risk", "lowers-or-no-change", actor=cast.author)

        again = workflow.reopen(session=session, actor=cast.second_author, version_id=version_id)
        assert (again.status, again.content_hash) == (VersionStatus.DRAFT, None)
        answer(
            session, version_id, "what-is-stopped", "The weekly planning return.", actor=cast.author
        )
        sent = workflow.submit(session=session, actor=cast.author, version_id=version_id)
        assert sent.status is VersionStatus.SUBMITTED
        assert (sent.decision_reason, sent.decided_by_user_id, sent.decided_at) == ("", None, None)

    def test_only_a_returned_version_is_reopened(self, session: Session, cast: Cast) -> None:
        version_id = submitted(session, cast)
        with pytest.raises(InvalidTransition):
            workflow.reopen(session=session, actor=cast.author, version_id=version_id)
        workflow.return_version(
            session=session, actor=cast.approver, version_id=version_id, reason="Why?"
        )
        with pytest.raises(NotAllowed):
            workflow.reopen(session=session, actor=cast.approver, version_id=version_id)

    @pytest.mark.parametrize("returned", [False, True])
    def test_a_draft_or_a_returned_version_is_withdrawn(
        self, session: Session, cast: Cast, returned: bool
    ) -> None:
        if returned:
            version_id = submitted(session, cast)
            workflow.return_version(
                session=session, actor=cast.approver, version_id=version_id, reason="Start again"
            )
        else:
            version_id = draft_for(session, cast)
        gone = workflow.withdraw(
            session=session, actor=cast.author, version_id=version_id, reason="Not needed"
        )
        assert gone.status is VersionStatus.WITHDRAWN
        with pytest.raises(InvalidTransition):
            answer(session, version_id, "stress-risk", "lowers-or-no-change", actor=cast.author)
        with pytest.raises(InvalidTransition):
            workflow.reopen(session=session, actor=cast.author, version_id=version_id)

    @pytest.mark.parametrize("state", ["submitted", "approved"])
    def test_a_submitted_or_approved_version_is_not_withdrawn(
        self, session: Session, cast: Cast, state: str
    ) -> None:
        version_id = submitted(session, cast) if state == "submitted" else approved(session, cast)
        with pytest.raises(InvalidTransition):
            workflow.withdraw(
                session=session, actor=cast.author, version_id=version_id, reason="Not needed"
            )
        assert version(session, version_id).status.value == state

    def test_someone_who_may_not_decide_is_refused_before_being_asked_for_a_reason(
        self, session: Session, cast: Cast
    ) -> None:
        version_id = submitted(session, cast)
        for actor in (cast.auditor, cast.author):
            with pytest.raises(NotAllowed):
                workflow.return_version(
                    session=session, actor=actor, version_id=version_id, reason=""
                )


class TestRevise:
    def test_revising_copies_the_approved_content_into_a_new_draft(
        self, session: Session, cast: Cast
    ) -> None:
        first = approved(session, cast)
        before = view(session, first)
        draft = workflow.revise(session=session, actor=cast.second_author, version_id=first)
        assert draft.id is not None
        assert (draft.number, draft.status, draft.author_user_id) == (
            2,
            VersionStatus.DRAFT,
            cast.second_author.user_id,
        )
        copy = view(session, draft.id)
        assert workflow.content_hash(copy) == before.version.content_hash
        assert {a.id for a in copy.answers.values()}.isdisjoint(
            a.id for a in before.answers.values()
        )
        assert copy.answers[FLAGGED[1]].justification != ""
        assert [e.staff_count for e in copy.estimates.values()] == [12]
        assert [a.question_ids for a in copy.actions] == [[FLAGGED[0]]]

        answer(session, draft.id, "stress-risk", "beyond-capacity", actor=cast.second_author)
        add(session, cast.second_author, draft.id, ["stress-risk"], status=ActionStatus.DONE)
        assert workflow.content_hash(view(session, first)) == before.version.content_hash
        assert version(session, first).status is VersionStatus.APPROVED

    def test_a_revision_is_refused_while_a_version_is_open(
        self, session: Session, cast: Cast
    ) -> None:
        first = approved(session, cast)
        draft = workflow.revise(session=session, actor=cast.author, version_id=first)
        assert draft.id is not None
        with pytest.raises(InvalidTransition):
            workflow.revise(session=session, actor=cast.author, version_id=first)
        with pytest.raises(InvalidTransition):
            workflow.revise(session=session, actor=cast.author, version_id=draft.id)
        workflow.withdraw(
            session=session, actor=cast.author, version_id=draft.id, reason="Not needed"
        )
        third = workflow.revise(session=session, actor=cast.author, version_id=first)
        assert third.number == 3

    def test_approving_the_next_version_supersedes_the_last(
        self, session: Session, cast: Cast
    ) -> None:
        first = approved(session, cast)
        draft = workflow.revise(session=session, actor=cast.second_author, version_id=first)
        assert draft.id is not None
        workflow.submit(session=session, actor=cast.second_author, version_id=draft.id)
        seq = last_seq(session)
        workflow.approve(session=session, actor=cast.author_approver, version_id=draft.id)
        statuses = [
            v.status
            for v in version_queries.versions_of_assessment(
                session, version(session, first).assessment_id
            )
        ]
        assert statuses == [VersionStatus.SUPERSEDED, VersionStatus.APPROVED]
        events = events_since(session, seq)
        assert [(e.entity_id, e.action) for e in events] == [
            (first, "superseded"),
            (draft.id, "approved"),
        ]
        with pytest.raises(InvalidTransition):
            workflow.revise(session=session, actor=cast.author, version_id=first)


def test_every_change_of_state_is_audited_in_order(session: Session, cast: Cast) -> None:
    seq = last_seq(session)
    first = submitted(session, cast)
    workflow.return_version(session=session, actor=cast.approver, version_id=first, reason="No")
    workflow.reopen(session=session, actor=cast.author, version_id=first)
    workflow.submit(session=session, actor=cast.author, version_id=first)
    workflow.approve(session=session, actor=cast.approver, version_id=first)
    second = workflow.revise(session=session, actor=cast.author, version_id=first)
    assert second.id is not None
    workflow.withdraw(session=session, actor=cast.author, version_id=second.id, reason="Not needed")

    events = events_since(session, seq, "assessment_version")
    assert [(e.entity_id, e.action) for e in events] == [
        (first, "started"),
        (first, "submitted"),
        (first, "returned"),
        (first, "draft"),
        (first, "submitted"),
        (first, "approved"),
        (second.id, "revised"),
        (second.id, "withdrawn"),
    ]
    assert [e.actor_user_id for e in events][2] == cast.approver.user_id
    assert '"reason":"No"' in events[2].changes
    edits = events_since(session, seq, "answer")
    assert len([e for e in edits if e.action == "saved"]) == len(QUESTIONS)
    assert audit.verify(session, chain=LOCAL_TRUST_ID).intact
