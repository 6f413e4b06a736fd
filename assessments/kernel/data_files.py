"""Reading the project's YAML data files (rubrics, the policy catalogue): YAML in, a validated
pydantic model out, or an error naming the file, the place inside it and every problem."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class DataFileError(Exception):
    """A data file that cannot be used; the message names the file, the place and the problem."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


class PlacedProblems(ValueError):
    """Problems found across fields, each already naming its place in the document."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def at(field: str, index: int, ident: str) -> str:
    """A list item's place, as error messages write it: `sections[3] (workload)`."""
    return f"{field}[{index}] ({ident})"


def duplicate_ids(kind: str, placed: Iterable[tuple[str, str]]) -> Iterator[str]:
    """A problem for each (place, id) whose id was given before, naming where it first was."""
    first_place: dict[str, str] = {}
    for place, ident in placed:
        if ident in first_place:
            yield f"{place}.id: duplicate {kind} id {ident!r} (also {first_place[ident]})"
        first_place.setdefault(ident, place)


def location(loc: tuple[int | str, ...], document: Any) -> str:
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


def validated(
    model: type[Model], document: Any, path: Path | str, error: type[DataFileError]
) -> Model:
    """`document` as `model`, or `error` listing every problem with its place."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        problems: list[str] = []
        for err in exc.errors():
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, PlacedProblems):
                problems.extend(cause.problems)
            else:
                message = err["msg"].removeprefix("Value error, ")
                problems.append(f"{location(tuple(err['loc']), document)}: {message}")
        raise error(path, problems) from None


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


def read_mapping(path: Path, what: str, error: type[DataFileError]) -> dict[Any, Any]:
    """The YAML mapping in `path` (`what` it holds, for the message if it holds none)."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except OSError as exc:
        raise error(path, [f"cannot read the file: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise error(path, [f"not UTF-8 text (byte {exc.start}): save it as UTF-8"]) from None
    except yaml.YAMLError as exc:
        raise error(path, [f"not valid YAML: {exc}"]) from None
    if not isinstance(document, dict):
        raise error(path, [f"(top level): expected a mapping of {what}"])
    return document
