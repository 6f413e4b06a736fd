"""The governor-ready report of one assessment version: everything a governing board reads or
prints about it, gathered by one use-case so that the page and the PDF show the same."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.drafting.queries import contributors_of
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion, School, VersionContributor, VersionStatus
from assessments.policies import queries as policy_queries
from assessments.rubrics.schema import Question, Section

# The rubric question whose answer says who was consulted (looked up by id, not position).
CONSULTATION_QUESTION = "consultation-summary"


@dataclass(frozen=True)
class ReportQuestion:
    """One question as the report prints it: its rubric text and guidance, and the answer."""

    question: Question
    answer: str  # the answer's label, "" when not answered
    comment: str
    justification: str  # why an answer at or above the threshold needs no action


@dataclass(frozen=True)
class ReportSection:
    section: Section
    questions: list[ReportQuestion]


# Each move of a version, in the words of its decision history.
MOVES = {
    VersionStatus.SUBMITTED: "Submitted for approval",
    VersionStatus.RETURNED: "Returned to the author",
    VersionStatus.DRAFT: "Reopened to put right",
    VersionStatus.APPROVED: "Approved",
    VersionStatus.WITHDRAWN: "Withdrawn",
    VersionStatus.SUPERSEDED: "Replaced by a later approved version",
}


@dataclass(frozen=True)
class Move:
    """A change of the version's state as the audit trail holds it: the version itself keeps
    only its latest decision (a resubmission clears the reason it was returned for)."""

    at: datetime
    by: str
    what: str
    reason: str


@dataclass(frozen=True)
class Report:
    view: AssessmentView
    school: School | None  # None for a trust-wide policy
    consultation: str  # who was consulted, "" when not answered
    sections: list[ReportSection]
    questions: dict[str, Question]  # by id, for the actions' questions
    history: list[AssessmentVersion]  # every version of the assessment, by number
    moves: list[Move]  # what happened to this version, oldest first
    contributors: list[VersionContributor]  # who prepared it, in the order they started


def governor_report(*, session: Session, actor: Actor, version_id: int) -> Report:
    """A version with its policy, school, answers by section and version history, for anyone
    who may see the version (the same rule as its summary: others get NotFound)."""
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    school_id = view.policy.school_id
    consulted = view.answers.get(CONSULTATION_QUESTION)
    return Report(
        view=view,
        school=policy_queries.get_school(session, school_id) if school_id is not None else None,
        consultation=consulted.value.strip() if consulted else "",
        sections=[
            ReportSection(section, [_question(view, q) for q in section.questions])
            for section in view.rubric.sections
        ],
        questions={q.id: q for q in view.rubric.questions()},
        history=version_queries.versions_of_assessment(session, view.version.assessment_id),
        moves=_moves(session, version_id),
        contributors=contributors_of(session, version_id),
    )


def _moves(session: Session, version_id: int) -> list[Move]:
    return [  # a move's event is named by the status moved to (a StrEnum equals its value)
        Move(
            event.occurred_at,
            event.actor_name,
            MOVES[VersionStatus(event.action)],
            str(json.loads(event.changes).get("reason", "")),
        )
        for event in audit.events_of(session, "assessment_version", version_id)
        if event.action in MOVES
    ]


def _question(view: AssessmentView, question: Question) -> ReportQuestion:
    answer = view.answers.get(question.id)
    if answer is None:
        return ReportQuestion(question, "", "", "")
    return ReportQuestion(
        question, question.label_for(answer.value), answer.comment, answer.justification
    )
