"""The policy catalogue: which policies a trust of each kind must or should have, and how
often each is reviewed, read from a `catalogues/*.yaml` file (catalogues/README.md).

A catalogue is data, checked like a rubric file: unknown keys are refused and every problem
is reported at once with its place. It is offered to a trust as its first policy schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from assessments.kernel.data_files import (
    DataFileError,
    PlacedProblems,
    at,
    duplicate_ids,
    read_mapping,
    validated,
)
from assessments.rubrics.fields import Identifier, Strict, Text


class TrustKind(StrEnum):
    """The legal kind of a trust, which decides the policies the law asks of it."""

    ACADEMY_TRUST = "academy-trust"
    MAINTAINED_SCHOOL = "maintained-school"


class CatalogueError(DataFileError):
    """A catalogue file that cannot be used; each line names the file, the place and the problem."""


class Source(Strict):
    """A document the entries rest on, with the date of the version read."""

    id: Identifier
    title: Text
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    version_date: dt.date
    note: str = ""


class Entry(Strict):
    """One policy: whether the law asks for it, of which kinds of trust, and its review cycle."""

    id: Identifier
    title: Text
    statutory: bool
    applies_to: list[TrustKind]
    review_every_years: int = Field(ge=1, le=4)
    source: Identifier | None = None  # required when statutory: the law must be traceable
    note: str = ""

    @field_validator("applies_to")
    @classmethod
    def _kinds_named_once(cls, kinds: list[TrustKind]) -> list[TrustKind]:
        if not kinds:
            raise ValueError(f"name at least one kind of trust ({_kinds()})")
        repeated = sorted({kind.value for kind in kinds if kinds.count(kind) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is named more than once")
        return kinds


class Catalogue(Strict):
    id: Identifier
    title: Text
    compiled: dt.date  # when the sources were last read against the entries
    sources: list[Source] = Field(min_length=1)
    entries: list[Entry] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = [*self._duplicate_id_problems(), *self._source_problems()]
        if problems:
            raise PlacedProblems(problems)
        return self

    def _duplicate_id_problems(self) -> Iterator[str]:
        yield from duplicate_ids(
            "source", [(at("sources", i, s.id), s.id) for i, s in enumerate(self.sources)]
        )
        yield from duplicate_ids(
            "entry", [(at("entries", i, e.id), e.id) for i, e in enumerate(self.entries)]
        )

    def _source_problems(self) -> Iterator[str]:
        known = ", ".join(s.id for s in self.sources)
        for index, entry in enumerate(self.entries):
            place = f"{at('entries', index, entry.id)}.source"
            if entry.source is None:
                if entry.statutory:
                    yield f"{place}: a statutory policy needs a source: one of {known}"
            elif self.source(entry.source) is None:
                yield f"{place}: {entry.source!r} is not one of the catalogue's sources ({known})"

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


def schedule_for(catalogue: Catalogue, kind: TrustKind | str) -> list[Entry]:
    """The entries that apply to a trust of this kind, in the catalogue's order; an unknown
    kind is an error rather than an empty schedule, which would look like nothing is due."""
    wanted = TrustKind(kind)
    return [entry for entry in catalogue.entries if wanted in entry.applies_to]


def parse_catalogue(document: Any, path: Path | str) -> Catalogue:
    """Validate a catalogue already read from YAML, reporting every problem with its place."""
    return validated(Catalogue, document, path, CatalogueError)


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate one catalogue YAML file."""
    return parse_catalogue(read_mapping(path, "catalogue fields", CatalogueError), path)


def _kinds() -> str:
    return ", ".join(kind.value for kind in TrustKind)
