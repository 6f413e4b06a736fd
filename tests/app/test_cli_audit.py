"""`wia audit verify` and `wia audit checkpoint`: every chain reported on its own, checkpoints
given or kept in a witness file catching what the key alone cannot, and forged checkpoints,
unreadable rows and a missing key refused with a message, never a traceback."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.settings import get_settings
from assessments.kernel.audit_keys import DEVELOPMENT_AUDIT_KEY
from assessments.kernel.db import create_db_engine
from tests.app.test_cli_exports import seeded
from tests.factories.audit import rewrite
from tests.factories.cli import rows, wia

DEMO = "Trust 'Demo Learning Trust'"


@pytest.fixture
def demo(migrated: str) -> Iterator[sa.Engine]:
    seeded(migrated)
    engine = create_db_engine(migrated)
    yield engine
    engine.dispose()


def head_of_export() -> str:
    """The signed head a register export handed out."""
    table = csv.reader(io.StringIO(wia("export", "register").stdout.removeprefix("\ufeff")))
    header, first = next(table), next(table)
    return first[header.index("audit_chain_head")]


def test_verify_reports_each_chain_and_one_trust_when_asked(demo: sa.Engine) -> None:
    [(events,)] = rows(str(demo.url), "SELECT count(*) FROM audit_event WHERE chain = 1")

    every = wia("audit", "verify")
    one = wia("audit", "verify", "--trust", "Demo Learning Trust")

    assert every.exit_code == 0, every.output
    lines = every.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Installation", DEMO]
    assert lines[1].startswith(f"{DEMO}: intact, {events} events, 0 checkpoints witnessed; head ")
    assert lines[1].endswith(head_of_export())
    assert one.stdout.splitlines() == lines[1:]


def test_a_rewrite_with_the_key_is_caught_by_a_kept_checkpoint_or_witness_file(
    demo: sa.Engine, tmp_path: Path
) -> None:
    kept = head_of_export()
    witness = tmp_path / "witness.log"
    assert wia("audit", "checkpoint", "--file", witness).exit_code == 0
    with Session(demo) as session:  # someone with the database and the key, not the file
        rewrite(session, 3, key=DEVELOPMENT_AUDIT_KEY, chain=1, actor_name="Someone Else")
        session.commit()

    assert wia("audit", "verify").exit_code == 0  # the key alone cannot tell
    given = wia("audit", "verify", "--witness", kept)
    from_file = wia("audit", "verify", "--witness-file", witness)

    for result in (given, from_file):
        assert result.exit_code == 1
        assert f"{DEMO}: broken at event " in result.stderr
        assert "signed checkpoint witnessed (rewritten)" in result.stderr
        assert "Traceback" not in result.output


def test_a_wiped_trail_is_caught_by_the_witness_file_the_service_is_configured_with(
    demo: sa.Engine, tmp_path: Path, fresh_settings: pytest.MonkeyPatch
) -> None:
    witness = tmp_path / "witness.log"
    fresh_settings.setenv("WIA_AUDIT_WITNESS_FILE", str(witness))
    get_settings.cache_clear()  # `migrated` read them without
    assert wia("audit", "checkpoint").exit_code == 0
    with demo.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_event"))
        connection.execute(sa.text("DELETE FROM audit_head"))

    result = wia("audit", "verify")  # reads the configured file

    assert result.exit_code == 1
    assert "the chain was cut short or wiped" in result.stderr


def test_a_forged_checkpoint_is_refused(demo: sa.Engine) -> None:
    kept = head_of_export()
    forged = kept[:-1] + ("0" if kept[-1] != "0" else "1")

    result = wia("audit", "verify", "--witness", forged)
    nonsense = wia("audit", "verify", "--witness", "not a checkpoint")

    assert result.exit_code == nonsense.exit_code == 1
    assert "Checkpoint refused: --witness: checkpoint" in result.stderr
    assert "is forged" in result.stderr
    assert "is not a checkpoint" in nonsense.stderr


def test_an_unreadable_event_is_broken_at_its_event_not_a_traceback(demo: sa.Engine) -> None:
    with demo.begin() as connection:
        connection.execute(
            sa.text("UPDATE audit_event SET changes = '{\"cut' WHERE chain = 1 AND seq = 4")
        )

    result = wia("audit", "verify")

    assert result.exit_code == 1
    assert f"{DEMO}: broken at event 4: unreadable: its changes are not valid JSON" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_audit_key_is_refused_outside_development_when_missing_or_short(
    migrated: str, fresh_settings: pytest.MonkeyPatch
) -> None:
    fresh_settings.setenv("WIA_ENVIRONMENT", "production")
    fresh_settings.setenv("WIA_SECRET_KEY", "a-real-secret-key-of-at-least-32-characters")
    for key in (
        None,
        "short",
        DEVELOPMENT_AUDIT_KEY,
        "a-real-secret-key-of-at-least-32-characters",
    ):
        if key is None:
            fresh_settings.delenv("WIA_AUDIT_KEY", raising=False)
        else:
            fresh_settings.setenv("WIA_AUDIT_KEY", key)
        get_settings.cache_clear()
        result = wia("audit", "verify")
        assert result.exit_code == 1
        assert "WIA_AUDIT_KEY must be set" in result.stderr
