"""The command line refuses bad ids, numbers, dates and text with a usage message naming the
option and exit code 2 (no traceback), before it touches the database."""

from __future__ import annotations

import pytest

from tests.factories.cli import rows, wia

BAD = [
    (("export", "register", "--school", "2147483648"), "--school"),
    (("export", "register", "--school", "9" * 5000), "--school"),
    (("export", "register", "--school", "²"), "--school"),
    (("export", "register", "--school", "\uff11"), "--school"),
    (("export", "register", "--school", "0"), "--school"),
    (("export", "register", "--school", "+1"), "--school"),
    (("export", "register", "--to", "31/12/9999"), "--to"),
    (("export", "register", "--from", "0001-01-01"), "--from"),
    (("export", "register", "--from", "31/02/2027"), "--from"),
    (("export", "register", "--text", "a\x00b"), "--text"),
    (("export", "register", "--rating", "a\x00b"), "--rating"),
    (("export", "register", "--trust", "\udcff"), "--trust"),  # a non-UTF-8 byte in argv
    (("school", "create", "Oak\x00"), "names"),
    (("school", "create", "Oak \udce9cole"), "names"),
    (("trust", "create", "Trust\x00"), "name"),
    (("audit", "verify", "--trust", "a\x00"), "--trust"),
    (("serve", "--port", "99999999999999999999"), "--port"),
    (("serve", "--fd", "-1"), "--fd"),
]


@pytest.mark.parametrize(("args", "option"), BAD, ids=lambda v: str(v)[:40])
def test_a_bad_value_is_a_usage_error_naming_the_option(
    migrated: str, args: tuple[str, ...], option: str
) -> None:
    before = rows(migrated, "SELECT count(*) FROM school")

    result = wia(*args)

    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert "Traceback" not in result.output
    assert rows(migrated, "SELECT count(*) FROM school") == before


def test_a_person_with_a_nul_in_their_email_is_refused(migrated: str) -> None:
    result = wia(
        "user",
        "create",
        "--trust",
        "T",
        "--email",
        "a\x00@b.example",
        "--name",
        "Pat",
        "--role",
        "admin",
        "--password",
        "a long enough password",
    )
    assert result.exit_code == 2
    assert "Invalid value for '--email'" in result.output


def test_the_widest_dates_allowed_still_export(migrated: str) -> None:
    assert wia("trust", "create", "Oak Trust").exit_code == 0
    result = wia("export", "register", "--from", "1900-01-01", "--to", "31/12/2999")
    assert result.exit_code == 0, result.output
