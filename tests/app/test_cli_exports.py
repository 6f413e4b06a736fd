"""The `wia` command line for auditors: the register exported offline, and the audit check."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from assessments.kernel.db import create_db_engine
from assessments.register.schemas import COLUMNS
from tests.factories.cli import rows, wia


def seeded(url: str) -> None:
    """The demo trust with its approved assessment and its draft."""
    for args in (("rubric", "publish"), ("demo",)):
        result = wia(*args)
        assert result.exit_code == 0, result.output


def test_the_register_exports_as_csv_and_json_with_the_chain_head(migrated: str) -> None:
    seeded(migrated)
    [(seq, mac)] = rows(migrated, "SELECT seq, hash FROM audit_head WHERE chain = 1")

    every = wia("export", "register", "--format", "csv")
    approved = wia("export", "register", "--format", "csv", "--status", "approved")
    as_json = wia("export", "register", "--format", "json", "--text", "MT-002")

    assert every.exit_code == 0, every.output
    table = list(csv.reader(io.StringIO(every.stdout.removeprefix("\ufeff"))))
    assert table[0] == list(COLUMNS)
    at = COLUMNS.index("audit_chain_head")
    head = table[1][at]  # the demo trust's signed head
    assert head.startswith(f"wia-audit-v1:trust-1:{seq}:{mac}:")
    assert [(r[1], r[5], r[at]) for r in table[1:]] == [
        ("MK-001", "approved", head),
        ("MT-002", "draft", head),
    ]
    assert len(list(csv.reader(io.StringIO(approved.stdout)))) == 2  # the header and MK-001
    document = json.loads(as_json.stdout)
    assert document["audit_chain_head"] == head
    assert [row["policy_reference"] for row in document["rows"]] == ["MT-002"]


def test_a_bad_filter_is_refused_with_a_message(migrated: str) -> None:
    seeded(migrated)
    for args, code, message in (
        (("--format", "xml"), 1, "--format must be csv or json"),
        (("--from", "31/02/2027"), 2, "Invalid value for '--from': Enter a real date"),
    ):
        result = wia("export", "register", *args)
        assert result.exit_code == code
        assert message in result.output


def test_audit_verify_finds_a_tampered_event(migrated: str) -> None:
    seeded(migrated)
    intact = wia("audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.splitlines()[1].startswith("Trust 'Demo Learning Trust': intact, ")

    engine = create_db_engine(migrated)
    with engine.begin() as connection:  # someone with database access edits one record
        connection.execute(
            sa.text("UPDATE audit_event SET actor_name = 'Someone' WHERE chain = 1 AND seq = 5")
        )
    engine.dispose()
    broken = wia("audit", "verify")

    assert broken.exit_code == 1
    said = (
        "Trust 'Demo Learning Trust': broken at event 5: "
        "its content was changed after it was recorded."
    )
    assert said in broken.stderr
