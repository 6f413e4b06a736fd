"""Random sequences of edits and decisions by random people on one policy's assessment never
break the workflow's promises: approved content never changes, at most one version is approved,
nobody decides on a version they contributed to (the authors here are approvers too, so only
the rule stops them), and the audit trail holds. Run twice: with any one approver deciding,
and with the policy naming a committee that approves by two of its members (everyone who may
approve is one), where an approval approves only once a second member has approved too.

Each rule (workflow_machine_cases.py) also checks that it was refused exactly when the rules of
the workflow say so."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, run_state_machine_as_test
from sqlmodel import Session

from assessments.bodies import keeping, queries as body_queries
from assessments.bodies.schemas import BodyDetails
from assessments.drafting import queries as version_queries
from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.models import MemberVote, VersionStatus
from assessments.workflow import transitions as workflow
from tests.assessments.workflow_machine_cases import (
    APPROVERS,
    FROZEN,
    OPEN,
    WorkflowMoves,
    reached,
    snapshot,
)
from tests.factories.people import make_person
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_school
from tests.factories.versions import view

pytestmark = pytest.mark.usefixtures("rubric_published")


class WorkflowMachine(WorkflowMoves):
    """The workflow's moves, and the promises that hold after each of them."""

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def approved_content_never_changes(self) -> None:
        self.session.expire_all()  # compare what the database holds, not what is remembered
        for row in self.versions():
            if row.status in FROZEN:
                assert row.id is not None and row.id in self.frozen
                assert snapshot(self.session, row.id) == self.frozen[row.id]
                assert row.content_hash == workflow.content_hash(view(self.session, row.id))

    @invariant()
    def one_approved_version_the_newest_decided(self) -> None:
        rows = self.versions()
        assert [r.number for r in rows] == list(range(1, len(rows) + 1))
        approved = [r.number for r in rows if r.status is VersionStatus.APPROVED]
        superseded = [r.number for r in rows if r.status is VersionStatus.SUPERSEDED]
        assert len(approved) <= 1
        assert not superseded or (approved and max(superseded) < approved[0])
        assert len([r for r in rows if r.status in OPEN]) <= 1

    @invariant()
    def nobody_decided_on_a_version_they_contributed_to(self) -> None:
        for row in self.versions():
            assert row.id is not None
            recorded = {c.user_id for c in version_queries.contributors_of(self.session, row.id)}
            assert recorded == {self.people[who].user_id for who in self.prepared[row.id]}
            if row.status in FROZEN:
                assert row.decided_by_user_id is not None
            if row.decided_by_user_id is not None:
                assert row.decided_by_user_id not in recorded
                assert row.decided_by_user_id != row.author_user_id

    @invariant()
    def a_committee_approved_by_two_members(self) -> None:
        """Each approved version of the committee's policy was approved, on the submission that
        was approved, by as many members as its rule asks, none of whom prepared it."""
        if self.quorum == 1:
            return
        for row in self.versions():
            if row.status in FROZEN:
                assert row.id is not None
                decisions = body_queries.decisions_on(self.session, row.id, row.submitted_at)
                approving = {d.user_id for d in decisions if d.vote is MemberVote.APPROVE}
                assert len(approving) == self.quorum, decisions
                prepared = {self.people[who].user_id for who in self.prepared[row.id]}
                assert not approving & prepared

    @invariant()
    def audit_trail_intact(self) -> None:
        assert audit.verify(self.session, chain=LOCAL_TRUST_ID).intact


@pytest.mark.parametrize("decided_by", ["any one approver", "a committee of two"])
def test_random_workflows_keep_their_promises(session: Session, decided_by: str) -> None:
    school = make_school(session)
    author_here = Grant(Role.AUTHOR, school.id)
    people = {
        "author": make_person(session, "Ann Author", author_here, Grant(Role.APPROVER)),
        "second author": make_person(session, "Sam Second", author_here, Grant(Role.APPROVER)),
        "approver": make_person(session, "Pat Approver", Grant(Role.APPROVER)),
        "governor": make_person(session, "Gil Governor", Grant(Role.APPROVER)),
        "auditor": make_person(session, "Aud Auditor", Grant(Role.AUDITOR)),
    }
    assert school.id is not None
    school_id = school.id
    body = None
    if decided_by == "a committee of two":
        body = keeping.create_body(
            session=session,
            actor=AUTHOR,
            data=BodyDetails(name="Standards committee", kind="committee", rule="number", quorum=2),
        )
        for who in APPROVERS:
            user_id = people[who].user_id
            assert body.id is not None and user_id is not None
            keeping.add_member(session=session, actor=AUTHOR, body_id=body.id, user_id=user_id)
    reached.clear()

    class OnThisSession(WorkflowMachine):
        def __init__(self) -> None:
            super().__init__(session, people, school_id, body)

    run_state_machine_as_test(
        OnThisSession,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            # The same examples every run: random ones sometimes never returned a version
            # (CI at 6a4ae4f), and the check below would then fail for want of coverage.
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The examples went far enough for the promises about approved versions to be tested.
    outcomes = ["returned", "reopened", "superseded"]
    if body is not None:
        outcomes.append("member-approved")
    assert min(reached[name] for name in outcomes) > 0, reached
