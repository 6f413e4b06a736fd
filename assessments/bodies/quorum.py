"""How a body decides: the rule that says how many of its members' approvals approve a version,
and where a version put to it stands. A return by any one member sends it back at once; nobody
who contributed to the version counts towards the rule, or is counted in "all"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments.bodies import queries as body_queries
from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Role
from assessments.models import (
    ApprovingBody,
    AssessmentVersion,
    DecisionRule,
    MemberDecision,
    MemberVote,
    Policy,
)
from assessments.people import queries as people_queries

DECIDED_BY = 120  # AssessmentVersion.decided_by's length


def rule_in_words(body: ApprovingBody) -> str:
    """The rule as its pages say it: "any one member", "2 members", "every member"."""
    if body.rule is DecisionRule.ONE:
        return "any one member"
    if body.rule is DecisionRule.ALL:
        return "every member"
    return f"{body.quorum} members"


@dataclass(frozen=True)
class Standing:
    """Where a submitted version stands with the body that decides on it."""

    body: ApprovingBody
    needed: int  # approvals that approve it
    may_decide: tuple[str, ...]  # the names of the members who may decide on it
    approvals: tuple[MemberDecision, ...]  # by members who may still decide, in order

    @property
    def met(self) -> bool:
        return len(self.approvals) >= self.needed

    @property
    def still_needed(self) -> int:
        return max(self.needed - len(self.approvals), 0)

    @property
    def reachable(self) -> bool:
        """Whether enough members may decide for the rule ever to be met."""
        return len(self.may_decide) >= self.needed

    def approved_by(self) -> str:
        """The body and its approving members, as the version's record (120 characters) names
        who decided: its members' names alone where both are too long, else how many (the
        member decisions and the audit trail keep every name)."""
        names = ", ".join(decision.name for decision in self.approvals)
        for said in (f"{self.body.name}: {names}", names):
            if len(said) <= DECIDED_BY:
                return said
        count = f": {len(self.approvals)} members"
        return self.body.name[: DECIDED_BY - len(count)] + count


def body_of(session: Session, policy: Policy) -> ApprovingBody | None:
    """The body that decides on the policy's assessments, if it names one."""
    if policy.approving_body_id is None:
        return None
    return body_queries.get_body(session, policy.approving_body_id)


def approved_by(session: Session, policy: Policy) -> str:
    """Who decides on the policy's assessments, as its page says it."""
    body = body_of(session, policy)
    if body is None:
        return "Any one approver for its school"
    return f"{body.name}, by {rule_in_words(body)}"


def standing(session: Session, version: AssessmentVersion, policy: Policy) -> Standing | None:
    """Where the version's current submission stands with its policy's body (None: the policy
    names no body, and any one approver decides)."""
    body = body_of(session, policy)
    if body is None:
        return None
    assert body.id is not None and version.id is not None
    qualified = {
        user.id: user.name
        for user in people_queries.holders_of(
            session, trust_id=policy.trust_id, role=Role.APPROVER, school_id=policy.school_id
        )
    }
    contributed: set[int | None] = {
        c.user_id for c in version_queries.contributors_of(session, version.id)
    }
    contributed.add(version.author_user_id)
    may_decide = {
        member.id: member.name
        for member in body_queries.members_of(session, body.id)
        if member.id in qualified and member.id not in contributed
    }
    approvals = tuple(
        decision
        for decision in body_queries.decisions_on(session, version.id, version.submitted_at)
        if decision.vote is MemberVote.APPROVE
        and decision.body_id == body.id
        and decision.user_id in may_decide
    )
    needed = {
        DecisionRule.ONE: 1,
        DecisionRule.NUMBER: body.quorum,
        DecisionRule.ALL: max(len(may_decide), 1),
    }[body.rule]
    return Standing(body, needed, tuple(may_decide.values()), approvals)
