"""Use-cases of a consultation's life, by the authors of its policy: open it on a draft
(inviting its staff by email, each with a link of their own), and close it. Its answers are
given through the links (answering.py), with no account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session

from assessments.consultations import queries
from assessments.consultations.invitees import Scope, read_invitees
from assessments.consultations.schemas import ConsultationOpen
from assessments.drafting import queries as version_queries
from assessments.kernel import audit, clock
from assessments.kernel.actors import Actor, Role, require, require_sight
from assessments.kernel.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from assessments.kernel.text import brief
from assessments.models import (
    AssessmentVersion,
    Consultation,
    ConsultationInvitation,
    NotificationKind,
    Policy,
    VersionStatus,
)
from assessments.notifications.outbox import Letter, write_letters
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries
from assessments.rubrics import queries as rubric_queries

LONGEST = timedelta(days=92)  # a term: longer, and the draft it asks about has moved on
EARLIEST_AHEAD = timedelta(days=366)
NOT_A_DRAFT = "Staff are consulted on a draft, before it is submitted"


class Standing(StrEnum):
    NOT_OPEN = "not-open"  # its first day is to come
    OPEN = "open"
    CLOSED = "closed"  # closed early by its author, or past its last day


def standing(consultation: Consultation, today: date) -> Standing:
    if consultation.closed_at is not None or today > consultation.closes_on:
        return Standing.CLOSED
    return Standing.NOT_OPEN if today < consultation.opens_on else Standing.OPEN


def authors_version(
    session: Session, actor: Actor, version_id: int, *, for_update: bool = True
) -> tuple[AssessmentVersion, Policy]:
    """A version, for a change by one of its policy's authors (locked, unless only read)."""
    version = version_queries.get_version(session, version_id, for_update=for_update)
    policy = version_queries.policy_of_version(session, version)
    what = f"assessment version {version_id}"
    require(actor, Role.AUTHOR, trust_id=policy.trust_id, school_id=policy.school_id, what=what)
    return version, policy


def scope_of(session: Session, version: AssessmentVersion, policy: Policy) -> Scope:
    rubric = rubric_queries.rubric_of_version(session, version)
    schools = policy_queries.list_schools(session, policy.trust_id)
    return Scope(rubric=rubric, schools=schools, policy_school_id=policy.school_id)


@dataclass(frozen=True)
class ToConsult:
    """A draft its staff may be consulted on, and who may be asked (its rubric's groups, and
    where the policy applies)."""

    version: AssessmentVersion
    policy: Policy
    scope: Scope


def draft_to_consult(*, session: Session, actor: Actor, version_id: int) -> ToConsult:
    """The draft, for the form that opens a consultation on it (its school's authors)."""
    version, policy = authors_version(session, actor, version_id, for_update=False)
    if version.status not in VersionStatus.EDITABLE:
        raise InvalidTransition(NOT_A_DRAFT)
    return ToConsult(version, policy, scope_of(session, version, policy))


def _check_dates(data: ConsultationOpen, today: date) -> None:
    if data.opens_on < today:
        raise ValidationFailed({"opens_on": "Enter a first day of today or later"})
    if data.opens_on > today + EARLIEST_AHEAD:
        raise ValidationFailed({"opens_on": "Enter a first day within a year from today"})
    if data.closes_on < data.opens_on:
        raise ValidationFailed({"closes_on": "Enter a last day on or after its first day"})
    if data.closes_on - data.opens_on > LONGEST:
        raise ValidationFailed(
            {"closes_on": f"Enter a last day within {LONGEST.days} days of its first"}
        )


def open_consultation(
    *, session: Session, actor: Actor, version_id: int, data: ConsultationOpen, today: date
) -> Consultation:
    """Ask the staff listed about a draft (its school's authors): each is emailed a link of
    their own. One consultation at a time on a version; audited with how many were asked."""
    version, policy = authors_version(session, actor, version_id)
    if version.status not in VersionStatus.EDITABLE:
        raise InvalidTransition(NOT_A_DRAFT)
    assert version.id is not None
    if any(
        standing(c, today) is not Standing.CLOSED
        for c in queries.consultations_of_version(session, version.id)
    ):
        raise Conflict("This draft's staff are being consulted already: close that first")
    _check_dates(data, today)
    invitees = read_invitees(data.invitees, scope_of(session, version, policy))
    consultation = Consultation(
        trust_id=policy.trust_id,
        version_id=version.id,
        opened_by_user_id=actor.user_id,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        summary=data.summary,
        staff_groups=sorted({invitee.staff_group for invitee in invitees}),
    )
    session.add(consultation)
    session.flush()
    assert consultation.id is not None
    invitations = [
        ConsultationInvitation(
            consultation_id=consultation.id,
            email=invitee.email,
            school_id=invitee.school_id,
            staff_group=invitee.staff_group,
        )
        for invitee in invitees
    ]
    session.add_all(invitations)
    session.flush()
    _invite(session, policy, consultation, invitations)
    audit.record(
        session,
        actor,
        entity="consultation",
        entity_id=consultation.id,
        action="opened",
        details={  # counts, never addresses: the record outlives anyone's right to be in it
            "version_id": version.id,
            "opens_on": data.opens_on,
            "closes_on": data.closes_on,
            "invited": len(invitations),
            "staff_groups": consultation.staff_groups,
        },
    )
    return consultation


def _invite(
    session: Session,
    policy: Policy,
    consultation: Consultation,
    invitations: list[ConsultationInvitation],
) -> None:
    trust = people_queries.get_trust(session, policy.trust_id)
    assert trust is not None
    facts = {
        "purpose": "invitation",
        "trust": trust.name,
        "policy": f"{policy.reference}: {policy.title}",
        "summary": brief(consultation.summary, 1000),
        "closes_on": consultation.closes_on.isoformat(),
    }
    subject = brief(f"Your views on a draft: {policy.title}", 200)
    letters = [
        Letter(invitation.email, subject, {**facts, "invitation_id": invitation.id})
        for invitation in invitations
    ]
    write_letters(session, policy.trust_id, NotificationKind.CONSULTATION, letters)


def close_consultation(
    *, session: Session, actor: Actor, consultation_id: int, today: date
) -> Consultation:
    """Close it before its last day (its policy's authors): its links take no more answers."""
    consultation, _ = consultation_of_authors(session, actor, consultation_id)
    if standing(consultation, today) is Standing.CLOSED:
        raise InvalidTransition("This consultation is closed already")
    consultation.closed_at = clock.now()
    consultation.revision += 1
    session.add(consultation)
    invited, answered = queries.invitation_counts(session, consultation_id)
    audit.record(
        session,
        actor,
        entity="consultation",
        entity_id=consultation_id,
        action="closed",
        details={"invited": invited, "answered": answered},
    )
    return consultation


def consultation_of_authors(
    session: Session, actor: Actor, consultation_id: int
) -> tuple[Consultation, Policy]:
    """A consultation, locked for a change by one of its policy's authors, and its policy."""
    consultation = consultation_seen(session, actor, consultation_id, for_update=True)
    version = version_queries.get_version(session, consultation.version_id)
    policy = version_queries.policy_of_version(session, version)
    what = f"consultation {consultation_id}"
    require(actor, Role.AUTHOR, trust_id=policy.trust_id, school_id=policy.school_id, what=what)
    return consultation, policy


def consultation_seen(
    session: Session, actor: Actor, consultation_id: int, *, for_update: bool = False
) -> Consultation:
    """A consultation the actor may see (anyone who may see its policy)."""
    consultation = queries.get_consultation(session, consultation_id, for_update=for_update)
    what = f"consultation {consultation_id}"
    if consultation is None:
        raise NotFound(f"There is no {what}")
    version = version_queries.get_version(session, consultation.version_id)
    policy = version_queries.policy_of_version(session, version)
    require_sight(actor, trust_id=policy.trust_id, school_id=policy.school_id, what=what)
    return consultation
