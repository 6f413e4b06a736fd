"""The register: every version of every assessment the actor may see, filtered, sorted and
paged for the page, or streamed in chunks of whole rows for an export of any size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.models import School, VersionStatus
from assessments.policies import trust_schools
from assessments.register import queries as register_queries
from assessments.register.schemas import RegisterFilter, RegisterRow
from assessments.rubrics import queries as rubric_queries

PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    pages: int


def register_page(
    *, session: Session, actor: Actor, chosen: RegisterFilter, page: int, today: date
) -> RegisterPage:
    """One page of the register, with the number of versions that match."""
    total = register_count(session=session, actor=actor, chosen=chosen, today=today)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = register_queries.page_of_rows(session, actor, chosen, today, size=PAGE_SIZE, page=page)
    return RegisterPage(rows, total, page, pages)


@dataclass(frozen=True)
class RegisterView:
    """The register's page: one page of rows, and the choices its filter offers."""

    result: RegisterPage
    schools: list[School]
    ratings: list[tuple[str, str]]
    statuses: list[VersionStatus] = field(default_factory=lambda: list(VersionStatus))

    def shown(self) -> dict[str, Any]:
        """What the page's template reads, by name."""
        return {
            "result": self.result,
            "schools": self.schools,
            "statuses": self.statuses,
            "ratings": self.ratings,
            "rating_labels": dict(self.ratings),
        }


def register_view(
    *, session: Session, actor: Actor, chosen: RegisterFilter, page: int, today: date
) -> RegisterView:
    """One page of the register under the filter, with the schools and ratings to filter by."""
    result = register_page(session=session, actor=actor, chosen=chosen, page=page, today=today)
    ratings = rating_bands(session)
    schools = trust_schools.list_schools(session=session, actor=actor)
    return RegisterView(result, schools, ratings)


def register_count(*, session: Session, actor: Actor, chosen: RegisterFilter, today: date) -> int:
    """How many versions match the filter."""
    return register_queries.count_rows(session, actor, chosen, today)


def register_rows(
    *, session: Session, actor: Actor, chosen: RegisterFilter, today: date
) -> Iterator[RegisterRow]:
    """Every matching version, read from the database in batches as they are consumed."""
    return register_queries.stream_rows(session, actor, chosen, today)


def audit_chain_head(session: Session, trust_id: int) -> str:
    """The signed checkpoint of the trust's audit chain's head, as every export carries it."""
    return audit.head_checkpoint(session, trust_id=trust_id)


def rating_bands(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every rating band of the published rubrics, to filter by."""
    bands: dict[str, str] = {}
    for rubric in rubric_queries.published_rubrics(session):
        for band in rubric.rating_bands:
            bands.setdefault(band.id, band.label)
    return list(bands.items())
