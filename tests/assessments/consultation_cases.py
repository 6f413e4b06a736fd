"""What the staff consultations' tests share (issue 18): the cast of a school, the day they are
opened on (TODAY) and their last day (CLOSES), the staff a consultation asks by default
(STAFF, three teachers of Oak), opening one through the use-case and closing it, its
invitations, and its record in the audit trail. For the tests of what was done about it
(test_consultation_themes.py): the use-cases of a consultation's themes (Keeper) and of a
draft's formal consultations (Records) as one person calls them, the letters telling staff
what was done, and an author of another trust."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from assessments.consultations import queries
from assessments.consultations.formal import formal_of, record_formal, remove_formal
from assessments.consultations.opening import close_consultation, open_consultation
from assessments.consultations.results import Results, consultation_results
from assessments.consultations.schemas import ConsultationOpen, FormalSave, ThemeSave
from assessments.consultations.themes import (
    add_theme,
    remove_theme,
    tell_staff,
    theme_to_change,
    update_theme,
)
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import (
    Consultation,
    ConsultationInvitation,
    ConsultationTheme,
    FormalConsultation,
    Notification,
    NotificationKind,
    OutboxMessage,
    Trust,
)
from assessments.people import accounts
from tests.factories.people import Cast, make_cast, make_person
from tests.factories.trusts import LOCAL_TRUST_ID

TODAY = date(2026, 12, 1)
CLOSES = TODAY + timedelta(days=20)
SUMMARY = "Marking moves from weekly to fortnightly, with a whole-class feedback sheet."
STAFF = "ann@oak.example, Teachers\nbob@oak.example, Teachers\ncat@oak.example, Teachers\n"
MARKING = "Marking at weekends"
JCC = "Joint consultative committee"
VIEWS = "The unions asked for release time."


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


def opening(
    invitees: str = STAFF, opens_on: date = TODAY, closes_on: date = CLOSES
) -> ConsultationOpen:
    return ConsultationOpen(
        opens_on=opens_on, closes_on=closes_on, summary=SUMMARY, invitees=invitees
    )


def consult(
    session: Session, actor: Actor, version_id: int, invitees: str = STAFF, **dates: date
) -> Consultation:
    """A consultation opened today by `actor` on the version, asking `invitees`."""
    return open_consultation(
        session=session,
        actor=actor,
        version_id=version_id,
        data=opening(invitees, **dates),
        today=TODAY,
    )


def least_group(session: Session, least: int) -> None:
    """The test trust's fewest answers a consultation's results are shown with."""
    trust = session.get(Trust, LOCAL_TRUST_ID)
    assert trust is not None
    trust.consultation_min_group = least
    session.add(trust)
    session.flush()


def id_of(consultation: Consultation) -> int:
    assert consultation.id is not None
    return consultation.id


def invited(session: Session, consultation: Consultation) -> list[ConsultationInvitation]:
    return queries.invitations_of(session, id_of(consultation))


def trail(session: Session, consultation: Consultation) -> list[tuple[str, dict[str, Any]]]:
    """(action, details) of each of the consultation's audit events, oldest first."""
    return [
        (e.action, json.loads(e.changes))
        for e in audit.events_of(session, "consultation", id_of(consultation))
    ]


def close(session: Session, actor: Actor, consultation: Consultation, today: date = TODAY) -> None:
    close_consultation(
        session=session, actor=actor, consultation_id=id_of(consultation), today=today
    )


def someone(session: Session, cast: Cast, who: str) -> Actor:
    """One of the cast, or (the "outsider") an author of another trust."""
    if who != "outsider":
        actor: Actor = getattr(cast, who)
        return actor
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    return make_person(session, "Rhi Riverside", Grant(Role.AUTHOR), trust_id=other.id or 0)


# --- you said, we did


def saving(title: str = MARKING, **fields: Any) -> ThemeSave:
    theme = {"staff_said": "It lands on Sundays.", "changed": True, "response": "In class time."}
    return ThemeSave.model_validate({**theme, "title": title, **fields})


def theme_id(theme: ConsultationTheme) -> int:
    assert theme.id is not None
    return theme.id


@dataclass(frozen=True)
class Keeper:
    """The themes' use-cases, and its results, as `actor` calls them on one consultation."""

    session: Session
    actor: Actor
    consultation: Consultation

    def where(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "actor": self.actor,
            "consultation_id": id_of(self.consultation),
        }

    def add(self, title: str = MARKING, **fields: Any) -> ConsultationTheme:
        return add_theme(**self.where(), data=saving(title, **fields))

    def read(self, theme_id: int) -> ConsultationTheme:
        return theme_to_change(**self.where(), theme_id=theme_id)

    def change(self, theme_id: int, title: str = "Rewritten", **fields: Any) -> ConsultationTheme:
        return update_theme(**self.where(), theme_id=theme_id, data=saving(title, **fields))

    def remove(self, theme_id: int) -> None:
        remove_theme(**self.where(), theme_id=theme_id)

    def tell(self, today: date = TODAY) -> Consultation:
        return tell_staff(**self.where(), today=today)

    def close(self) -> None:
        close(self.session, self.actor, self.consultation)

    def by(self, actor: Actor) -> Keeper:
        """The same consultation's use-cases, as `actor` calls them."""
        return Keeper(self.session, actor, self.consultation)

    def trail(self) -> list[tuple[str, dict[str, Any]]]:
        return trail(self.session, self.consultation)

    def titles(self) -> list[str]:
        """The titles of the consultation's themes, as stored."""
        return [t.title for t in queries.themes_of(self.session, id_of(self.consultation))]

    def results(self) -> Results:
        return consultation_results(**self.where(), today=TODAY)

    def may(self) -> tuple[bool, bool, bool]:
        """What the results let the actor do: close it, keep its themes, tell staff."""
        seen = self.results()
        return seen.may_close, seen.may_answer, seen.may_tell


def responses(session: Session) -> list[tuple[Notification, OutboxMessage]]:
    """The letters telling staff what was done, with the messages that carry them."""
    query = (
        select(Notification, OutboxMessage)
        .join(OutboxMessage, col(Notification.message_id) == col(OutboxMessage.id))
        .where(Notification.kind == NotificationKind.CONSULTATION)
    )
    return [(n, m) for n, m in session.exec(query) if n.facts["purpose"] == "response"]


# --- formal consultations


def formal(body: str = JCC, met_on: date | None = None) -> FormalSave:
    """Met three days before TODAY, unless `met_on`."""
    day = met_on or TODAY - timedelta(days=3)
    said = {"views": VIEWS, "agreed": "A term's trial."}
    return FormalSave.model_validate({"body": body, "met_on": day, **said})


@dataclass(frozen=True)
class Records:
    """The formal consultations' use-cases, as `actor` calls them on one version."""

    session: Session
    actor: Actor
    version_id: int

    def where(self) -> dict[str, Any]:
        return {"session": self.session, "actor": self.actor, "version_id": self.version_id}

    def record(self, data: FormalSave | None = None) -> FormalConsultation:
        return record_formal(**self.where(), data=data or formal(), today=TODAY)

    def listed(self) -> list[FormalConsultation]:
        return formal_of(**self.where())

    def remove(self, formal_id: int | None) -> None:
        assert formal_id is not None
        remove_formal(**self.where(), formal_id=formal_id)

    def last_event(self) -> tuple[str, dict[str, Any]]:
        """The version's last audit event: (action, details)."""
        last = audit.events_of(self.session, "assessment_version", self.version_id)[-1]
        return last.action, json.loads(last.changes)
