"""What staff said, as the author, the approvers and the auditors read it: how many were asked
and answered, what they expect the change to cost them beside the author's estimate, how far
they agree, and what they wrote. Broken down by school and by staff group only where enough
answered that no one can be told apart: a group below the trust's number is hidden, and so is
the next smallest while what is hidden could be worked out from the whole."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from assessments.consultations import queries
from assessments.consultations.answering import Prediction, predictions
from assessments.consultations.opening import Standing, consultation_seen, standing
from assessments.consultations.schemas import AGREEMENT
from assessments.drafting import queries as version_queries
from assessments.drafting.editing import version_seen
from assessments.kernel.actors import Actor, Role
from assessments.models import Consultation, ConsultationAnswer, ConsultationTheme, Policy
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries
from assessments.rubrics import queries as rubric_queries

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Share:
    """One school's or staff group's answers; the figures None where too few answered."""

    label: str
    answered: int | None
    hours_per_week: Decimal | None  # their mean
    agreement: Decimal | None  # their mean, 1 to 5


@dataclass(frozen=True)
class Results:
    consultation: Consultation
    policy: Policy
    standing: Standing
    by_author: bool  # the reader is one of its policy's authors: they close it, and answer it
    invited: int
    answered: int
    min_group: int
    # What staff said is shown once it has closed (while answers come in, each could be read
    # off the change it makes) and at least min_group answered; until then, only the counts.
    shown: bool
    hours_per_week: Decimal | None  # the mean of everyone who answered
    agreement: Decimal | None
    agreement_counts: list[tuple[str, int]]  # strongly agree first
    by_school: list[Share]
    by_group: list[Share]
    predictions: list[Prediction]  # the author's, for the groups asked
    comments: list[tuple[str, str]]  # (concerns, would help), in no order that says whose
    themes: list[ConsultationTheme]  # the author's answers, you said, we did

    @property
    def may_close(self) -> bool:
        return self.by_author and self.standing is not Standing.CLOSED

    @property
    def may_answer(self) -> bool:
        """Whether the reader may keep its themes: staff have not been told yet."""
        return self.by_author and self.consultation.responded_at is None

    @property
    def may_tell(self) -> bool:
        return self.may_answer and self.standing is Standing.CLOSED and bool(self.themes)

    @property
    def rate(self) -> int | None:
        return rate(self.answered, self.invited)


def rate(answered: int, invited: int) -> int | None:
    """The percentage of those asked who answered (None when nobody was asked)."""
    return (200 * answered + invited) // (2 * invited) if invited else None  # half up, as SQL


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TENTH, rounding=ROUND_HALF_UP)


def hidden_shares(counts: dict[str, int], least: int) -> set[str]:
    """Which shares to hide: those below `least`, and then the smallest shown while what is
    hidden is more than none but fewer than `least` (the whole less the rest would tell it)."""
    hidden = {key for key, count in counts.items() if count < least}
    shown = sorted((count, key) for key, count in counts.items() if key not in hidden)
    while shown and 0 < sum(counts[key] for key in hidden) < least:
        hidden.add(shown.pop(0)[1])
    return hidden


def shares(
    answers: Sequence[ConsultationAnswer],
    key: Callable[[ConsultationAnswer], str],
    labels: dict[str, str],
    least: int,
    shown: bool = True,
) -> list[Share]:
    """The answers by `key`, in the order of `labels` (each label shown, answered or not; its
    figures None where too few answered, or nothing is `shown`)."""
    by: dict[str, list[ConsultationAnswer]] = {}
    for answer in answers:
        by.setdefault(key(answer), []).append(answer)
    hidden = hidden_shares({k: len(group) for k, group in by.items()}, least)
    result = []
    for k, label in labels.items():
        group = by.get(k, [])
        if k in hidden or not shown:
            result.append(Share(label, None, None, None))
        else:
            result.append(
                Share(
                    label,
                    len(group),
                    _mean([a.hours_per_week for a in group]),
                    _mean([Decimal(a.agreement) for a in group]),
                )
            )
    return result


def consultation_results(
    *, session: Session, actor: Actor, consultation_id: int, today: date
) -> Results:
    """A consultation's answers, for anyone who may see its policy."""
    consultation = consultation_seen(session, actor, consultation_id)
    version = version_queries.get_version(session, consultation.version_id)
    policy = version_queries.policy_of_version(session, version)
    trust = people_queries.get_trust(session, consultation.trust_id)
    assert trust is not None
    least = trust.consultation_min_group
    answers = queries.answers_of(session, consultation_id)
    invited, answered = queries.invitation_counts(session, consultation_id)
    rubric = rubric_queries.rubric_of_version(session, version)
    schools = policy_queries.list_schools(
        session,
        policy.trust_id,
        None if policy.school_id is None else frozenset({policy.school_id}),
    )
    school_labels = {str(school.id): school.name for school in schools}
    if policy.school_id is None:
        school_labels[""] = "The trust's central staff"
    group_labels = {g.id: g.label for g in rubric.staff_groups if g.id in consultation.staff_groups}
    now = standing(consultation, today)
    shown = now is Standing.CLOSED and answered >= least
    said = answers if shown else []
    agreements = Counter(answer.agreement for answer in said)
    by_school = shares(said, lambda a: str(a.school_id or ""), school_labels, least, shown)
    by_group = shares(said, lambda a: a.staff_group, group_labels, least, shown)
    # Across schools, one table less the other could tell a few apart (one school is the whole).
    if len(school_labels) > 1 and not _apart_only(said, least):
        by_school = shares([], lambda a: "", school_labels, least, False)
    return Results(
        consultation=consultation,
        policy=policy,
        standing=now,
        by_author=actor.holds(Role.AUTHOR, policy.school_id),
        invited=invited,
        answered=answered,
        min_group=least,
        shown=shown,
        hours_per_week=_mean([a.hours_per_week for a in said]),
        agreement=_mean([Decimal(a.agreement) for a in said]),
        agreement_counts=[(label, agreements[value]) for value, label in AGREEMENT.items()]
        if shown
        else [],
        by_school=by_school,
        by_group=by_group,
        predictions=predictions(session, version, consultation.staff_groups, None),
        comments=[(a.concerns, a.would_help) for a in said if a.concerns or a.would_help],
        themes=queries.themes_of(session, consultation_id),
    )


def _apart_only(answers: Sequence[ConsultationAnswer], least: int) -> bool:
    """Whether the breakdowns by school and by group may both be shown: only where each school's
    each group is none or at least `least`, else one table less the other tells a few apart
    (a school's 6 less its 5 teachers is its one support assistant)."""
    cells = Counter((a.school_id, a.staff_group) for a in answers)
    return all(count >= least for count in cells.values())


@dataclass(frozen=True)
class Line:
    """A consultation as a version's pages, its review and its report show it."""

    consultation: Consultation
    standing: Standing
    invited: int
    answered: int
    themes: list[ConsultationTheme]

    @property
    def rate(self) -> int | None:
        return rate(self.answered, self.invited)


def consultations_of(*, session: Session, actor: Actor, version_id: int, today: date) -> list[Line]:
    """A version's consultations, first opened first, for anyone who may see the version."""
    version_seen(session, actor, version_id)
    return [
        Line(
            c,
            standing(c, today),
            *queries.invitation_counts(session, c.id or 0),
            queries.themes_of(session, c.id or 0),
        )
        for c in queries.consultations_of_version(session, version_id)
    ]
