"""The queries of schools and policies."""

from __future__ import annotations

from sqlmodel import Session, col, select

from assessments.kernel.errors import NotFound
from assessments.models import (
    Policy,
    School,
)


def list_schools(
    session: Session, trust_id: int, only: frozenset[int] | None = None
) -> list[School]:
    """A trust's schools by name; with `only`, just those (None means every school)."""
    query = select(School).where(School.trust_id == trust_id)
    if only is not None:
        query = query.where(col(School.id).in_(only))
    return list(session.exec(query.order_by(col(School.name))))


def school_by_name(session: Session, trust_id: int, name: str) -> School | None:
    query = select(School).where(School.trust_id == trust_id, School.name == name)
    return session.exec(query).first()


def get_school(session: Session, school_id: int) -> School | None:
    return session.get(School, school_id)


def list_policies(
    session: Session, trust_id: int, schools: frozenset[int] | None = None, text: str = ""
) -> list[Policy]:
    """A trust's policies by reference: its trust-wide ones and, with `schools`, only those
    schools' own (None means every school's); with `text`, those whose reference, title or
    owner contains it (in any case; % and _ are only themselves)."""
    query = select(Policy).where(Policy.trust_id == trust_id)
    if schools is not None:
        query = query.where(col(Policy.school_id).is_(None) | col(Policy.school_id).in_(schools))
    if text:
        query = query.where(
            col(Policy.reference).icontains(text, autoescape=True)
            | col(Policy.title).icontains(text, autoescape=True)
            | col(Policy.owner).icontains(text, autoescape=True)
        )
    return list(session.exec(query.order_by(col(Policy.reference))))


def policy_by_reference(session: Session, trust_id: int, reference: str) -> Policy | None:
    query = select(Policy).where(Policy.trust_id == trust_id, Policy.reference == reference)
    return session.exec(query).first()


def get_policy(session: Session, policy_id: int, *, for_update: bool = False) -> Policy:
    policy = session.get(
        Policy, policy_id, with_for_update=for_update, populate_existing=for_update
    )
    if policy is None:
        raise NotFound(f"There is no policy {policy_id}")
    return policy
