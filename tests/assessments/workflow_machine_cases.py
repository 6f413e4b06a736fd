"""The moves of the workflow's state machine (test_workflow_state_machine.py): random edits and
decisions by random people on one policy's assessment, in a savepoint rolled back after each
example; each rule checks that it was refused exactly when the rules of the workflow say so,
and counts the outcomes the examples reached."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from sqlmodel import Session

from assessments.drafting import queries as version_queries, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.actors import Actor
from assessments.kernel.errors import DomainError
from assessments.models import ActionStatus, ApprovingBody, AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from tests.factories.answers import FLAGGED, QUESTIONS, add, answer, high_answer, low_answer
from tests.factories.audit import events_since, last_seq
from tests.factories.trusts import RUBRIC
from tests.factories.versions import complete_draft, make_draft, version, view

AUTHORS = ("author", "second author")  # both also hold the approver role, trust-wide
APPROVERS = ("author", "second author", "approver", "governor")
actors = st.sampled_from(("author", "second author", "approver", "auditor"))
picks = st.integers(min_value=0, max_value=3)  # 0 is the latest version, 1 the one before…
stale = st.booleans()
FROZEN = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
OPEN = (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.RETURNED)
reached: Counter[str] = Counter()  # the outcomes the examples reached, across the run


def snapshot(session: Session, version_id: int) -> tuple[Any, ...]:
    """Everything about a version that approval freezes, as the database holds it now."""
    row = version(session, version_id)
    answers = version_queries.answers_of_version(session, version_id)
    estimates = version_queries.estimates_of_version(session, version_id)
    actions = version_queries.actions_of_version(session, version_id)
    return (
        row.number,
        row.content_hash,
        row.author_user_id,
        row.submitted_at,
        row.decided_at,
        row.decided_by_user_id,
        row.review_due,
        row.rubric_version_id,
        sorted(
            (a.question_id, a.value, a.comment, a.justification, a.revision)
            for a in answers.values()
        ),
        sorted(
            (e.staff_group, e.hours_per_term, e.staff_count, e.note, e.revision)
            for e in estimates.values()
        ),
        [a.model_dump() for a in actions],
    )


class WorkflowMoves(RuleBasedStateMachine):
    def __init__(
        self,
        session: Session,
        people: dict[str, Actor],
        school_id: int,
        body: ApprovingBody | None,
    ) -> None:
        super().__init__()
        self.session, self.people = session, people
        self.savepoint = session.begin_nested()  # rolled back after each example
        first = make_draft(session, actor=people["author"], school_id=school_id)
        # The committee's rule: the approvals that approve (1 where the policy names none).
        self.quorum = 1
        if body is not None:
            policy = version_queries.policy_of_version(session, first)
            policy.approving_body_id, self.quorum = body.id, body.quorum
            session.add(policy)
            session.flush()
        self.approvals: dict[int, set[str]] = {}  # the members' approvals of each submission
        self.assessment_id = first.assessment_id
        self.frozen: dict[int, tuple[Any, ...]] = {}
        assert first.id is not None
        # Who changed (or submitted) each version's content, as the rules saw it happen.
        self.prepared: dict[int, set[str]] = {first.id: {"author"}}

    def teardown(self) -> None:
        self.savepoint.rollback()

    # --- helpers ---------------------------------------------------------------------------

    def versions(self) -> list[AssessmentVersion]:
        return version_queries.versions_of_assessment(self.session, self.assessment_id)

    def pick(self, index: int) -> AssessmentVersion:
        latest_first = self.versions()[::-1]
        return latest_first[index % len(latest_first)]

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run a use-case as a request does: all of it, or (on a refusal) none of it."""
        try:
            with self.session.begin_nested():
                action()
        except DomainError:
            return False
        return True

    def edit(self, who: str, index: int, change: Callable[[Actor, int], object]) -> None:
        """Make a change to a version: done exactly when it is a draft and `who` an author."""
        target = self.pick(index)
        assert target.id is not None
        version_id, allowed = target.id, target.status is VersionStatus.DRAFT and who in AUTHORS
        before = workflow.content_hash(view(self.session, version_id))
        done = self.attempt(lambda: change(self.people[who], version_id))
        assert done == allowed, (who, target.status)
        if done and workflow.content_hash(view(self.session, version_id)) != before:
            self.prepared[version_id].add(who)

    def decide(self, name: str, expected: bool, action: Callable[[], object], *events: str) -> bool:
        seq = last_seq(self.session)
        done = self.attempt(action)
        assert done == expected, name
        if done:
            reached[name] += 1
            recorded = [e.action for e in events_since(self.session, seq)]
            assert recorded == list(events), (name, recorded)
        return done

    # --- rules -----------------------------------------------------------------------------

    @initialize(filled=st.booleans())
    def maybe_fill_in(self, filled: bool) -> None:
        if filled:
            self.edit("author", 0, self.filling(FLAGGED))

    def filling(self, flagged: tuple[str, ...]) -> Callable[[Actor, int], object]:
        return lambda actor, v: complete_draft(self.session, actor, v, flagged=flagged)

    @rule(who=actors, index=picks, data=st.data())
    def edit_draft(self, who: str, index: int, data: st.DataObject) -> None:
        """One of the changes an author makes to a draft, chosen at random."""
        change = data.draw(st.sampled_from(["answer", "action", "estimate", "fill in"]))
        if change == "answer":
            q = QUESTIONS[data.draw(st.sampled_from(sorted(QUESTIONS)))]
            value = data.draw(st.sampled_from([low_answer(q), high_answer(q), ""]))
            self.edit(
                who, index, lambda actor, v: answer(self.session, v, q.id, value, actor=actor)
            )
        elif change == "action":
            questions = data.draw(st.lists(st.sampled_from(FLAGGED), min_size=1))
            residual = data.draw(st.integers(RUBRIC.impact_scale.min, RUBRIC.impact_scale.max))
            status = data.draw(st.sampled_from(ActionStatus))
            self.edit(
                who,
                index,
                lambda actor, v: add(
                    self.session, actor, v, questions, residual=residual, status=status
                ),
            )
        elif change == "estimate":
            hours = WorkloadEstimateSave(
                hours_per_term=Decimal(data.draw(st.integers(-20, 20))), staff_count=3
            )
            self.edit(
                who,
                index,
                lambda actor, v: workload.save_workload_estimate(
                    session=self.session,
                    actor=actor,
                    version_id=v,
                    staff_group="teaching-assistants",
                    data=hours,
                ),
            )
        else:
            flagged = data.draw(st.sampled_from([(), FLAGGED, FLAGGED[1:]]))
            self.edit(who, index, self.filling(flagged))

    @rule(
        steps=st.integers(1, 6), who=actors, writer=st.sampled_from(AUTHORS), decline=st.booleans()
    )
    def progress(self, steps: int, who: str, writer: str, decline: bool) -> None:
        """Take the latest version along the usual path, `steps` times: `writer` completes,
        submits, reopens and revises; `who` decides, or the approver when `who` may not
        (returning it if they `decline`)."""
        for _ in range(steps):
            latest = self.pick(0)
            assert latest.id is not None
            if latest.status is VersionStatus.DRAFT:
                if workflow.submission_problems(view(self.session, latest.id)):
                    self.edit(writer, 0, self.filling(FLAGGED))
                else:
                    self.submit(writer, 0, False)
            elif latest.status is VersionStatus.SUBMITTED:
                # The approver steps in if `who` may not, and a governor if it needs two.
                for decider in (who, "approver", "governor", "second author", "author"):
                    if self.pick(0).status is VersionStatus.SUBMITTED and decline:
                        self.return_version(decider, 0, False, "Say what stops")
                    elif self.pick(0).status is VersionStatus.SUBMITTED:
                        self.approve(decider, 0, False)
            elif latest.status is VersionStatus.RETURNED:
                self.reopen(writer, 0)
            elif approved := [v for v in self.versions() if v.status is VersionStatus.APPROVED]:
                self.revise(writer, len(self.versions()) - approved[0].number)

    @rule(who=actors, index=picks, stale=stale)
    def submit(self, who: str, index: int, stale: bool) -> None:
        target = self.pick(index)
        assert target.id is not None
        version_id, revision = target.id, target.revision - stale
        ready = not workflow.submission_problems(view(self.session, version_id))
        expected = target.status is VersionStatus.DRAFT and who in AUTHORS and not stale and ready
        if self.decide(
            "submitted",
            expected,
            lambda: workflow.submit(
                session=self.session,
                actor=self.people[who],
                version_id=version_id,
                expected_revision=revision,
            ),
            "submitted",
        ):
            self.prepared[version_id].add(who)  # a submitter vouches for the content
            self.approvals[version_id] = set()  # decided afresh

    def _may_decide(self, who: str, target: AssessmentVersion, stale: bool) -> bool:
        return (
            target.status is VersionStatus.SUBMITTED
            and who in APPROVERS
            and who not in self.prepared[target.id or 0]
            and not stale
        )

    @rule(who=actors, index=picks, stale=stale)
    def approve(self, who: str, index: int, stale: bool) -> None:
        target = self.pick(index)
        assert target.id is not None
        version_id, revision = target.id, target.revision - stale
        given = self.approvals.get(version_id, set())
        expected = self._may_decide(who, target, stale) and who not in given
        final = len(given) + 1 >= self.quorum  # else one member's approval, recorded
        current = any(v.status is VersionStatus.APPROVED for v in self.versions())
        events = ["superseded"] if current and final else []
        if self.decide(
            "approved" if final else "member-approved",
            expected,
            lambda: workflow.approve(
                session=self.session,
                actor=self.people[who],
                version_id=version_id,
                expected_revision=revision,
                reason="Agreed by the full governing body",  # whatever its rating
            ),
            *events,
            "approved" if final else "member-approved",
        ):
            if not final:
                self.approvals[version_id] = {*given, who}
                return
            self.frozen[version_id] = snapshot(self.session, version_id)
            if events:
                reached["superseded"] += 1

    @rule(who=actors, index=picks, stale=stale, reason=st.sampled_from(["", "Say what stops"]))
    def return_version(self, who: str, index: int, stale: bool, reason: str) -> None:
        target = self.pick(index)
        assert target.id is not None
        version_id, revision = target.id, target.revision - stale
        self.decide(
            "returned",
            bool(reason) and self._may_decide(who, target, stale),
            lambda: workflow.return_version(
                session=self.session,
                actor=self.people[who],
                version_id=version_id,
                reason=reason,
                expected_revision=revision,
            ),
            "returned",
        )

    @rule(who=actors, index=picks)
    def reopen(self, who: str, index: int) -> None:
        target = self.pick(index)
        assert target.id is not None
        version_id, actor = target.id, self.people[who]
        expected = target.status is VersionStatus.RETURNED and who in AUTHORS
        self.decide(
            "reopened",
            expected,
            lambda: workflow.reopen(session=self.session, actor=actor, version_id=version_id),
            "draft",
        )

    @rule(who=actors, index=picks, sure=st.booleans())
    def withdraw(self, who: str, index: int, sure: bool) -> None:
        if not sure:  # half as often: after version 1 is withdrawn nothing else can happen
            return
        target = self.pick(index)
        assert target.id is not None
        version_id, actor = target.id, self.people[who]
        expected = target.status in (VersionStatus.DRAFT, VersionStatus.RETURNED)
        self.decide(
            "withdrawn",
            expected and who in AUTHORS,
            lambda: workflow.withdraw(
                session=self.session, actor=actor, version_id=version_id, reason="Not needed"
            ),
            "withdrawn",
        )

    @rule(who=actors, index=picks)
    def revise(self, who: str, index: int) -> None:
        target = self.pick(index)
        assert target.id is not None
        version_id, actor = target.id, self.people[who]
        expected = (
            target.status is VersionStatus.APPROVED
            and who in AUTHORS
            and not any(v.status in OPEN for v in self.versions())
        )
        if self.decide(
            "revised",
            expected,
            lambda: workflow.revise(session=self.session, actor=actor, version_id=version_id),
            "revised",
        ):
            copy = self.versions()[-1]
            assert copy.id is not None
            self.prepared[copy.id] = {*self.prepared[version_id], who}  # their work is in it
