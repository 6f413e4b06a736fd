"""`wia import policies FILE`: the policy schedule imported from a spreadsheet, as the page
does it: every row's problems listed by line and column, then all of it or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli_support import TrustOption, cli_unit_of_work, fail, trust_operator
from assessments.kernel.errors import ValidationFailed
from assessments.policies import schedule_uploads
from assessments.policies.schedule_files import MAX_BYTES
from assessments.policies.schedule_import import Change, Plan, apply_import, plan_import

import_app = typer.Typer(help="Imports from spreadsheets.", no_args_is_help=True)


@import_app.command("policies")
def import_policies(
    file: Annotated[Path, typer.Argument(help="The schedule: CSV (UTF-8) or Excel (.xlsx)")],
    trust: TrustOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what it would change")
    ] = False,
) -> None:
    """Add the schedule's policies, and update those whose reference is there already."""
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise fail(f"{file}: {exc.strerror or exc}") from None
    with cli_unit_of_work() as session:
        actor = trust_operator(session, trust)
        try:
            table = schedule_uploads.read_file(data, file.name)
        except ValidationFailed as exc:
            raise fail(f"{file}: {exc.errors['file']}") from None
        plan = plan_import(session=session, actor=actor, table=table)
        if not plan.importable:
            for problem in _problems(plan):
                typer.secho(f"{file}: {problem}", fg=typer.colors.RED, err=True)
            raise fail(f"{file}: nothing was imported")
        counts = ", ".join(f"{plan.count(c)} {c.value}" for c in Change if c is not Change.REFUSED)
        if dry_run:
            typer.echo(f"{file}: would import ({counts}); nothing was changed")
            session.rollback()
            return
        apply_import(session=session, actor=actor, table=table, source=file.name)
        typer.echo(f"{file}: imported ({counts})")


def _problems(plan: Plan) -> list[str]:
    if plan.missing_columns:
        return [f"the header row has no column {', '.join(plan.missing_columns)}"]
    return [
        f"line {row.line}, {column}: {problem}"
        for row in plan.refused
        for column, problem in row.problems.items()
    ]
