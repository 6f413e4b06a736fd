"""`wia import policies FILE`, as an operator runs it: the schedule's counts printed and its
policies imported, the same file again changing nothing, --dry-run changing nothing at all,
and a file with problems (or none at all) refused with every problem by line and column on
stderr, exit 1 and nothing imported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from app.cli import app
from tests.factories.cli import rows, wia
from tests.factories.spreadsheets import xlsx as workbook

TRUST = "Northfield Learning Trust"
HEADER = "reference,title,category,review_cycle_months,school,owner,next_review_date"
POLICIES = (
    "SELECT p.reference, p.title, p.category, s.name, p.owner, u.email, p.review_cycle_months,"
    " p.next_review_date, p.status, p.revision FROM policy p"
    " LEFT JOIN school s ON s.id = p.school_id"
    " LEFT JOIN user_account u ON u.id = p.owner_user_id ORDER BY p.reference"
)
IMPORTS = "SELECT actor_name, changes FROM audit_event WHERE entity = 'policy_schedule'"


def schedule(folder: Path, *lines: str, name: str = "schedule.csv", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\r\n".join([header, *lines]) + "\r\n", encoding="utf-8")
    return path


def xlsx(folder: Path, cells: Sequence[Sequence[object]], name: str = "schedule.xlsx") -> Path:
    path = folder / name
    path.write_bytes(workbook(cells))
    return path


def policies(url: str) -> list[tuple[object, ...]]:
    return [_plain(row) for row in rows(url, POLICIES)]


def _plain(row: tuple[object, ...]) -> tuple[object, ...]:
    """Dates as ISO text, whichever database read them (SQLite gives text, PostgreSQL dates)."""
    return tuple(value.isoformat() if isinstance(value, date) else value for value in row)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def trust(migrated: str) -> str:
    """A trust with a school and one person, Nia (an author at Oak Primary)."""
    ok(wia("trust", "create", TRUST))
    ok(wia("school", "create", "Oak Primary"))
    ok(
        CliRunner(env={"WIA_NEW_USER_PASSWORD": "ladder orchard quietly 47"}).invoke(
            app,
            [
                "user",
                "create",
                "--trust",
                TRUST,
                "--email",
                "nia.owner@northfield.example",
                "--name",
                "Nia Owner",
                "--role",
                "author@Oak Primary",
            ],
        )
    )
    return migrated


GOOD = (
    "TL-001,Marking and feedback,Assessment and marking,12,oak primary,Nia Owner,2027-07-31",
    "TL-002,Staff code of conduct,people-and-hr,24,,nia.owner@northfield.example,31/08/2027",
    "TL-003,Home learning,Teaching and learning,36,,Deputy Head,",
)
IMPORTED = [
    (
        "TL-001",
        "Marking and feedback",
        "assessment-and-marking",
        "Oak Primary",
        "Nia Owner",
        "nia.owner@northfield.example",
        12,
        "2027-07-31",
        "in-force",
        1,
    ),
    (
        "TL-002",
        "Staff code of conduct",
        "people-and-hr",
        None,
        "Nia Owner",
        "nia.owner@northfield.example",
        24,
        "2027-08-31",
        "in-force",
        1,
    ),
    (
        "TL-003",
        "Home learning",
        "teaching-and-learning",
        None,
        "Deputy Head",
        None,
        36,
        None,
        "in-force",
        1,
    ),
]


def test_a_schedule_is_imported_and_its_counts_printed(trust: str, tmp_path: Path) -> None:
    path = schedule(tmp_path, *GOOD)

    result = ok(wia("import", "policies", path))

    assert result.stdout == f"{path}: imported (3 add, 0 update, 0 unchanged)\n"
    assert result.stderr == ""
    assert policies(trust) == IMPORTED
    ((actor, changes),) = rows(trust, IMPORTS)
    assert actor == "command line"
    assert '"file":"schedule.csv"' in str(changes) and '"added":3' in str(changes)
    verified = ok(wia("audit", "verify"))
    assert f"Trust '{TRUST}': intact" in verified.stdout


def test_the_same_file_again_changes_nothing_and_a_changed_title_updates(
    trust: str, tmp_path: Path
) -> None:
    path = schedule(tmp_path, *GOOD)
    ok(wia("import", "policies", path))

    again = ok(wia("import", "policies", path))
    changed = schedule(
        tmp_path,
        "tl-001,Marking feedback and homework,Assessment and marking,12,Oak Primary,Nia Owner,",
        *GOOD[1:],
        name="changed.csv",
    )
    updated = ok(wia("import", "policies", changed))

    assert again.stdout == f"{path}: imported (0 add, 0 update, 3 unchanged)\n"
    assert updated.stdout == f"{changed}: imported (0 add, 1 update, 2 unchanged)\n"
    first, *others = policies(trust)
    assert first[:2] == ("TL-001", "Marking feedback and homework")  # its reference kept
    assert (first[7], first[9]) == ("2027-07-31", 2)  # an empty date leaves the date be
    assert others == IMPORTED[1:]


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(trust: str, tmp_path: Path) -> None:
    ok(wia("import", "policies", schedule(tmp_path, GOOD[0], name="first.csv")))
    before = policies(trust)
    path = schedule(tmp_path, "TL-001,Marking policy,other,12,,Head,", *GOOD[1:])

    result = ok(wia("import", "policies", "--dry-run", path))

    assert result.stdout == (
        f"{path}: would import (2 add, 1 update, 0 unchanged); nothing was changed\n"
    )
    assert policies(trust) == before
    assert len(rows(trust, IMPORTS)) == 1  # the first import's only


def test_an_xlsx_schedule_is_imported(trust: str, tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            [
                "Reference",
                "Title",
                "Category",
                "Review cycle (months)",
                "Owner",
                "Next review date",
            ],
            ["SG-01", "Child protection", "Safeguarding", 12, "Designated lead", date(2027, 1, 31)],
        ],
    )

    result = ok(wia("import", "policies", path))

    assert result.stdout == f"{path}: imported (1 add, 0 update, 0 unchanged)\n"
    assert [row[:2] + row[7:8] for row in policies(trust)] == [
        ("SG-01", "Child protection", "2027-01-31")
    ]


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_every_problem_is_printed_by_line_and_column_and_nothing_is_imported(
    trust: str, tmp_path: Path, dry_run: bool
) -> None:
    path = schedule(
        tmp_path,
        "OK-1,A fine policy,other,12,,Head,",
        "BAD-1,Unknown school,other,12,Elm Academy,Head,",
        "BAD-2,Unknown owner,other,12,,nobody@nowhere.example,",
        "BAD-3,Cycle zero,other,0,,Head,",
        "BAD-4,Cycle in words,other,twelve,,Head,",
        "BAD-5,Unknown category,gardening,12,,Head,",
        "BAD-6,Bad date,other,12,,Head,2027-13-01",
        "DUP-1,Twice,other,12,,Head,",
        "DUP-1,Twice again,other,12,,Head,",
    )

    result = wia("import", "policies", *(["--dry-run"] if dry_run else []), path)

    assert result.exit_code == 1
    assert result.stdout == ""
    cycle = "Enter the review cycle as a whole number of months from 1 to 60"
    lines = result.stderr.splitlines()
    assert lines[:6] == [
        f"{path}: line 3, school: No school of the trust is called “Elm Academy”",
        f"{path}: line 4, owner: Nobody in the trust has the email address nobody@nowhere.example",
        f"{path}: line 5, review_cycle_months: {cycle}",
        f"{path}: line 6, review_cycle_months: {cycle}",
        f"{path}: line 7, category: Use one of the categories: Teaching and learning, "
        "Assessment and marking, Behaviour, People and HR, Safeguarding, Communications, "
        "Data and administration, Health and safety, Other",
        f"{path}: line 8, next_review_date: Enter a real date, like 2027-07-31 or 31/07/2027",
    ]
    assert lines[6:] == [
        f"{path}: line 9, reference: DUP-1 is in the file more than once",
        f"{path}: line 10, reference: DUP-1 is in the file more than once",
        f"{path}: nothing was imported",
    ]
    assert policies(trust) == []
    assert rows(trust, IMPORTS) == []


def test_a_file_without_a_required_column_is_refused(trust: str, tmp_path: Path) -> None:
    path = schedule(tmp_path, "HR-01,Staff wellbeing,Head", header="Reference,Title,Owner")

    result = wia("import", "policies", path)

    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: the header row has no column category, review_cycle_months\n"
        f"{path}: nothing was imported\n"
    )
    assert policies(trust) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        ("reference,title\r\nHR-01,Café\r\n".encode("cp1252"), "is not UTF-8: upload CSV"),
        (b"\r\n,,,\r\n", "The file has no rows: start with a header row"),
        (b"reference,title\r\nHR-01,Staff,wellbeing\r\n", "Line 2: more cells than the header"),
    ],
    ids=["empty", "not utf-8", "no rows", "too many cells"],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(
    trust: str, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "schedule.csv"
    path.write_bytes(content)

    result = wia("import", "policies", path)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert policies(trust) == []


def test_a_csv_with_an_unclosed_quote_is_refused(trust: str, tmp_path: Path) -> None:
    path = schedule(
        tmp_path,
        "HR-01,Staff wellbeing,other,12,,Head,",
        'HR-02,Equality objectives,other,12,,"Deputy head',  # its quote never closed
        "HR-03,Remote education,other,12,,Head,",
        "HR-04,Attendance,other,12,,Head,",
    )

    result = wia("import", "policies", path)

    assert result.exit_code == 1, result.output
    assert policies(trust) == []


def test_an_xlsx_with_a_formula_is_refused(trust: str, tmp_path: Path) -> None:
    path = xlsx(tmp_path, [["reference", "title"], ["HR-01", '=HYPERLINK("http://evil.example")']])

    result = wia("import", "policies", path)

    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: Row 2, column 2: a formula, not a value. Copy the cells and paste them as "
        "values only\n"
    )
    assert policies(trust) == []


@pytest.mark.usefixtures("trust")
def test_a_missing_file_or_a_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"

    absent = wia("import", "policies", missing)
    folder = wia("import", "policies", tmp_path)

    assert (absent.exit_code, folder.exit_code) == (1, 1)
    assert absent.stderr == f"{missing}: No such file or directory\n"
    assert folder.stderr == f"{tmp_path}: Is a directory\n"


def test_with_several_trusts_the_trust_is_named(trust: str, tmp_path: Path) -> None:
    ok(wia("trust", "create", "Riverside Schools Trust"))
    path = schedule(tmp_path, "HR-01,Staff wellbeing,other,12,,Head,")

    unnamed = wia("import", "policies", path)
    unknown = wia("import", "policies", "--trust", "Nowhere Trust", path)
    named = ok(wia("import", "policies", "--trust", "Riverside Schools Trust", path))

    assert unnamed.exit_code == 1
    assert "Name the trust with --trust: there are 2" in unnamed.stderr
    assert unknown.exit_code == 1
    assert "There is no trust called 'Nowhere Trust'" in unknown.stderr
    assert named.stdout == f"{path}: imported (1 add, 0 update, 0 unchanged)\n"
    assert rows(
        trust, "SELECT t.name, p.reference FROM policy p JOIN trust t ON t.id = p.trust_id"
    ) == [("Riverside Schools Trust", "HR-01")]


def test_a_trusts_schools_and_people_are_its_own(trust: str, tmp_path: Path) -> None:
    """Riverside's import cannot name Northfield's school or person."""
    ok(wia("trust", "create", "Riverside Schools Trust"))
    path = schedule(
        tmp_path,
        "HR-01,Staff wellbeing,other,12,Oak Primary,Head,",
        "HR-02,Equality objectives,other,12,,nia.owner@northfield.example,",
    )

    result = wia("import", "policies", "--trust", "Riverside Schools Trust", path)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: line 2, school: No school of the trust is called “Oak Primary”",
        f"{path}: line 3, owner: Nobody in the trust has the email address "
        "nia.owner@northfield.example",
        f"{path}: nothing was imported",
    ]
    assert policies(trust) == []
