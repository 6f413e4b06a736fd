"""The governor-ready report of one assessment version: everything a governing board reads or
prints about it, gathered by one use-case so that the page and the PDF show the same. Its first
page is a summary for the board; the detail follows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from assessments.consultations.formal import formal_of
from assessments.consultations.requirement import reason_given
from assessments.consultations.results import Line, consultations_of
from assessments.drafting import queries as version_queries
from assessments.drafting.queries import contributors_of
from assessments.drafting.version_view import AssessmentView, view_assessment
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.text import brief, one_line
from assessments.models import (
    ActionStatus,
    AssessmentVersion,
    FormalConsultation,
    MitigatingAction,
    School,
    VersionContributor,
    VersionStatus,
)
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries
from assessments.rubrics.schema import Question, Section

# The rubric question whose answer says who was consulted (looked up by id, not position).
CONSULTATION_QUESTION = "consultation-summary"

# What the one-page summary quotes, at most: more would push it onto a second page (the detail
# has everything in full).
SUMMARY_ACTIONS = 4  # open actions, the earliest due first
SUMMARY_CHARACTERS = {"consulted": 200, "action": 80, "owner": 30, "reason": 200, "minute": 80}


@dataclass(frozen=True)
class ReportQuestion:
    """One question as the report prints it: its rubric text and guidance, and the answer."""

    question: Question
    reference: str  # its place, "Section 2, question 3": the rubric gives no short label
    answer: str  # the answer's label, "" when not answered
    comment: str
    justification: str  # why an answer at or above the threshold needs no action


@dataclass(frozen=True)
class ReportSection:
    section: Section
    number: int  # from 1, in the rubric's order
    questions: list[ReportQuestion]


@dataclass(frozen=True)
class QuestionReference:
    """How the actions table names a question (the table prints its `text`): by its place,
    not its full wording, which the answers further on give."""

    text: str


# Each move of a version, in the words of its decision history.
MOVES = {
    VersionStatus.SUBMITTED: "Submitted for approval",
    VersionStatus.RETURNED: "Returned to the author",
    VersionStatus.DRAFT: "Reopened to put right",
    VersionStatus.APPROVED: "Approved",
    VersionStatus.WITHDRAWN: "Withdrawn",
    VersionStatus.SUPERSEDED: "Replaced by a later approved version",
}
DECISIONS = (VersionStatus.APPROVED, VersionStatus.RETURNED)  # the approvers' moves


@dataclass(frozen=True)
class Move:
    """A change of the version's state as the audit trail holds it: the version itself keeps
    only its latest decision (a resubmission clears the reason it was returned for)."""

    at: datetime
    by: str
    to: VersionStatus
    what: str
    reason: str
    minute: str  # the reference of the meeting's minute that decided it, "" when not given


@dataclass(frozen=True)
class OpenAction:
    """An action not yet done (nor dropped), where it stands now."""

    action: MitigatingAction
    description: str  # shortened for the summary, as its owner's name is
    owner: str
    status: ActionStatus
    overdue: bool  # its due date has passed


@dataclass(frozen=True)
class BoardSummary:
    """The report's first page: what a governing board needs to decide or to note."""

    trust: str
    consulted: str  # who was consulted, shortened; "" when not answered
    open_actions: list[OpenAction]  # the earliest due first, at most SUMMARY_ACTIONS
    open_total: int
    decision: Move | None  # the approval or return that decided the version as it stands
    reason: str  # the decision's reason and minute reference, shortened
    minute: str
    shortened: bool  # some text above is cut short (the detail has it in full)


@dataclass(frozen=True)
class Report:
    view: AssessmentView
    summary: BoardSummary
    school: School | None  # None for a trust-wide policy
    consultation: str  # who was consulted, "" when not answered
    consultations: list[Line]  # the staff consulted through the register, with their themes
    formal: list[FormalConsultation]  # consultations with bodies that speak for staff
    unconsulted_reason: str  # why staff were not consulted where its rating asks it, or ""
    sections: list[ReportSection]
    questions: dict[str, QuestionReference]  # by id, for the actions' questions
    history: list[AssessmentVersion]  # every version of the assessment, by number
    moves: list[Move]  # what happened to this version, oldest first
    contributors: list[VersionContributor]  # who prepared it, in the order they started


def governor_report(*, session: Session, actor: Actor, version_id: int, today: date) -> Report:
    """A version with its board summary, policy, school, answers by section and version
    history, for anyone who may see the version (the same rule as its summary: others get
    NotFound). `today` says which open actions are overdue."""
    view = view_assessment(session=session, actor=actor, version_id=version_id)
    school_id = view.policy.school_id
    consulted = view.answers.get(CONSULTATION_QUESTION)
    consultation = consulted.value.strip() if consulted else ""
    sections = [
        ReportSection(
            section,
            s_number,
            [
                _question(view, q, f"Section {s_number}, question {q_number}")
                for q_number, q in enumerate(section.questions, start=1)
            ],
        )
        for s_number, section in enumerate(view.rubric.sections, start=1)
    ]
    moves = _moves(session, version_id)
    return Report(
        view=view,
        summary=_summary(session, view, consultation, moves, today),
        school=policy_queries.get_school(session, school_id) if school_id is not None else None,
        consultation=consultation,
        consultations=consultations_of(
            session=session, actor=actor, version_id=version_id, today=today
        ),
        formal=formal_of(session=session, actor=actor, version_id=version_id),
        unconsulted_reason=reason_given(session, view.version),
        sections=sections,
        questions={
            item.question.id: QuestionReference(item.reference)
            for part in sections
            for item in part.questions
        },
        history=version_queries.versions_of_assessment(session, view.version.assessment_id),
        moves=moves,
        contributors=contributors_of(session, version_id),
    )


def _summary(
    session: Session, view: AssessmentView, consultation: str, moves: list[Move], today: date
) -> BoardSummary:
    trust = people_queries.get_trust(session, view.policy.trust_id)
    assert trust is not None  # guaranteed by the foreign key
    short = _Shortened()
    still_open = sorted(
        (action for action in view.actions if view.status_of(action) in ActionStatus.OPEN),
        key=lambda action: (action.due_date is None, action.due_date),
    )
    decision = _decision(view.version, moves)
    return BoardSummary(
        trust=trust.name,
        consulted=short(consultation, "consulted"),
        open_actions=[
            OpenAction(
                action,
                short(action.description, "action"),
                short(action.owner, "owner"),
                view.status_of(action),
                action.due_date is not None and action.due_date < today,
            )
            for action in still_open[:SUMMARY_ACTIONS]
        ],
        open_total=len(still_open),
        decision=decision,
        reason=short(decision.reason, "reason") if decision else "",
        minute=short(decision.minute, "minute") if decision else "",
        shortened=short.any_cut,
    )


class _Shortened:
    """Shortens the summary's texts to their SUMMARY_CHARACTERS, noting whether any was cut."""

    def __init__(self) -> None:
        self.any_cut = False

    def __call__(self, text: str, what: str) -> str:
        shortened = brief(text, SUMMARY_CHARACTERS[what])
        self.any_cut = self.any_cut or shortened != one_line(text)
        return shortened


def _decision(version: AssessmentVersion, moves: list[Move]) -> Move | None:
    """The approvers' move the version stands by: its approval (even once superseded), or its
    return while it waits with the author; None before any, or once reopened or withdrawn."""
    if version.status not in VersionStatus.APPROVED_ONCE | {VersionStatus.RETURNED}:
        return None
    return next((move for move in reversed(moves) if move.to in DECISIONS), None)


def _moves(session: Session, version_id: int) -> list[Move]:
    moves = []
    for event in audit.events_of(session, "assessment_version", version_id):
        if event.action not in MOVES:
            continue
        to = VersionStatus(event.action)  # a move's event is named by the status moved to
        details = json.loads(event.changes)
        moves.append(
            Move(
                event.occurred_at,
                event.actor_name,
                to,
                MOVES[to],
                str(details.get("reason", "")),
                str(details.get("minute", "")),
            )
        )
    return moves


def _question(view: AssessmentView, question: Question, reference: str) -> ReportQuestion:
    answer = view.answers.get(question.id)
    if answer is None:
        return ReportQuestion(question, reference, "", "", "")
    return ReportQuestion(
        question,
        reference,
        question.label_for(answer.value),
        answer.comment,
        answer.justification,
    )
