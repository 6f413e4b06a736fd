"""The `wia` command line, as an operator runs it: validate and publish rubrics, migrate the
database, add schools, and refuse to start on a bad rubric."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from app.main import create_app
from app.settings import PROJECT_ROOT, Environment, Settings, get_settings
from assessments.kernel.db import create_db_engine
from assessments.rubrics.files import RubricError
from tests.factories.cli import rows, wia
from tests.factories.trusts import DEFAULT_RUBRIC_PATH, TEST_AUDIT_KEY

WIA = Path(sys.executable).parent / "wia"
SHIPPED = yaml.safe_load(DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
SHIPPED_VERSION, NEXT_VERSION = SHIPPED["version"], SHIPPED["version"] + 1
# If start-up ever wrongly accepted a bad rubric, the server could not bind here and would stop.
NOWHERE = ("--host", "192.0.2.1", "--port", "9")  # TEST-NET-1: never an address of this machine


def _bad_rubric(folder: Path, name: str = "bad-threshold.yaml") -> Path:
    document = copy.deepcopy(SHIPPED)
    document["mitigation_threshold"] = 9
    path = folder / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


class TestRubricValidate:
    def test_the_shipped_rubric_is_ok(self) -> None:
        result = wia("rubric", "validate", DEFAULT_RUBRIC_PATH)
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            f"{DEFAULT_RUBRIC_PATH}: ok (staff-wellbeing-impact@4, 7 sections, 38 questions)\n"
        )

    def test_a_bad_file_fails_naming_the_file_the_place_and_the_problem(
        self, tmp_path: Path
    ) -> None:
        document = copy.deepcopy(SHIPPED)
        document["sections"][3]["questions"][0]["options"] = document["sections"][3]["questions"][
            0
        ]["options"][:1]
        path = tmp_path / "one-option.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

        result = wia("rubric", "validate", path)

        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"{path}: sections[3] (workload).questions[0] (meetings): "
            "a choice question needs at least two options\n"
        )

    def test_every_bad_file_is_reported_and_good_files_are_still_checked(
        self, tmp_path: Path
    ) -> None:
        bad = _bad_rubric(tmp_path)
        missing = tmp_path / "missing.yaml"
        not_yaml = tmp_path / "not-yaml.yaml"
        not_yaml.write_text("title: [unclosed\n", encoding="utf-8")

        result = wia("rubric", "validate", bad, DEFAULT_RUBRIC_PATH, missing, not_yaml)

        assert result.exit_code == 1
        assert f"{DEFAULT_RUBRIC_PATH}: ok" in result.stdout
        assert f"{bad}: mitigation_threshold: 9 is outside" in result.stderr
        assert f"{missing}: cannot read the file: No such file or directory" in result.stderr
        assert f"{not_yaml}: not valid YAML" in result.stderr

    def test_the_installed_command_validates_the_shipped_rubrics(self) -> None:
        completed = subprocess.run(
            [str(WIA), "rubric", "validate", "rubrics/staff-wellbeing-impact.yaml"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.startswith("rubrics/staff-wellbeing-impact.yaml: ok (")


class TestDbUpgrade:
    def test_creates_the_schema_in_a_fresh_database(self, cli_database: str) -> None:
        result = wia("db", "upgrade")

        assert result.exit_code == 0, result.output
        assert "Database at head." in result.stdout
        engine = create_db_engine(cli_database)
        try:
            tables = set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"school", "rubric_version", "policy", "alembic_version"} <= tables

    def test_running_it_again_changes_nothing(self, migrated: str) -> None:
        before = rows(migrated, "SELECT version_num FROM alembic_version")
        result = wia("db", "upgrade")
        assert result.exit_code == 0, result.output
        assert rows(migrated, "SELECT version_num FROM alembic_version") == before


class TestRubricPublish:
    def test_publishing_twice_stores_one_frozen_copy(self, migrated: str) -> None:
        first = wia("rubric", "publish", DEFAULT_RUBRIC_PATH)
        again = wia("rubric", "publish", DEFAULT_RUBRIC_PATH)

        assert first.exit_code == 0, first.output
        assert again.exit_code == 0, again.output
        assert first.stdout.startswith("staff-wellbeing-impact@4: published (sha256 ")
        assert again.stdout == first.stdout
        stored = rows(migrated, "SELECT rubric_id, version, content_hash FROM rubric_version")
        assert len(stored) == 1
        assert stored[0][:2] == ("staff-wellbeing-impact", SHIPPED_VERSION)
        assert str(stored[0][2]).startswith(first.stdout.split("sha256 ")[1][:12])

    def test_changed_content_under_the_same_version_is_refused(
        self, migrated: str, tmp_path: Path
    ) -> None:
        assert wia("rubric", "publish", DEFAULT_RUBRIC_PATH).exit_code == 0
        stored = rows(migrated, "SELECT content_hash FROM rubric_version")
        edited = tmp_path / "staff-wellbeing-impact.yaml"
        edited.write_text(
            DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8").replace(
                "title: Staff workload and wellbeing impact assessment",
                "title: Staff workload and well-being impact assessment",
            ),
            encoding="utf-8",
        )

        result = wia("rubric", "publish", edited)

        assert result.exit_code == 1
        assert "staff-wellbeing-impact@4 is already published with different content" in (
            result.stderr
        )
        assert "give the changed rubric a new version number" in result.stderr
        assert rows(migrated, "SELECT content_hash FROM rubric_version") == stored

    def test_without_files_it_publishes_every_rubric_in_the_rubrics_folder(
        self, migrated: str, tmp_path: Path, fresh_settings: pytest.MonkeyPatch
    ) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "staff-wellbeing-impact.yaml")
        (tmp_path / "next.yml").write_text(
            yaml.safe_dump({**SHIPPED, "version": NEXT_VERSION}), encoding="utf-8"
        )
        fresh_settings.setenv("WIA_RUBRICS_DIR", str(tmp_path))
        get_settings.cache_clear()  # `migrated` read the settings before this folder was set

        result = wia("rubric", "publish")

        assert result.exit_code == 0, result.output
        assert rows(migrated, "SELECT version FROM rubric_version ORDER BY version") == [
            (SHIPPED_VERSION,),
            (NEXT_VERSION,),
        ]

    def test_a_failed_publish_stores_none_of_the_files(self, migrated: str, tmp_path: Path) -> None:
        assert wia("rubric", "publish", DEFAULT_RUBRIC_PATH).exit_code == 0
        newer = tmp_path / "next.yaml"
        newer.write_text(yaml.safe_dump({**SHIPPED, "version": NEXT_VERSION}), encoding="utf-8")
        changed_2 = tmp_path / "v2-changed.yaml"
        changed_2.write_text(yaml.safe_dump({**SHIPPED, "title": "Changed"}), encoding="utf-8")

        result = wia("rubric", "publish", newer, changed_2)

        assert result.exit_code == 1
        assert rows(migrated, "SELECT version FROM rubric_version") == [(SHIPPED_VERSION,)]

    def test_a_bad_file_is_refused_before_anything_is_stored(
        self, migrated: str, tmp_path: Path
    ) -> None:
        bad = _bad_rubric(tmp_path)
        result = wia("rubric", "publish", DEFAULT_RUBRIC_PATH, bad)
        assert result.exit_code == 1
        assert f"{bad}: mitigation_threshold: 9 is outside" in result.stderr
        assert rows(migrated, "SELECT version FROM rubric_version") == []


class TestStartUpRefusesABadRubric:
    def test_create_app_raises_naming_the_bad_file(self, tmp_path: Path) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "staff-wellbeing-impact.yaml")
        bad = _bad_rubric(tmp_path)
        settings = Settings(
            environment=Environment.TEST,
            database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            secret_key="test-secret-key-that-is-long-enough-0123456789",
            audit_key=TEST_AUDIT_KEY,
            rubrics_dir=tmp_path,
        )

        with pytest.raises(RubricError) as error:
            create_app(settings)

        assert str(error.value).startswith(f"{bad}: mitigation_threshold: 9")

    def test_serve_exits_with_cannot_start(
        self, tmp_path: Path, fresh_settings: pytest.MonkeyPatch
    ) -> None:
        bad = _bad_rubric(tmp_path)
        fresh_settings.setenv("WIA_RUBRICS_DIR", str(tmp_path))
        fresh_settings.setenv("WIA_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")

        result = wia("serve", *NOWHERE)

        assert result.exit_code == 1
        assert "Cannot start: a rubric file is invalid." in result.stderr
        assert f"{bad}: mitigation_threshold: 9" in result.stderr

    def test_serve_on_a_descriptor_that_is_no_socket_says_so(
        self, tmp_path: Path, fresh_settings: pytest.MonkeyPatch
    ) -> None:
        fresh_settings.setenv("WIA_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
        with (tmp_path / "not-a-socket").open("w") as file:
            fd = str(file.fileno())
            result = wia("serve", "--fd", fd)

        assert result.exit_code == 1
        assert result.stderr.startswith(f"Cannot start: --fd {fd} is not an open socket")
        assert "Traceback" not in result.stderr

    def test_the_installed_command_refuses_to_start(self, tmp_path: Path) -> None:
        bad = _bad_rubric(tmp_path)
        completed = subprocess.run(
            [str(WIA), "serve", *NOWHERE],
            env={
                **os.environ,
                "WIA_RUBRICS_DIR": str(tmp_path),
                "WIA_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 1
        assert "Cannot start" in completed.stderr
        assert str(bad) in completed.stderr


class TestStartUpRefusesUnsafeSettings:
    @pytest.mark.parametrize("command", [("serve", *NOWHERE), ("db", "upgrade")])
    def test_production_without_a_secret_key_says_what_to_set(
        self, command: tuple[str, ...], tmp_path: Path, fresh_settings: pytest.MonkeyPatch
    ) -> None:
        fresh_settings.setenv("WIA_ENVIRONMENT", "production")
        fresh_settings.delenv("WIA_SECRET_KEY", raising=False)
        fresh_settings.setenv("WIA_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")

        result = wia(*command)

        assert result.exit_code == 1
        assert result.stderr.startswith("Cannot start: the settings are not valid.")
        assert "WIA_SECRET_KEY must be set" in result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "unused.sqlite3").exists()
