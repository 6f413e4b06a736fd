"""A member of staff's link to a consultation: what they are asked (the change, and the hours
the author expects it to add for each group asked), and their answer, given once, with no
account. The answer is stored apart from the link: nothing written with it says whose it is,
and no audit event is written (its time would say). The invitation keeps only that it has been
used, so that it cannot be used again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from assessments.consultations import queries
from assessments.consultations.opening import Standing, standing
from assessments.consultations.schemas import AnswerGive
from assessments.drafting import queries as version_queries
from assessments.kernel.errors import InvalidTransition, NotFound
from assessments.models import (
    AssessmentVersion,
    Consultation,
    ConsultationAnswer,
    ConsultationInvitation,
    ConsultationTheme,
    Policy,
)
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries
from assessments.rubrics import queries as rubric_queries
from assessments.rubrics.scoring import SCHOOL_WEEKS_PER_YEAR

GONE = "This link does not lead to a consultation. Check it is the whole link from your email"
ANSWERED = "You have answered this consultation already: each link takes one answer"
CLOSED = "This consultation has closed: it takes no more answers"
NOT_OPEN = "This consultation opens on its first day: come back then"
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Prediction:
    """The author's estimate for one group asked, in hours a week per person (None: none)."""

    label: str
    hours_per_week: Decimal | None
    theirs: bool  # the group of the person following the link


@dataclass(frozen=True)
class LinkView:
    invitation_id: int  # whose link it is: for the answer, never stored with it
    consultation: Consultation
    policy: Policy
    trust_name: str
    school_name: str  # "" for the trust's central staff
    standing: Standing
    answered: bool
    predictions: list[Prediction]
    min_group: int  # the fewest answers a school's or staff group's figures are shown for
    themes: list[ConsultationTheme]  # what was done, once staff have been told (else none)


def _invitation(
    session: Session, invitation_id: int, *, for_update: bool = False
) -> tuple[ConsultationInvitation, Consultation]:
    invitation = queries.get_invitation(session, invitation_id, for_update=for_update)
    if invitation is None:
        raise NotFound(GONE)
    consultation = queries.get_consultation(session, invitation.consultation_id)
    assert consultation is not None  # an invitation goes with its consultation
    return invitation, consultation


def per_week(hours_per_term: Decimal, terms_per_year: int) -> Decimal:
    """An estimate's hours a term as hours a week (a school year of 39 weeks)."""
    weekly = hours_per_term * terms_per_year / SCHOOL_WEEKS_PER_YEAR
    return weekly.quantize(TENTH, rounding=ROUND_HALF_UP)


def predictions(
    session: Session, version: AssessmentVersion, groups: list[str], theirs: str | None
) -> list[Prediction]:
    """The author's estimate for each group asked, a week."""
    rubric = rubric_queries.rubric_of_version(session, version)
    estimates = version_queries.estimates_of_version(session, version.id or 0)
    shown = []
    for group in rubric.staff_groups:
        if group.id in groups:
            estimate = estimates.get(group.id)
            hours = (
                per_week(estimate.hours_per_term, rubric.workload.terms_per_year)
                if estimate
                else None
            )
            shown.append(Prediction(group.label, hours, group.id == theirs))
    return shown


def link_view(*, session: Session, invitation_id: int, today: date) -> LinkView:
    """What the link's holder is asked, and whether they may answer now."""
    invitation, consultation = _invitation(session, invitation_id)
    version = version_queries.get_version(session, consultation.version_id)
    policy = version_queries.policy_of_version(session, version)
    trust = people_queries.get_trust(session, consultation.trust_id)
    school = (
        policy_queries.get_school(session, invitation.school_id) if invitation.school_id else None
    )
    assert trust is not None
    return LinkView(
        invitation_id=invitation_id,
        consultation=consultation,
        policy=policy,
        trust_name=trust.name,
        school_name=school.name if school else "",
        standing=standing(consultation, today),
        answered=invitation.answered,
        predictions=predictions(
            session, version, consultation.staff_groups, invitation.staff_group
        ),
        min_group=trust.consultation_min_group,
        themes=queries.themes_of(session, consultation.id or 0)
        if consultation.responded_at
        else [],
    )


def give_answer(*, session: Session, invitation_id: int, data: AnswerGive, today: date) -> None:
    """Store the link holder's answer, once, while the consultation is open. The answer takes
    where they work (for the breakdowns big enough to hide them) and nothing else of theirs."""
    invitation, consultation = _invitation(session, invitation_id, for_update=True)
    if invitation.answered:
        raise InvalidTransition(ANSWERED)
    match standing(consultation, today):
        case Standing.CLOSED:
            raise InvalidTransition(CLOSED)
        case Standing.NOT_OPEN:
            raise InvalidTransition(NOT_OPEN)
    session.add(
        ConsultationAnswer(
            id=secrets.token_hex(16),  # random: the order of keys says nothing of who
            consultation_id=consultation.id or 0,
            school_id=invitation.school_id,
            staff_group=invitation.staff_group,
            hours_per_week=data.hours_per_week,
            agreement=data.agreement,
            concerns=data.concerns,
            would_help=data.would_help,
        )
    )
    invitation.answered = True
    session.add(invitation)
    session.flush()
    queries.rewrite_answers(session, consultation.id or 0)
