"""Shared by the corrections and decisions tests: the cast of people at a school, a record's
audit trail read back, and the reason and minute a decision is given."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session

from assessments.kernel import audit
from assessments.models import AuditEvent
from tests.factories.people import Cast, make_cast

REASON = "The governors accept the risk for one term while the cover staff are recruited."
MINUTE = "FGB 2027/14"
TEXT_QUESTION = "what-is-stopped"  # free text, weight 0: changing it changes no score


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def events(session: Session, entity: str, entity_id: int | None) -> list[tuple[str, Any]]:
    """(action, changes) of each audit event of a record, oldest first."""
    assert entity_id is not None
    return [(e.action, json.loads(e.changes)) for e in audit.events_of(session, entity, entity_id)]


def trail(session: Session, version_id: int) -> list[AuditEvent]:
    return audit.events_of(session, "assessment_version", version_id)


def details(event: AuditEvent) -> dict[str, Any]:
    said: dict[str, Any] = json.loads(event.changes)
    return said
