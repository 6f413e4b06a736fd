"""The queries of approving bodies, their members and their members' decisions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, func, select

from assessments.models import ApprovingBody, BodyMember, MemberDecision, Policy, User


def bodies_of_trust(session: Session, trust_id: int) -> list[ApprovingBody]:
    query = select(ApprovingBody).where(ApprovingBody.trust_id == trust_id)
    return list(session.exec(query.order_by(col(ApprovingBody.name))))


def get_body(session: Session, body_id: int, *, for_update: bool = False) -> ApprovingBody | None:
    return session.get(
        ApprovingBody, body_id, with_for_update=for_update, populate_existing=for_update
    )


def members_of(session: Session, body_id: int) -> list[User]:
    """The body's members, by name."""
    query = (
        select(User)
        .join(BodyMember, col(BodyMember.user_id) == User.id)
        .where(BodyMember.body_id == body_id)
        .order_by(col(User.name), col(User.id))
    )
    return list(session.exec(query))


def membership(session: Session, body_id: int, user_id: int) -> BodyMember | None:
    query = select(BodyMember).where(BodyMember.body_id == body_id, BodyMember.user_id == user_id)
    return session.exec(query).first()


def bodies_of_member(session: Session, user_id: int) -> set[int]:
    query = select(BodyMember.body_id).where(BodyMember.user_id == user_id)
    return set(session.exec(query))


def member_counts(session: Session, trust_id: int) -> dict[int, int]:
    """How many members each of the trust's bodies has (bodies with none left out)."""
    query = (
        select(BodyMember.body_id, func.count())
        .join(ApprovingBody, col(ApprovingBody.id) == BodyMember.body_id)
        .where(ApprovingBody.trust_id == trust_id)
        .group_by(col(BodyMember.body_id))
    )
    return {body_id: count for body_id, count in session.exec(query)}


def policies_naming(session: Session, body_id: int) -> list[Policy]:
    query = select(Policy).where(Policy.approving_body_id == body_id)
    return list(session.exec(query.order_by(col(Policy.reference))))


def decisions_on(
    session: Session, version_id: int, submitted_at: datetime | None
) -> list[MemberDecision]:
    """The members' decisions on one submission of the version, in the order made."""
    query = select(MemberDecision).where(
        MemberDecision.version_id == version_id, MemberDecision.submitted_at == submitted_at
    )
    return list(session.exec(query.order_by(col(MemberDecision.id))))


def decided_by_member(
    session: Session, user_id: int, versions: Iterable[tuple[int, datetime | None]]
) -> set[int]:
    """Of the (version, submission) pairs, the versions the member has decided on already."""
    wanted = {version_id: submitted for version_id, submitted in versions}
    if not wanted:
        return set()
    query = select(MemberDecision.version_id, MemberDecision.submitted_at).where(
        MemberDecision.user_id == user_id, col(MemberDecision.version_id).in_(sorted(wanted))
    )
    return {
        version_id
        for version_id, submitted in session.exec(query)
        if submitted == wanted[version_id]
    }
