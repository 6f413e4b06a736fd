"""What the tests of deciding as a body share: the cast of a school and the trust's standards
committee, which approves by two of its members (Committee); an approval or a return by one
person, where a version stands against its body's rule, every member's decision and vote on it,
and what waits in a person's queue to decide on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select

from assessments.bodies.quorum import Standing, standing
from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Actor
from assessments.models import (
    ApprovingBody,
    DecisionRule,
    MemberDecision,
    MemberVote,
    VersionStatus,
)
from assessments.workflow import review, transitions as workflow
from tests.assessments.body_cases import STANDARDS, add_body, add_members
from tests.factories.people import Cast, make_approver, make_cast
from tests.factories.versions import RETURN_REASON, version


@dataclass(frozen=True)
class Committee:
    """The cast of a school, and the trust's standards committee, which approves by two of
    its members: Pat Approver, Gil Governor and Bea Both (an author at the school, too)."""

    cast: Cast
    body: ApprovingBody
    governor: Actor  # Gil Governor, a trust-wide approver and a member
    outsider: Actor  # Nia Nonmember, a trust-wide approver but no member

    @property
    def pat(self) -> Actor:
        return self.cast.approver

    @property
    def bea(self) -> Actor:
        return self.cast.author_approver


@pytest.fixture
def committee(session: Session) -> Committee:
    cast = make_cast(session)
    governor = make_approver(session, "Gil Governor")
    body = add_body(session, STANDARDS, rule=DecisionRule.NUMBER, quorum=2)
    add_members(session, body, cast.approver, governor, cast.author_approver)
    return Committee(cast, body, governor, make_approver(session, "Nia Nonmember"))


def approve(session: Session, actor: Actor, version_id: int, **said: Any) -> VersionStatus:
    return workflow.approve(session=session, actor=actor, version_id=version_id, **said).status


def send_back(session: Session, actor: Actor, version_id: int, **said: Any) -> VersionStatus:
    said = {"reason": RETURN_REASON, **said}
    return workflow.return_version(
        session=session, actor=actor, version_id=version_id, **said
    ).status


def where_it_stands(session: Session, version_id: int) -> Standing:
    row = version(session, version_id)
    found = standing(session, row, version_queries.policy_of_version(session, row))
    assert found is not None
    return found


def decisions(session: Session, version_id: int) -> list[MemberDecision]:
    """Every member's decision on the version, on any submission, in the order made."""
    query = select(MemberDecision).where(MemberDecision.version_id == version_id)
    return list(session.exec(query.order_by(col(MemberDecision.id))))


def votes(session: Session, version_id: int) -> list[tuple[str, MemberVote]]:
    return [(d.name, d.vote) for d in decisions(session, version_id)]


def queue_of(session: Session, actor: Actor) -> list[int | None]:
    return [a.version.id for a in review.approval_queue(session=session, actor=actor)]
