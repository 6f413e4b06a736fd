"""The policy catalogue: the shipped file loads and says what its sources say, each kind of
trust is given its own schedule, and a bad file is refused with every problem and its place."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import PROJECT_ROOT
from assessments.policies.policy_catalogue import (
    Catalogue,
    CatalogueError,
    TrustKind,
    load_catalogue,
    schedule_for,
)
from tests.factories.rubrics import write_yaml

CATALOGUE_PATH = PROJECT_ROOT / "catalogues" / "england-policies.yaml"
SHIPPED: dict[str, Any] = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))

BOTH = {TrustKind.ACADEMY_TRUST, TrustKind.MAINTAINED_SCHOOL}
WORKLOAD_DRIVERS = {
    "marking-and-feedback",
    "assessment-and-data",
    "planning",
    "staff-communications-and-email",
    "school-calendar",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


def shipped() -> dict[str, Any]:
    return copy.deepcopy(SHIPPED)


def place_of(document: dict[str, Any], entry_id: str) -> tuple[str, dict[str, Any]]:
    """Where an entry is, as the error messages name it, and the entry."""
    for index, entry in enumerate(document["entries"]):
        if entry["id"] == entry_id:
            return f"entries[{index}] ({entry_id})", entry
    raise AssertionError(f"no entry {entry_id!r} in the shipped catalogue")


def problems(folder: Path, document: object) -> list[str]:
    path = write_yaml(folder, document, name="bad-catalogue.yaml")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    return [line.removeprefix(f"{path}: ") for line in str(error.value).splitlines()]


class TestTheShippedCatalogue:
    def test_it_loads_with_its_sources_and_the_date_it_was_compiled(
        self, catalogue: Catalogue
    ) -> None:
        assert catalogue.compiled == dt.date(2026, 12, 3)
        urls = {source.url for source in catalogue.sources}
        assert (
            "https://www.gov.uk/guidance/governance-in-maintained-schools/"
            "statutory-policies-for-maintained-schools"
        ) in urls
        assert (
            "https://www.gov.uk/guidance/governance-in-academy-trusts/"
            "statutory-guidance-and-additional-resources-for-trusts"
        ) in urls

    def test_equality_objectives_are_statutory_for_both_every_4_years(
        self, catalogue: Catalogue
    ) -> None:
        entry = catalogue.entry("equality-objectives")
        assert entry is not None
        assert (entry.statutory, set(entry.applies_to), entry.review_every_years) == (
            True,
            BOTH,
            4,
        )

    def test_the_accessibility_plan_is_statutory_for_both_every_3_years(
        self, catalogue: Catalogue
    ) -> None:
        entry = catalogue.entry("accessibility-plan")
        assert entry is not None
        assert (entry.statutory, set(entry.applies_to), entry.review_every_years) == (
            True,
            BOTH,
            3,
        )

    def test_safeguarding_is_statutory_for_both_and_reviewed_yearly(
        self, catalogue: Catalogue
    ) -> None:
        entry = catalogue.entry("safeguarding-and-child-protection")
        assert entry is not None
        assert (entry.statutory, set(entry.applies_to), entry.review_every_years) == (
            True,
            BOTH,
            1,
        )

    def test_the_workload_drivers_are_offered_to_both_but_not_as_statutory(
        self, catalogue: Catalogue
    ) -> None:
        drivers = [e for e in catalogue.entries if e.id in WORKLOAD_DRIVERS]
        assert {e.id for e in drivers} == WORKLOAD_DRIVERS
        assert all(not e.statutory and set(e.applies_to) == BOTH for e in drivers)

    def test_every_statutory_entry_cites_a_source_a_reader_can_open(
        self, catalogue: Catalogue
    ) -> None:
        for entry in catalogue.entries:
            if entry.statutory:
                source = catalogue.source(entry.source or "")
                assert source is not None and source.url, entry.id


class TestSchedules:
    def test_only_maintained_schools_are_given_governors_allowances(
        self, catalogue: Catalogue
    ) -> None:
        maintained = [e.id for e in schedule_for(catalogue, TrustKind.MAINTAINED_SCHOOL)]
        academy = [e.id for e in schedule_for(catalogue, "academy-trust")]
        assert "governors-allowances" in maintained
        assert "governors-allowances" not in academy

    def test_academy_trusts_are_given_what_their_guide_lists(self, catalogue: Catalogue) -> None:
        academy = {e.id for e in schedule_for(catalogue, TrustKind.ACADEMY_TRUST)}
        assert {"school-complaints", "school-uniform", "send", "school-food"} <= academy

    def test_a_schedule_keeps_the_catalogues_order(self, catalogue: Catalogue) -> None:
        order = [e.id for e in catalogue.entries]
        for kind in TrustKind:
            ids = [e.id for e in schedule_for(catalogue, kind)]
            assert ids == sorted(ids, key=order.index)
            assert ids[0] == "admission-arrangements"

    def test_an_unknown_kind_is_refused_rather_than_given_nothing(
        self, catalogue: Catalogue
    ) -> None:
        with pytest.raises(ValueError, match="free-school"):
            schedule_for(catalogue, "free-school")


class TestEntryErrors:
    def test_an_unknown_key_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "homework")
        entry["reviewed"] = "yearly"
        assert problems(tmp_path, document) == [f"{where}.reviewed: Extra inputs are not permitted"]

    def test_a_review_cycle_above_4_years_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "accessibility-plan")
        entry["review_every_years"] = 5
        assert problems(tmp_path, document) == [
            f"{where}.review_every_years: Input should be less than or equal to 4"
        ]

    def test_an_entry_for_no_kind_of_trust_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "homework")
        entry["applies_to"] = []
        assert problems(tmp_path, document) == [
            f"{where}.applies_to: name at least one kind of trust "
            "(academy-trust, maintained-school)"
        ]

    def test_a_kind_named_twice_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "governors-allowances")
        entry["applies_to"] = ["maintained-school", "maintained-school"]
        assert problems(tmp_path, document) == [
            f"{where}.applies_to: maintained-school is named more than once"
        ]

    def test_an_unknown_kind_is_refused_with_the_kinds_there_are(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "homework")
        entry["applies_to"] = ["academy-trust", "free-school"]
        assert problems(tmp_path, document) == [
            f"{where}.applies_to[1]: Input should be 'academy-trust' or 'maintained-school'"
        ]


class TestCrossFieldErrors:
    def test_a_duplicate_entry_id_names_both_places(self, tmp_path: Path) -> None:
        document = shipped()
        first, _ = place_of(document, "homework")
        last = len(document["entries"])
        document["entries"].append({**document["entries"][-1]})
        assert problems(tmp_path, document) == [
            f"entries[{last}] (homework).id: duplicate entry id 'homework' (also {first})"
        ]

    def test_a_duplicate_source_id_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        document["sources"].append({**document["sources"][0]})
        ident = document["sources"][0]["id"]
        last = len(document["sources"]) - 1
        assert problems(tmp_path, document) == [
            f"sources[{last}] ({ident}).id: duplicate source id {ident!r} "
            f"(also sources[0] ({ident}))"
        ]

    def test_a_source_that_is_not_in_the_file_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "school-uniform")
        entry["source"] = "uniform-guidance"
        known = ", ".join(source["id"] for source in document["sources"])
        assert problems(tmp_path, document) == [
            f"{where}.source: 'uniform-guidance' is not one of the catalogue's sources ({known})"
        ]

    def test_a_statutory_entry_without_a_source_is_refused(self, tmp_path: Path) -> None:
        document = shipped()
        where, entry = place_of(document, "safeguarding-and-child-protection")
        del entry["source"]
        known = ", ".join(source["id"] for source in document["sources"])
        assert problems(tmp_path, document) == [
            f"{where}.source: a statutory policy needs a source: one of {known}"
        ]

    def test_a_non_statutory_entry_needs_no_source(self, tmp_path: Path) -> None:
        document = shipped()
        _, entry = place_of(document, "homework")
        assert "source" not in entry
        path = write_yaml(tmp_path, document, name="catalogue.yaml")
        assert load_catalogue(path).entry("homework") is not None

    def test_every_problem_is_reported_at_once(self, tmp_path: Path) -> None:
        document = shipped()
        uniform, uniform_entry = place_of(document, "school-uniform")
        homework, homework_entry = place_of(document, "homework")
        uniform_entry["review_every_years"] = 0
        homework_entry["statutory"] = "sometimes"
        del document["compiled"]
        assert problems(tmp_path, document) == [
            "compiled: Field required",
            f"{uniform}.review_every_years: Input should be greater than or equal to 1",
            f"{homework}.statutory: Input should be a valid boolean, unable to interpret input",
        ]


class TestUnreadableFiles:
    def test_a_key_given_twice_is_refused_with_its_line(self, tmp_path: Path) -> None:
        text = CATALOGUE_PATH.read_text(encoding="utf-8")
        lines = text.splitlines()
        line = lines.index("    review_every_years: 4")
        lines.insert(line + 1, "    review_every_years: 1")
        path = tmp_path / "twice.yaml"
        path.write_text("\n".join(lines), encoding="utf-8")
        with pytest.raises(CatalogueError) as error:
            load_catalogue(path)
        message = str(error.value)
        assert message.startswith(f"{path}: not valid YAML")
        assert "found the key 'review_every_years' twice" in message
        assert f"line {line + 2}" in message

    def test_a_file_that_is_not_a_mapping_is_refused(self, tmp_path: Path) -> None:
        assert problems(tmp_path, ["admission-arrangements"]) == [
            "(top level): expected a mapping of catalogue fields"
        ]
