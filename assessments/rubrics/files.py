"""Reading rubric files: YAML in, a validated Rubric out, or an error naming the file, the
place inside it and each problem."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assessments.rubrics.schema import PlacedProblems, Rubric


class RubricError(Exception):
    """A rubric file that cannot be used; the message names the file, the place and the problem."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


def _location(loc: tuple[int | str, ...], document: Any) -> str:
    """Turn pydantic's loc into a readable path, naming list items by their id if they have one."""
    parts: list[str] = []
    node = document
    for step in loc:
        if isinstance(step, int) and parts:
            item = node[step] if isinstance(node, list) and step < len(node) else None
            ident = item.get("id") or item.get("value") if isinstance(item, dict) else None
            parts[-1] = f"{parts[-1]}[{step}]" + (f" ({ident})" if ident else "")
            node = item
        else:
            step = str(step)  # a non-string key at the top level (e.g. `1:` or `yes:`)
            if step.startswith("function-") or step in {"tagged-union"}:
                continue
            parts.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def parse_rubric(document: Any, path: Path | str) -> Rubric:
    try:
        return Rubric.model_validate(document)
    except ValidationError as exc:
        problems: list[str] = []
        for err in exc.errors():
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, PlacedProblems):
                problems.extend(cause.problems)
            else:
                message = err["msg"].removeprefix("Value error, ")
                problems.append(f"{_location(tuple(err['loc']), document)}: {message}")
        raise RubricError(path, problems) from None


# libyaml's parser where PyYAML was built with it: about ten times faster than pure Python.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML that refuses a key given twice in one mapping (PyYAML keeps the last one
    silently, so a second `weight:` would quietly win)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice",
                    key_node.start_mark,
                )
            if isinstance(key, Hashable):
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


def load_rubric(path: Path) -> Rubric:
    """Read and validate one rubric YAML file."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except OSError as exc:
        raise RubricError(path, [f"cannot read the file: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise RubricError(path, [f"not UTF-8 text (byte {exc.start}): save it as UTF-8"]) from None
    except yaml.YAMLError as exc:
        raise RubricError(path, [f"not valid YAML: {exc}"]) from None
    if not isinstance(document, dict):
        raise RubricError(path, ["(top level): expected a mapping of rubric fields"])
    return parse_rubric(document, path)


def load_rubric_dir(directory: Path) -> list[Rubric]:
    """Load every rubric (`*.yaml`, `*.yml`) in a folder, reporting every bad file at once."""
    loaded: list[tuple[Path, Rubric]] = []
    errors: list[RubricError] = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            loaded.append((path, load_rubric(path)))
        except RubricError as exc:
            errors.append(exc)
    if errors:
        raise (
            RubricError(directory, [f"{e.path}: {p}" for e in errors for p in e.problems])
            if len(errors) > 1
            else errors[0]
        )
    files_of: dict[str, list[str]] = {}
    for path, rubric in loaded:
        files_of.setdefault(rubric.key, []).append(path.name)
    clashes = [
        f"{key} is defined by more than one file ({', '.join(names)}): give each its own id "
        "or version"
        for key, names in files_of.items()
        if len(names) > 1
    ]
    if clashes:
        raise RubricError(directory, clashes)
    return [rubric for _, rubric in loaded]
