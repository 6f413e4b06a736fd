"""The `wia` command line for an operator setting up a trust: trusts, schools, the first
admin, and the demo trust."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from app.cli import app
from app.settings import get_settings
from assessments.operations import demo
from tests.factories.cli import rows, wia
from tests.factories.trusts import DEFAULT_RUBRIC_PATH

WIA = Path(sys.executable).parent / "wia"
SHIPPED = yaml.safe_load(DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
# If start-up ever wrongly accepted a bad rubric, the server could not bind here and would stop.
NOWHERE = ("--host", "192.0.2.1", "--port", "9")  # TEST-NET-1: never an address of this machine


class TestSchoolCreate:
    def test_creates_schools_and_skips_existing_ones_with_if_missing(self, migrated: str) -> None:
        assert wia("trust", "create", "--if-missing", "Local trust").exit_code == 0
        assert wia("trust", "create", "--if-missing", "Local trust").stdout == ""
        first = wia("school", "create", "--if-missing", "Northfield Primary School")
        again = wia(
            "school", "create", "--if-missing", "Northfield Primary School", "Riverside Academy"
        )

        assert first.exit_code == 0, first.output
        assert again.exit_code == 0, again.output
        assert first.stdout.endswith(": Northfield Primary School\n")
        assert "Northfield" not in again.stdout
        assert again.stdout.endswith(": Riverside Academy\n")
        names = rows(migrated, "SELECT name FROM school ORDER BY name")
        assert names == [("Northfield Primary School",), ("Riverside Academy",)]

    def test_without_if_missing_an_existing_name_is_an_error(self, migrated: str) -> None:
        assert wia("trust", "create", "Local trust").exit_code == 0
        assert wia("school", "create", "Riverside Academy").exit_code == 0

        result = wia("school", "create", "Riverside Academy")

        assert result.exit_code == 1
        assert "The trust already has a school called “Riverside Academy”" in result.stderr
        assert rows(migrated, "SELECT count(*) FROM school") == [(1,)]

    def test_with_several_trusts_the_trust_must_be_named(self, migrated: str) -> None:
        for name in ("North Trust", "South Trust"):
            assert wia("trust", "create", name).exit_code == 0

        unnamed = wia("school", "create", "Oak School")
        named = wia("school", "create", "--trust", "South Trust", "Oak School")

        assert unnamed.exit_code == 1
        assert "Name the trust with --trust: there are 2" in unnamed.stderr
        assert named.exit_code == 0, named.output
        assert rows(migrated, "SELECT trust_id, name FROM school") == [(2, "Oak School")]


class TestDemo:
    def test_makes_the_demo_trust_once_and_prints_how_to_sign_in(self, migrated: str) -> None:
        first, again = wia("demo"), wia("demo")

        assert first.exit_code == 0, first.output
        assert first.stdout == again.stdout
        assert f"password {demo.PASSWORD!r}" in first.stdout
        for person in demo.PEOPLE:
            assert person.email in first.stdout
        assert rows(migrated, "SELECT count(*) FROM user_account") == [(len(demo.PEOPLE),)]
        assert rows(migrated, "SELECT name FROM school ORDER BY name") == [
            (name,) for name in demo.SCHOOLS
        ]
        roles = rows(
            migrated,
            "SELECT u.email, g.role, s.name FROM role_grant g"
            " JOIN user_account u ON u.id = g.user_id"
            " LEFT JOIN school s ON s.id = g.school_id ORDER BY u.email",
        )
        assert roles == sorted((p.email, p.role.value, p.school) for p in demo.PEOPLE)

    def test_refuses_outside_development(
        self, migrated: str, fresh_settings: pytest.MonkeyPatch
    ) -> None:
        fresh_settings.setenv("WIA_ENVIRONMENT", "production")
        fresh_settings.setenv("WIA_SECRET_KEY", "a-real-secret-key-of-at-least-32-characters")
        fresh_settings.setenv("WIA_AUDIT_KEY", "a-real-audit-key-of-at-least-32-characters")
        get_settings.cache_clear()  # `migrated` read them in development

        result = wia("demo")

        assert result.exit_code == 1
        assert "The demo trust is for development only" in result.stderr
        assert rows(migrated, "SELECT count(*) FROM trust") == [(0,)]


class TestPeople:
    PASSWORD = "ladder orchard quietly 47"

    def _user(self, *options: str, password: str = PASSWORD) -> Result:
        return CliRunner(env={"WIA_NEW_USER_PASSWORD": password}).invoke(
            app, ["user", "create", "--trust", "Northfield Learning Trust", *options]
        )

    def test_an_operator_adds_a_trust_and_its_first_admin(self, migrated: str) -> None:
        assert wia("trust", "create", "Northfield Learning Trust").stdout == (
            "Trust 1: Northfield Learning Trust\n"
        )
        school = ("school", "create", "--trust", "Northfield Learning Trust")
        assert wia(*school, "Northfield Primary School").exit_code == 0

        result = self._user(
            "--email",
            "Ada.Admin@Northfield.example",
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            "--role",
            "author@Northfield Primary School",
        )

        assert result.exit_code == 0, result.output
        assert result.stdout == (
            "User 1: Ada Admin <ada.admin@northfield.example> "
            "(admin, author@Northfield Primary School)\n"
        )
        [(password_hash,)] = rows(migrated, "SELECT password_hash FROM user_account")
        assert str(password_hash).startswith("$argon2id$")
        assert sorted(rows(migrated, "SELECT role, school_id FROM role_grant")) == [
            ("admin", None),
            ("author", 1),
        ]

    @pytest.mark.parametrize(
        ("options", "password", "message"),
        [
            (("--role", "governor"), PASSWORD, "Unknown role 'governor'"),
            (("--role", "author@Nowhere School"), PASSWORD, "There is no school called"),
            (("--role", "admin"), "password1234", "harder to guess"),
            (("--role", "admin", "--email", "not-an-email"), PASSWORD, "correct format"),
        ],
        ids=["unknown role", "unknown school", "weak password", "bad email"],
    )
    def test_a_bad_user_is_refused_with_a_message_and_not_stored(
        self, migrated: str, options: tuple[str, ...], password: str, message: str
    ) -> None:
        assert wia("trust", "create", "Northfield Learning Trust").exit_code == 0
        email = () if "--email" in options else ("--email", "sam@northfield.example")

        result = self._user("--name", "Sam", *email, *options, password=password)

        assert result.exit_code == 1
        assert message in result.stderr
        assert rows(migrated, "SELECT count(*) FROM user_account") == [(0,)]

    def test_a_user_of_an_unknown_trust_is_refused(self, migrated: str) -> None:
        result = self._user("--email", "sam@x.example", "--name", "Sam", "--role", "admin")
        assert result.exit_code == 1
        assert "There is no trust called 'Northfield Learning Trust'" in result.stderr
