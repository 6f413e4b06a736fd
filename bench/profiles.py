"""Realistic content for the seeded versions: a few hundred answer profiles (answers, workload
estimates, mitigating actions), each scored once with the app's own scoring, so that every
stored result on a seeded version is what the app itself would have computed for it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from assessments.drafting.stored_results import residual_impacts
from assessments.models import ActionStatus, MitigatingAction
from assessments.rubrics.answers import impact_of
from assessments.rubrics.schema import AnswerKind, Question, Rubric
from assessments.rubrics.scoring import WorkloadInput, compute_results

TEXTS = (
    "The weekly written report stops from the start of next term.",
    "Discussed with the staff wellbeing group and the union representatives in June.",
    "Heads of department agreed to drop the termly book scrutiny in exchange.",
    "A staff survey in the spring term, compared with last year's baseline.",
    "Nothing stops: the statutory change leaves no room, so the trust funds cover time.",
    "Teaching assistants' feedback was that the new log replaces two paper forms.",
    "Reviewed at the first governors' meeting after the first full term.",
    "Phase leaders tested the template on two classes for three weeks.",
)
COMMENTS = (
    "See the consultation notes of 14 March.",
    "Checked against the calendar with the exams officer.",
    "The SENCo's team asked for this to be phased in.",
    "Evidence: the pilot's time log, attached to the policy file.",
)
JUSTIFICATIONS = (
    "Required by statute; the trust gives a day of cover to each school to absorb it.",
    "A one-off peak in the first half-term, agreed with staff in the consultation.",
    "Already offset by the end of the old data drop, which the estimate shows.",
)
ACTIONS = (
    "Drop the termly written report that the new log replaces",
    "Move the deadline out of the report-writing fortnight",
    "Give two hours of directed time back each half-term",
    "Brief line managers before the teams, with a written guide",
    "Share one planning template across the phase instead of per teacher",
    "Pilot with two departments first and re-survey before the roll-out",
)
OWNERS = ("Deputy Headteacher", "Business Manager", "Head of School", "Trust Director of HR")
NOTES = ("", "", "Pilot timings", "Per the consultation", "Offset by the old data drop")
STAFF_COUNTS = {
    "teachers": (20, 60),
    "early-career-teachers": (1, 8),
    "teaching-assistants": (8, 40),
    "support-staff": (5, 30),
    "middle-leaders": (5, 15),
    "senior-leaders": (2, 6),
}
STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED)
STATUS_WEIGHTS = (35, 25, 35, 5)


@dataclass(frozen=True)
class ActionSpec:
    description: str
    question_ids: tuple[str, ...]
    owner: str
    due_in_days: int  # after the version was started
    status: str
    residual_impact: int


@dataclass(frozen=True)
class Profile:
    """One assessment's content and the results the app computes for it."""

    answers: tuple[tuple[str, str, str, str], ...]  # question id, value, comment, justification
    estimates: tuple[tuple[str, Decimal, int, str], ...]  # group, hours a term, staff, note
    actions: tuple[ActionSpec, ...]
    overall_score: Decimal | None
    rating: str | None
    rating_after: str | None
    rating_done: str | None
    net_hours_per_year: Decimal
    open_actions: int


def _value(question: Question, severity: float, rng: random.Random) -> str:
    """An answer that is more often a high-impact one the more severe the policy is."""
    match question.kind:
        case AnswerKind.CHOICE:
            last = len(question.options) - 1
            index = round(severity * last + rng.gauss(0, 0.9))
            return question.options[min(max(index, 0), last)].value
        case AnswerKind.YES_NO:
            yes_is_worse = (question.yes_impact or 0) > (question.no_impact or 0)
            return "yes" if (rng.random() < severity) == yes_is_worse else "no"
        case AnswerKind.NUMBER:
            top = float(question.steps[-1].at_least) if question.steps else 10.0
            number = max(0.0, rng.gauss(severity * top, top / 4))
            if question.max_value is not None:
                number = min(number, float(question.max_value))
            if question.id.startswith("extra-data"):
                return str(round(number))
            return format(Decimal(str(round(number * 2) / 2)).normalize() + 0, "f")
        case _:
            return rng.choice(TEXTS)


def _actions(flagged: list[str], rng: random.Random) -> tuple[tuple[ActionSpec, ...], set[str]]:
    """Actions for most flagged answers (one to three answers each); the rest are justified."""
    actions: list[ActionSpec] = []
    covered: set[str] = set()
    pending = [qid for qid in flagged if rng.random() < 0.65]
    while pending:
        ids = tuple(pending[: rng.choice((1, 2, 3))])
        pending = pending[len(ids) :]
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        actions.append(
            ActionSpec(
                description=rng.choice(ACTIONS),
                question_ids=ids,
                owner=rng.choice(OWNERS),
                due_in_days=rng.randrange(30, 240),
                status=status.value,
                residual_impact=rng.choice((1, 1, 2)),
            )
        )
        if status is not ActionStatus.DROPPED:
            covered.update(ids)
    return tuple(actions), covered


def make_profile(rubric: Rubric, rng: random.Random) -> Profile:
    severity = rng.betavariate(2, 2.6)
    values = {q.id: _value(q, severity, rng) for q in rubric.questions()}
    flagged = [
        q.id
        for q in rubric.questions()
        if (impact := impact_of(q, values[q.id])) is not None
        and impact >= rubric.mitigation_threshold
    ]
    actions, covered = _actions(flagged, rng)
    answers = tuple(
        (
            qid,
            value,
            rng.choice(COMMENTS) if rng.random() < 0.2 else "",
            rng.choice(JUSTIFICATIONS) if qid in flagged and qid not in covered else "",
        )
        for qid, value in values.items()
    )
    groups = rng.sample(list(STAFF_COUNTS), rng.randint(2, 4))
    estimates = tuple(
        (
            group,
            Decimal(str(round(rng.gauss(severity * 8 - 2, 2.5), 2))).quantize(Decimal("0.01")),
            rng.randint(*STAFF_COUNTS[group]),
            rng.choice(NOTES),
        )
        for group in groups
    )
    return _scored(rubric, answers, estimates, actions)


def _scored(
    rubric: Rubric,
    answers: tuple[tuple[str, str, str, str], ...],
    estimates: tuple[tuple[str, Decimal, int, str], ...],
    actions: tuple[ActionSpec, ...],
) -> Profile:
    """The profile with the results the app computes for it (as `results.results_of` does)."""
    values = {qid: value for qid, value, _, _ in answers}
    workload = [WorkloadInput(group, hours, staff) for group, hours, staff, _ in estimates]
    action_rows = [
        MitigatingAction(
            version_id=0,
            description=a.description,
            question_ids=list(a.question_ids),
            owner=a.owner,
            status=ActionStatus(a.status),
            residual_impact=a.residual_impact,
            updated_by="bench",
        )
        for a in actions
    ]
    before = compute_results(rubric, values, workload)
    after = compute_results(rubric, values, workload, residual_impacts(action_rows))
    done_only = residual_impacts(action_rows, counted=(ActionStatus.DONE,))
    done = compute_results(rubric, values, workload, done_only)
    return Profile(
        answers=answers,
        estimates=estimates,
        actions=actions,
        overall_score=before.overall_score,
        rating=before.rating.id if before.rating else None,
        rating_after=after.rating.id if after.rating else None,
        rating_done=done.rating.id if done.rating else None,
        net_hours_per_year=before.net_hours_per_year,
        open_actions=sum(1 for a in action_rows if a.status in ActionStatus.OPEN),
    )


def make_profiles(rubric: Rubric, count: int, seed: int) -> list[Profile]:
    rng = random.Random(seed)
    return [make_profile(rubric, rng) for _ in range(count)]
