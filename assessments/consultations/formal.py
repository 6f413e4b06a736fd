"""Formal consultations: a draft put to a body that speaks for staff (a joint consultative
committee, the unions, the wellbeing champions), recorded by its authors with when it met, the
views it gave and what was agreed. Part of the draft's record: kept while it is a draft."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from assessments.consultations import queries
from assessments.consultations.opening import authors_version
from assessments.consultations.schemas import FormalSave
from assessments.drafting.editing import version_seen
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition, NotFound, ValidationFailed
from assessments.models import FormalConsultation, VersionStatus


def _draft_of_authors(session: Session, actor: Actor, version_id: int) -> None:
    version, _ = authors_version(session, actor, version_id)
    if version.status not in VersionStatus.EDITABLE:
        raise InvalidTransition("A formal consultation is recorded on a draft")


def record_formal(
    *, session: Session, actor: Actor, version_id: int, data: FormalSave, today: date
) -> FormalConsultation:
    """Record one (its policy's authors, on a draft); audited. It met by `today`."""
    _draft_of_authors(session, actor, version_id)
    if data.met_on > today:
        raise ValidationFailed({"met_on": "Enter the day it met: not a day to come"})
    formal = FormalConsultation(version_id=version_id, recorded_by=actor.name, **data.model_dump())
    session.add(formal)
    session.flush()
    audit.record(
        session,
        actor,
        entity="assessment_version",
        entity_id=version_id,
        action="formal-consultation-recorded",
        details={"formal_id": formal.id, "body": formal.body, "met_on": formal.met_on},
    )
    return formal


def remove_formal(*, session: Session, actor: Actor, version_id: int, formal_id: int) -> None:
    """Take a record recorded in error off the draft (its policy's authors); audited."""
    _draft_of_authors(session, actor, version_id)
    formal = queries.get_formal(session, formal_id)
    if formal is None or formal.version_id != version_id:
        raise NotFound(f"There is no formal consultation {formal_id}")
    audit.record(
        session,
        actor,
        entity="assessment_version",
        entity_id=version_id,
        action="formal-consultation-removed",
        details={"formal_id": formal_id, "body": formal.body, "met_on": formal.met_on},
    )
    session.delete(formal)
    session.flush()


def formal_of(*, session: Session, actor: Actor, version_id: int) -> list[FormalConsultation]:
    """A version's formal consultations, by the day they met (anyone who may see it)."""
    version_seen(session, actor, version_id)
    return queries.formal_of_version(session, version_id)
