"""What staff said about a draft, for auditors and the trust's own tools: a version's
consultations (through the register, and formal ones) and each one's results, with a school
or staff group too small to show anonymously given as null, as on its page."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import ActorDep, Id, SessionDep
from assessments.consultations.formal import formal_of
from assessments.consultations.results import (
    Results,
    Share,
    consultation_results,
    consultations_of,
    rate,
)
from assessments.consultations.schemas import (
    CommentRead,
    ConsultationRead,
    ConsultationResultsRead,
    FormalRead,
    PredictionRead,
    ShareRead,
    ThemeRead,
    VersionConsultationsRead,
)
from assessments.kernel.clock import today
from assessments.models import Consultation, ConsultationTheme

router = APIRouter()
# What a consultation's row says of itself (the rest is counted, or read from its themes).
_OWN_FIELDS = set(ConsultationRead.model_fields) - {
    "standing",
    "invited",
    "answered",
    "response_rate",
    "themes",
}


@router.get("/assessment-versions/{version_id}/consultations")
def list_consultations(
    version_id: Id, session: SessionDep, actor: ActorDep
) -> VersionConsultationsRead:
    """A version's staff consultations, first opened first, and its formal consultations."""
    lines = consultations_of(session=session, actor=actor, version_id=version_id, today=today())
    formal = formal_of(session=session, actor=actor, version_id=version_id)
    return VersionConsultationsRead(
        version_id=version_id,
        consultations=[
            _read(c.consultation, c.standing, c.invited, c.answered, c.themes) for c in lines
        ],
        formal=[FormalRead.model_validate(f, from_attributes=True) for f in formal],
    )


@router.get("/consultations/{consultation_id}")
def get_consultation(
    consultation_id: Id, session: SessionDep, actor: ActorDep
) -> ConsultationResultsRead:
    """A consultation's results: its figures overall, by school and by staff group, beside the
    author's estimate; what staff wrote; and the author's answer to each theme."""
    results = consultation_results(
        session=session, actor=actor, consultation_id=consultation_id, today=today()
    )
    return _results_read(results)


def _read(
    consultation: Consultation,
    standing: str,
    invited: int,
    answered: int,
    themes: list[ConsultationTheme],
) -> ConsultationRead:
    return ConsultationRead.model_validate(
        {
            **consultation.model_dump(include=_OWN_FIELDS),
            "standing": standing,
            "invited": invited,
            "answered": answered,
            "response_rate": rate(answered, invited),
            "themes": [ThemeRead.model_validate(t, from_attributes=True) for t in themes],
        }
    )


def _share(share: Share) -> ShareRead:
    return ShareRead.model_validate(share, from_attributes=True)


def _results_read(results: Results) -> ConsultationResultsRead:
    line = _read(
        results.consultation, results.standing, results.invited, results.answered, results.themes
    )
    return ConsultationResultsRead(
        **line.model_dump(),
        min_group=results.min_group,
        shown=results.shown,
        hours_per_week=results.hours_per_week,
        agreement=results.agreement,
        agreement_counts=dict(results.agreement_counts),
        by_school=[_share(share) for share in results.by_school],
        by_group=[_share(share) for share in results.by_group],
        predictions=[
            PredictionRead(label=p.label, hours_per_week=p.hours_per_week)
            for p in results.predictions
        ],
        comments=[CommentRead(concerns=c, would_help=h) for c, h in results.comments],
    )
