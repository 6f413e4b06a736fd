"""Small factories that build domain objects through the real use-cases."""

from __future__ import annotations

import itertools
from typing import Any

from sqlmodel import Session

from app.settings import PROJECT_ROOT
from assessments import policies, service
from assessments.actors import Actor
from assessments.models import AssessmentVersion, Policy, RubricVersion, School
from assessments.rubric import Rubric
from assessments.rubric_files import load_rubric
from assessments.schemas import AnswerSave, PolicyCreate

DEFAULT_RUBRIC_PATH = PROJECT_ROOT / "rubrics" / "staff-wellbeing-impact.yaml"
AUTHOR = Actor(name="Alex Author")
_numbers = itertools.count(1)


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
