"""The trust's choice of how many staff must answer before a consultation's answers are shown
by school or staff group: fewer could be told apart, so below it only the whole is shown."""

from __future__ import annotations

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor, require_trust_admin
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import Trust
from assessments.people import queries as people_queries

# Below three, one answer could be read off the difference between a group and the whole.
FEWEST_ALLOWED, MOST_ALLOWED = 3, 100
FIELD = "min_group"


def trust_settings(*, session: Session, actor: Actor) -> Trust:
    """The admin's own trust, whose consultation settings they keep (trust admins)."""
    trust = people_queries.get_trust(session, require_trust_admin(actor))
    assert trust is not None
    return trust


def change_min_group(
    *, session: Session, actor: Actor, min_group: int | None, expected_revision: int | None
) -> Trust:
    """Choose the fewest answers a consultation's breakdown by school or group shows (None:
    what was typed is not a whole number)."""
    trust = trust_settings(session=session, actor=actor)
    if min_group is None or not FEWEST_ALLOWED <= min_group <= MOST_ALLOWED:
        raise ValidationFailed(
            {FIELD: f"Enter a whole number from {FEWEST_ALLOWED} to {MOST_ALLOWED}, like 5"}
        )
    if expected_revision is not None and expected_revision != trust.revision:
        raise StaleVersion("Someone changed the trust's settings meanwhile: check and try again")
    before = trust.consultation_min_group
    trust.consultation_min_group = min_group
    trust.revision += 1
    session.add(trust)
    session.flush()
    audit.record(
        session,
        actor,
        entity="trust",
        entity_id=trust.id,
        action="consultation-settings-changed",
        details={"consultation_min_group": [before, min_group]},
        trust_id=trust.id,
    )
    return trust
