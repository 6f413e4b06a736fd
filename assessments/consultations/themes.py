"""You said, we did: the author groups what staff said into themes and answers each (what was
changed, or why nothing was), then tells everyone asked. Themes are the author's to keep until
staff are told; after that they are what staff were told, and stay as they are."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from assessments.consultations import queries
from assessments.consultations.opening import Standing, consultation_of_authors, standing
from assessments.consultations.schemas import ThemeSave
from assessments.drafting.editing import check_revision
from assessments.kernel import audit, clock
from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition, NotFound
from assessments.kernel.text import brief
from assessments.models import Consultation, ConsultationTheme, NotificationKind, Policy
from assessments.notifications.outbox import Letter, write_letters
from assessments.people import queries as people_queries

TOLD = "Staff have been told what was done: its themes stay as they were told"
MAX_THEMES = 50


def _open_to_answer(
    session: Session, actor: Actor, consultation_id: int
) -> tuple[Consultation, Policy]:
    consultation, policy = consultation_of_authors(session, actor, consultation_id)
    if consultation.responded_at is not None:
        raise InvalidTransition(TOLD)
    return consultation, policy


def _theme(
    session: Session, actor: Actor, consultation_id: int, theme_id: int
) -> ConsultationTheme:
    theme = queries.get_theme(session, theme_id)
    if theme is None or theme.consultation_id != consultation_id:
        raise NotFound(f"There is no theme {theme_id}")
    try:
        _open_to_answer(session, actor, theme.consultation_id)
    except NotFound:  # of a consultation the actor may not see: no theme either
        raise NotFound(f"There is no theme {theme_id}") from None
    locked = queries.get_theme(session, theme_id, for_update=True)
    assert locked is not None
    return locked


def add_theme(
    *, session: Session, actor: Actor, consultation_id: int, data: ThemeSave
) -> ConsultationTheme:
    """A theme and its answer (its policy's authors, before staff are told)."""
    _open_to_answer(session, actor, consultation_id)
    if len(queries.themes_of(session, consultation_id)) >= MAX_THEMES:
        raise InvalidTransition(f"A consultation has at most {MAX_THEMES} themes")
    theme = ConsultationTheme(
        consultation_id=consultation_id,
        **data.model_dump(exclude={"expected_revision"}),
    )
    session.add(theme)
    session.flush()
    _audit(session, actor, theme, "theme-added")
    return theme


def update_theme(
    *, session: Session, actor: Actor, consultation_id: int, theme_id: int, data: ThemeSave
) -> ConsultationTheme:
    """Correct a theme or its answer; refused if someone changed it since it was read."""
    theme = _theme(session, actor, consultation_id, theme_id)
    check_revision(theme.revision, data.expected_revision)
    for field, value in data.model_dump(exclude={"expected_revision"}).items():
        setattr(theme, field, value)
    theme.revision += 1
    session.add(theme)
    session.flush()
    _audit(session, actor, theme, "theme-changed")
    return theme


def remove_theme(*, session: Session, actor: Actor, consultation_id: int, theme_id: int) -> None:
    theme = _theme(session, actor, consultation_id, theme_id)
    _audit(session, actor, theme, "theme-removed")
    session.delete(theme)
    session.flush()


def theme_to_change(
    *, session: Session, actor: Actor, consultation_id: int, theme_id: int
) -> ConsultationTheme:
    """A theme, for the form that corrects it (its policy's authors, before staff are told)."""
    return _theme(session, actor, consultation_id, theme_id)


def _audit(session: Session, actor: Actor, theme: ConsultationTheme, action: str) -> None:
    audit.record(
        session,
        actor,
        entity="consultation",
        entity_id=theme.consultation_id,
        action=action,
        details={"theme_id": theme.id, "title": theme.title, "changed": theme.changed},
    )


def tell_staff(
    *, session: Session, actor: Actor, consultation_id: int, today: date
) -> Consultation:
    """Tell everyone asked what was done with what staff said: once it has closed, and has a
    theme answered. Each is emailed; their link shows the themes from now on."""
    consultation, policy = _open_to_answer(session, actor, consultation_id)
    if standing(consultation, today) is not Standing.CLOSED:
        raise InvalidTransition("Tell staff what was done once the consultation has closed")
    themes = queries.themes_of(session, consultation_id)
    if not themes:
        raise InvalidTransition("Add a theme of what staff said, and its answer, first")
    consultation.responded_at = clock.now()
    consultation.revision += 1
    session.add(consultation)
    invited, answered = queries.invitation_counts(session, consultation_id)
    trust = people_queries.get_trust(session, consultation.trust_id)
    assert trust is not None
    facts = {
        "purpose": "response",
        "trust": trust.name,
        "policy": f"{policy.reference}: {policy.title}",
        "invited": invited,
        "answered": answered,
    }
    subject = brief(f"What we did with your feedback: {policy.title}", 200)
    letters = [
        Letter(address, subject, {**facts, "invitation_id": invitation_id})
        for invitation_id, address in queries.addresses_of(session, consultation_id)
    ]
    write_letters(session, consultation.trust_id, NotificationKind.CONSULTATION, letters)
    audit.record(
        session,
        actor,
        entity="consultation",
        entity_id=consultation_id,
        action="staff-told",
        details={"themes": len(themes), "changed": sum(t.changed for t in themes), "told": invited},
    )
    return consultation
