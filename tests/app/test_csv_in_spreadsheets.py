"""Every CSV the service writes, opened in LibreOffice (Debian's libreoffice-calc, headless) split
on commas, semicolons and tabs: not one cell becomes a formula, however hostile the text, and
every value reads back by the README's rule (csv_cells.original_text)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import mitigation
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.db import unit_of_work
from assessments.register.csv_cells import original_text
from assessments.register.export import ACTION_COLUMNS
from assessments.register.schemas import COLUMNS
from assessments.workflow import transitions as workflow
from tests.databases import prepared_engine
from tests.factories.answers import MITIGATION
from tests.factories.audit import sql
from tests.factories.cli import wia
from tests.factories.people import make_api_token, make_person
from tests.factories.trusts import AUTHOR, make_school
from tests.factories.versions import fill_in, make_draft

pytestmark = pytest.mark.libreoffice

# Text that a spreadsheet would run, whole or after a separator or line break, with and
# without the spaces and quotes LibreOffice skips; and text that only looks like the mark.
# Each at most 35 characters, so that a reference (40) can hold it and its suffix.
HOSTILE = [
    "x;=cmd|' /C calc'!A0",
    '=HYPERLINK("http://e.example","go")',
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "a\t=1+1",
    "a\n=1+1",
    "a\r\n=2+2",
    "a\r=3+3",
    " =1+1",
    "x; =1+1",
    'x;"=1+1"',
    'x; "=1+1"',
    "x,=1+1",
    "x, =cmd|' /C calc'!A0",
    "'=1+1",
    "x;'=1+1",
    "''",
    "\uff1d1+1",
    "a;b;=1+1;c,=2+2\t=3+3",
    '"=1+1"',
    ' "=1+1"',
    "=1+1,=2+2;=3+3",
    "x;\t;=1",
    "plain, text; with separators",
    "x;+1;-1;@A1",
]
SEPARATORS = {"comma": 44, "semicolon": 59, "tab": 9}
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def hostile(k: int, field: int) -> str:
    """Text `field` of policy `k`: across the policies every field holds every HOSTILE text."""
    return HOSTILE[(k + field) % len(HOSTILE)]


ACTION_TEXT = ("description", "owner")


@dataclass(frozen=True)
class Written:
    """The text a person can write into each version's register row and one version's actions."""

    rows: dict[int, dict[str, str]]  # by version id: column -> text
    actions: dict[int, tuple[str, str]]  # by action id: description, owner
    actions_of: int  # the version whose actions those are


def add_hostile_actions(
    session: Session, actor: Actor, version_id: int
) -> dict[int, tuple[str, str]]:
    """Actions on the draft `version_id` (fill_in gave it its first) until every HOSTILE text
    is one action's description and another's owner: one actions file holds them all."""
    for _ in HOSTILE[1:]:
        mitigation.add_action(session=session, actor=actor, version_id=version_id, data=MITIGATION)
    ids = sql(
        session, "SELECT id FROM mitigating_action WHERE version_id = :v ORDER BY id", v=version_id
    ).scalars()
    texts = {action_id: (hostile(k, 0), hostile(k, 1)) for k, action_id in enumerate(ids)}
    assert len(texts) == len(HOSTILE)
    for action_id, (description, owner) in texts.items():
        sql(
            session,
            "UPDATE mitigating_action SET description = :d, owner = :o WHERE id = :id",
            d=description,
            o=owner,
            id=action_id,
        )
    return texts


def hostile_register(session: Session) -> Written:
    """Per HOSTILE text, a policy in a school of its own with one approved and one returned
    version (the first with an action per HOSTILE text, the others with one), written by
    people whose names are hostile. What the forms would refuse or strip (a reference's
    characters, leading spaces) is then written as a direct writer of the database could,
    before the version is decided (after, it is read-only)."""
    people = [
        make_person(session, text, Grant(Role.AUTHOR), Grant(Role.APPROVER)) for text in HOSTILE
    ]
    rows: dict[int, dict[str, str]] = {}
    actions: dict[int, tuple[str, str]] = {}
    actions_of = 0
    for k in range(len(HOSTILE)):
        school = make_school(session, f"School {k}")
        author, approver = people[(k + 3) % len(HOSTILE)], people[(k + 4) % len(HOSTILE)]
        for decision, offset in (("approved", 0), ("returned", 6)):
            version = make_draft(session, actor=author, school_id=school.id)
            assert version.id is not None
            fill_in(session, version.id, author)
            if not actions:
                actions, actions_of = add_hostile_actions(session, author, version.id), version.id
            workflow.submit(session=session, actor=author, version_id=version.id)
            reference = f"{hostile(k, offset + 2)};={k}{decision[0]}"  # a reference is unique
            row = {
                "policy_reference": reference,
                "policy_title": hostile(k, 3),
                "school": hostile(k, 4),
                "author": author.name,
            }
            if decision == "approved":
                workflow.approve(session=session, actor=approver, version_id=version.id)
                row |= {"approver": approver.name, "decision_reason": ""}
            else:
                workflow.return_version(
                    session=session, actor=approver, version_id=version.id, reason="Redo"
                )
                row |= {"approver": "", "decision_reason": hostile(k, 5)}
                sql(
                    session,
                    "UPDATE assessment_version SET decision_reason = :r WHERE id = :id",
                    r=row["decision_reason"],
                    id=version.id,
                )
            sql(
                session,
                "UPDATE policy SET reference = :r, title = :t WHERE id = "
                "(SELECT policy_id FROM assessment WHERE id = :a)",
                r=row["policy_reference"],
                t=row["policy_title"],
                a=version.assessment_id,
            )
            rows[version.id] = row
        sql(session, "UPDATE school SET name = :n WHERE id = :id", n=hostile(k, 4), id=school.id)
    session.commit()
    return Written(rows, actions, actions_of)


def table_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def assert_register_reads_back(text: str, written: Written) -> None:
    """The file's text cells, less the rule's quotes, are the hostile texts written."""
    header, *rows = table_of(text)
    assert tuple(header) == COLUMNS
    read = {}
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        read[int(cells["version_id"])] = {
            name: original_text(cells[name]) for name in written.rows[int(cells["version_id"])]
        }
    assert read == written.rows


@dataclass(frozen=True)
class Opened:
    cells: int  # cells with content, in every file and every way of splitting
    formulas: list[tuple[str, str, str]]  # (split, file, formula)


def open_in_libreoffice(files: list[Path], work: Path) -> Opened:
    """Every file converted to flat ODS by LibreOffice split on each separator, with and without
    "trim spaces", formulas evaluated: one soffice run for all the files of each way."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is needed: apt-get install libreoffice-calc (make test does)")
    profile = (work / "profile").as_uri()  # a private profile: no other soffice interferes
    cells, formulas = 0, []
    for name, code in SEPARATORS.items():
        for trim in ("false", "true"):
            # Tokens: separator, text delimiter ", UTF-8, from line 1, no column formats, en-US,
            # quoted field as text no, detect special numbers, -, -, trim spaces, -, evaluate
            # formulas (the worst case a reader could choose).
            options = f"{code},34,76,1,,1033,false,true,false,false,{trim},-1,true"
            out = work / f"{name}-{trim}"
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    f"--infilter=CSV:{options}",
                    "--convert-to",
                    "fods",
                    "--outdir",
                    str(out),
                    *map(str, files),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            for file in files:
                tree = ET.parse(out / f"{file.stem}.fods")
                for cell in tree.iter(f"{{{TABLE}}}table-cell"):
                    if (formula := cell.get(f"{{{TABLE}}}formula")) is not None:
                        formulas.append((f"{name}, trim {trim}", file.name, formula))
                    if cell.find(f"{{{TEXT}}}p") is not None:
                        cells += 1
    return Opened(cells, formulas)


def test_no_export_cell_becomes_a_formula_in_libreoffice_split_any_way(
    client: TestClient,
    session: Session,
    rubric_published: None,
    cli_database: str,
    tmp_path: Path,
) -> None:
    written = hostile_register(session)
    with unit_of_work(engine := prepared_engine(cli_database)) as other:  # for `wia export`
        written_for_cli = hostile_register(other)
    engine.dispose()
    token = make_api_token(session, AUTHOR)
    exports = {
        "page.csv": client.get("/register.csv"),
        "api.csv": client.get(
            "/api/v1/register?format=csv", headers={"Authorization": f"Bearer {token}"}
        ),
        "actions.csv": client.get(f"/assessments/{written.actions_of}/actions.csv"),
    }
    texts = {name: response.text for name, response in exports.items()}
    assert {name: r.status_code for name, r in exports.items()} == dict.fromkeys(exports, 200)
    cli = wia("export", "register", "--format", "csv")
    assert cli.exit_code == 0, cli.output
    texts["cli.csv"] = cli.stdout
    for name in ("page.csv", "api.csv"):
        assert_register_reads_back(texts[name], written)
    assert_register_reads_back(texts["cli.csv"], written_for_cli)
    header, *rows = table_of(texts["actions.csv"])
    assert tuple(header) == ACTION_COLUMNS
    read = {}
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        read[int(cells["action_id"])] = tuple(original_text(cells[name]) for name in ACTION_TEXT)
    assert read == written.actions
    # A file that gives one formula however it is split, so that 0 below means neutralised.
    texts["canary.csv"] = "\ufeffformula\r\n=1+1\r\n"
    files = []
    for name, text in texts.items():
        (path := tmp_path / name).write_text(text, encoding="utf-8", newline="")
        files.append(path)

    opened = open_in_libreoffice(files, tmp_path)

    canary = [f for f in opened.formulas if f[1] == "canary.csv"]
    assert [f[2] for f in canary] == ["of:=1+1"] * 2 * len(SEPARATORS)
    assert [f for f in opened.formulas if f[1] != "canary.csv"] == []
    # Split on commas (with and without trimming), each file's every non-empty cell was seen.
    written_cells = sum(
        bool(cell) for text in texts.values() for row in table_of(text) for cell in row
    )
    assert opened.cells > 2 * written_cells
    print(f"LibreOffice: {opened.cells} cells of {len(files) - 1} exports, 0 formulas")
