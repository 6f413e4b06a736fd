"""The queries of consultations, their invitations and their anonymous answers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from assessments.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationInvitation,
    ConsultationTheme,
    FormalConsultation,
)


def get_consultation(
    session: Session, consultation_id: int, *, for_update: bool = False
) -> Consultation | None:
    return session.get(
        Consultation, consultation_id, with_for_update=for_update, populate_existing=for_update
    )


def consultations_of_version(session: Session, version_id: int) -> list[Consultation]:
    query = select(Consultation).where(Consultation.version_id == version_id)
    return list(session.exec(query.order_by(col(Consultation.id))))


def get_invitation(
    session: Session, invitation_id: int, *, for_update: bool = False
) -> ConsultationInvitation | None:
    return session.get(
        ConsultationInvitation,
        invitation_id,
        with_for_update=for_update,
        populate_existing=for_update,
    )


def invitations_of(session: Session, consultation_id: int) -> list[ConsultationInvitation]:
    query = select(ConsultationInvitation).where(
        ConsultationInvitation.consultation_id == consultation_id
    )
    return list(session.exec(query.order_by(col(ConsultationInvitation.id))))


def invitation_counts(session: Session, consultation_id: int) -> tuple[int, int]:
    """(invited, answered)."""
    answered = sa.case((col(ConsultationInvitation.answered), 1), else_=0)
    query = select(func.count(), func.sum(answered)).where(
        ConsultationInvitation.consultation_id == consultation_id
    )
    invited, said = session.exec(query).one()
    return invited, int(said or 0)


def answers_of(session: Session, consultation_id: int) -> list[ConsultationAnswer]:
    """Its answers, in no order that says anything (their random keys')."""
    query = select(ConsultationAnswer).where(ConsultationAnswer.consultation_id == consultation_id)
    return list(session.exec(query.order_by(col(ConsultationAnswer.id))))


def rewrite_answers(session: Session, consultation_id: int) -> None:
    """Every answer of the consultation written again as it is. PostgreSQL stamps each row with
    the transaction that last wrote it (xmin): the answer given now would otherwise share its
    stamp with the invitation marked answered in the same transaction, joining the two. This
    way all its answers carry the latest one."""
    answers = SQLModel.metadata.tables["consultation_answer"]
    session.execute(
        sa.update(answers)
        .where(answers.c.consultation_id == consultation_id)
        .values(consultation_id=answers.c.consultation_id)
    )


def get_theme(
    session: Session, theme_id: int, *, for_update: bool = False
) -> ConsultationTheme | None:
    return session.get(
        ConsultationTheme, theme_id, with_for_update=for_update, populate_existing=for_update
    )


def themes_of(session: Session, consultation_id: int) -> list[ConsultationTheme]:
    query = select(ConsultationTheme).where(ConsultationTheme.consultation_id == consultation_id)
    return list(session.exec(query.order_by(col(ConsultationTheme.id))))


def addresses_of(session: Session, consultation_id: int) -> list[tuple[int, str]]:
    """(invitation id, address) of everyone asked."""
    query = select(ConsultationInvitation.id, ConsultationInvitation.email).where(
        ConsultationInvitation.consultation_id == consultation_id
    )
    return [
        (i or 0, email) for i, email in session.exec(query.order_by(col(ConsultationInvitation.id)))
    ]


def get_formal(session: Session, formal_id: int) -> FormalConsultation | None:
    return session.get(FormalConsultation, formal_id)


def formal_of_version(session: Session, version_id: int) -> list[FormalConsultation]:
    query = select(FormalConsultation).where(FormalConsultation.version_id == version_id)
    return list(
        session.exec(query.order_by(col(FormalConsultation.met_on), col(FormalConsultation.id)))
    )
