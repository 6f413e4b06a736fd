"""The layout the code keeps (docs/architecture.md): queries only in the domains' query modules,
modules named by what they do, and none grown past what one reader holds in mind."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.settings import PROJECT_ROOT

SOURCE = [PROJECT_ROOT / "assessments", PROJECT_ROOT / "app"]
# Where no formatter pragma is used: everything that is Python.
FORMATTED = [*SOURCE, *(PROJECT_ROOT / name for name in ("tests", "bench", "migrations"))]

# Where a query may be written besides a `*queries.py` module, and why.
QUERIES_ALSO_IN = {
    "assessments/kernel/db.py": "sets each SQLite connection's pragmas",
    "assessments/kernel/audit.py": "locks and appends to the chain head inside each write",
    "assessments/kernel/audit_rows.py": "the trail's own rows, read raw to verify them",
    "assessments/operations/backups.py": "PRAGMAs on a backup file, outside any unit of work",
    "app/health.py": "the schema's migration, read by the readiness check",
}

# A call of one of these methods runs SQL (`sa.select(...)`, `session.exec(...)`, `sa.text(...)`),
# as does `select(...)` and `session.get(Model, id)`.
QUERY_CALLS = {"select", "exec", "execute", "scalar", "scalars", "text", "exec_driver_sql"}

MAX_LINES = 400
FORMATTER_PRAGMA = re.compile(r"#\s*fmt:\s*(skip|off)\b")
VAGUE_NAMES = {"service", "services", "utils", "helpers", "misc", "common", "repository"}


def modules() -> list[Path]:
    return sorted(p for root in SOURCE for p in root.rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


def query_calls(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            runs_sql = func.id == "select"
        elif isinstance(func, ast.Attribute):
            on_session = isinstance(func.value, ast.Name) and func.value.id == "session"
            runs_sql = func.attr in QUERY_CALLS or (on_session and func.attr == "get")
        else:
            runs_sql = False
        if runs_sql:
            lines.append(node.lineno)
    return lines


def test_queries_are_written_only_in_the_domains_query_modules() -> None:
    misplaced = {
        f"{relative(path)}:{line}"
        for path in modules()
        if not path.name.endswith("queries.py") and relative(path) not in QUERIES_ALSO_IN
        for line in query_calls(path)
    }

    assert not misplaced, sorted(misplaced)


def test_the_checker_finds_a_query_where_there_is_one() -> None:
    assert query_calls(PROJECT_ROOT / "assessments/drafting/queries.py")


def test_every_module_is_named_by_what_it_does_and_stays_readable() -> None:
    vague = [relative(p) for p in modules() if p.stem in VAGUE_NAMES]
    long = [
        f"{relative(p)}: {n}"
        for p in modules()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    ]

    assert not vague
    assert not long


def test_no_function_is_called_refresh_unless_it_is_a_session_refresh() -> None:
    defined = [
        f"{relative(path)}:{node.lineno}"
        for path in modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name == "refresh"
    ]

    assert not defined


def test_formatting_is_left_to_the_formatter() -> None:
    # No formatter pragma at all: what ruff lays out is how the code reads.
    skips = [
        f"{relative(p)}:{n}"
        for p in sorted(p for root in FORMATTED for p in root.rglob("*.py"))
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if FORMATTER_PRAGMA.search(line)
    ]

    assert not skips


MAX_HANDLER_LINES = 15  # from the handler's `def` to its last line
# The justification's form has six parameters, so its signature alone is eight lines.
LONG_HANDLERS_ALLOWED = {"app/pages/decisions.py:justify": 16}
ROUTE_METHODS = {"get", "post", "put", "patch", "delete"}


def is_route(decorator: ast.expr) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS


def handler_lengths(path: Path) -> dict[str, int]:
    return {
        node.name: (node.end_lineno or 0) - node.lineno + 1
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and any(map(is_route, node.decorator_list))
    }


def test_route_handlers_parse_call_one_use_case_and_render_in_a_few_lines() -> None:
    long = [
        f"{relative(path)}:{name}: {length}"
        for path in sorted((PROJECT_ROOT / "app").rglob("*.py"))
        for name, length in handler_lengths(path).items()
        if length > LONG_HANDLERS_ALLOWED.get(f"{relative(path)}:{name}", MAX_HANDLER_LINES)
    ]

    assert not long


def test_the_checker_finds_the_handlers_where_there_are_some() -> None:
    assert handler_lengths(PROJECT_ROOT / "app/health.py").keys() == {"healthz", "readyz"}


def test_templates_write_dates_through_the_british_date_filter() -> None:
    templates = PROJECT_ROOT / "templates"
    calling = [
        name
        for path in sorted(templates.rglob("*.html"))
        if "strftime" in path.read_text() and (name := path.relative_to(templates).as_posix())
    ]

    assert not calling
