"""Reading rubric files: unreadable or invalid YAML, wrong encodings, and whole folders at once."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from assessments.rubrics.files import RubricError, load_rubric_dir
from tests.factories.rubrics import SHIPPED, error_lines, write_yaml
from tests.factories.trusts import DEFAULT_RUBRIC_PATH


class TestUnreadableFiles:
    def test_invalid_yaml_is_reported_with_its_line(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.yaml"
        path.write_text("id: staff-wellbeing-impact\ntitle: [unclosed\n", encoding="utf-8")
        message = "\n".join(error_lines(path))
        assert message.startswith(f"{path}: not valid YAML")
        assert "line 2" in message

    def test_a_key_given_twice_is_refused_with_its_line(self, tmp_path: Path) -> None:
        # PyYAML would keep the second `weight:` silently; the author meant only one of them.
        text = DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")
        line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip() == "weight: 2")
        indent = text.splitlines()[line - 1].split("weight")[0]
        path = tmp_path / "twice.yaml"
        lines = text.splitlines()
        lines.insert(line, f"{indent}weight: 0")
        path.write_text("\n".join(lines), encoding="utf-8")
        message = "\n".join(error_lines(path))
        assert message.startswith(f"{path}: not valid YAML")
        assert "found the key 'weight' twice" in message
        assert f"line {line + 1}" in message

    def test_an_unquoted_colon_in_text_is_invalid_yaml(self, tmp_path: Path) -> None:
        path = tmp_path / "colon.yaml"
        path.write_text("id: x\ncharter_ref: CLT charter: manage workload: yes\n", encoding="utf-8")
        assert error_lines(path)[0].startswith(f"{path}: not valid YAML")

    @pytest.mark.parametrize(
        "content", ["- a list\n- of things\n", "just a sentence\n", "", "# only a comment\n"]
    )
    def test_a_file_that_is_not_a_mapping_is_refused(self, tmp_path: Path, content: str) -> None:
        path = tmp_path / "not-a-mapping.yaml"
        path.write_text(content, encoding="utf-8")
        assert error_lines(path) == [f"{path}: (top level): expected a mapping of rubric fields"]

    def test_a_missing_file_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "no-such-rubric.yaml"
        assert error_lines(path) == [f"{path}: cannot read the file: No such file or directory"]

    def test_a_folder_in_place_of_a_file_is_refused(self, tmp_path: Path) -> None:
        assert error_lines(tmp_path) == [f"{tmp_path}: cannot read the file: Is a directory"]

    def test_a_file_not_saved_as_utf8_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "latin-1.yaml"
        text = DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")
        path.write_bytes(text.encode("cp1252", errors="replace"))  # the en dashes become 0x96
        [line] = error_lines(path)
        assert line.startswith(f"{path}: not UTF-8 text")

    def test_a_non_string_key_at_the_top_level_is_reported(self, tmp_path: Path) -> None:
        path = tmp_path / "number-key.yaml"
        text = DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")
        path.write_text(f"{text}\n1: stray\n", encoding="utf-8")
        assert f"{path}: 1: Keys should be strings" in error_lines(path)


class TestLoadRubricDir:
    def test_every_bad_file_is_reported_at_once(self, tmp_path: Path) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "good.yaml")
        document = copy.deepcopy(SHIPPED)
        document["mitigation_threshold"] = 9
        write_yaml(tmp_path, document, "bad-threshold.yaml")
        (tmp_path / "bad-yaml.yaml").write_text("title: [unclosed\n", encoding="utf-8")

        with pytest.raises(RubricError) as error:
            load_rubric_dir(tmp_path)

        message = str(error.value)
        assert f"{tmp_path / 'bad-threshold.yaml'}: mitigation_threshold: 9 is outside" in message
        assert f"{tmp_path / 'bad-yaml.yaml'}: not valid YAML" in message
        assert "good.yaml" not in message

    def test_one_bad_file_is_reported_as_itself(self, tmp_path: Path) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "good.yaml")
        (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
        with pytest.raises(RubricError) as error:
            load_rubric_dir(tmp_path)
        assert str(error.value) == (
            f"{tmp_path / 'empty.yaml'}: (top level): expected a mapping of rubric fields"
        )

    def test_two_files_with_the_same_id_and_version_are_refused(self, tmp_path: Path) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "staff-wellbeing-impact.yaml")
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "copy-of-staff-wellbeing-impact.yaml")
        with pytest.raises(RubricError) as error:
            load_rubric_dir(tmp_path)
        assert str(error.value) == (
            f"{tmp_path}: staff-wellbeing-impact@4 is defined by more than one file "
            "(copy-of-staff-wellbeing-impact.yaml, staff-wellbeing-impact.yaml): "
            "give each its own id or version"
        )

    def test_yml_files_are_read_too(self, tmp_path: Path) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "staff-wellbeing-impact.yml")
        (tmp_path / "broken.yml").write_text("title: [unclosed\n", encoding="utf-8")
        with pytest.raises(RubricError) as error:
            load_rubric_dir(tmp_path)
        assert str(error.value).startswith(f"{tmp_path / 'broken.yml'}: not valid YAML")

    def test_two_versions_of_the_same_rubric_load_side_by_side(self, tmp_path: Path) -> None:
        shutil.copy(DEFAULT_RUBRIC_PATH, tmp_path / "staff-wellbeing-impact.yaml")
        write_yaml(tmp_path, {**SHIPPED, "version": 5}, "staff-wellbeing-impact-v5.yaml")
        keys = sorted(r.key for r in load_rubric_dir(tmp_path))
        assert keys == ["staff-wellbeing-impact@4", "staff-wellbeing-impact@5"]
