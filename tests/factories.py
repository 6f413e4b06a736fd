"""Small factories that build domain objects through the real use-cases."""

from __future__ import annotations

import itertools
from typing import Any

from sqlmodel import Session

from app.settings import PROJECT_ROOT
from assessments import people, policies, service
from assessments.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion, Policy, RubricVersion, School
from assessments.rubric import Rubric
from assessments.rubric_files import load_rubric
from assessments.schemas import AnswerSave, PolicyCreate

DEFAULT_RUBRIC_PATH = PROJECT_ROOT / "rubrics" / "staff-wellbeing-impact.yaml"
LOCAL_TRUST = "Local trust"  # the test database's trust (tests/conftest.py makes it first)
LOCAL_TRUST_ID = 1
# A trust-wide author and admin of the test trust: the actor every request acts as until
# sign-in (issue 3), and the one the factories build with.
AUTHOR = Actor(
    name="Alex Author",
    trust_id=LOCAL_TRUST_ID,
    grants=frozenset({Grant(Role.AUTHOR), Grant(Role.ADMIN)}),
)
_numbers = itertools.count(1)


def make_local_trust(session: Session) -> None:
    """The trust of a new test database, with the id AUTHOR assumes."""
    trust = people.create_trust(session=session, name=LOCAL_TRUST)
    assert trust.id == LOCAL_TRUST_ID, trust


def default_rubric() -> Rubric:
    return load_rubric(DEFAULT_RUBRIC_PATH)


def publish_default_rubric(session: Session) -> RubricVersion:
    return policies.publish_rubric(session=session, actor=AUTHOR, rubric=default_rubric())


def make_school(session: Session, name: str | None = None) -> School:
    name = name or f"Test School {next(_numbers)}"
    school = policies.create_school(session=session, actor=AUTHOR, name=name)
    assert school is not None
    return school


def make_policy(session: Session, **fields: Any) -> Policy:
    data = {
        "reference": f"TST-{next(_numbers):04d}",
        "title": "Marking and feedback policy",
        "category": "assessment-and-marking",
        "owner": "Deputy Headteacher",
        "review_cycle_months": 12,
        **fields,
    }
    return policies.create_policy(session=session, actor=AUTHOR, data=PolicyCreate(**data))


def make_draft(
    session: Session, *, actor: Actor = AUTHOR, **policy_fields: Any
) -> AssessmentVersion:
    """A policy with version 1 of its assessment started on the (published) default rubric."""
    policy = make_policy(session, **policy_fields)
    assert policy.id is not None
    return service.start_assessment(
        session=session, actor=actor, policy_id=policy.id, rubric_id=default_rubric().id
    )


def answer(session: Session, version: AssessmentVersion, question_id: str, value: str) -> None:
    assert version.id is not None
    service.save_answer(
        session=session,
        actor=AUTHOR,
        version_id=version.id,
        question_id=question_id,
        data=AnswerSave(value=value),
    )
