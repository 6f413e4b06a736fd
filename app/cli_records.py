"""`wia audit` (verify the trail, append checkpoints) and `wia export` (the register)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from app.cli_support import (
    CLI_DAY,
    CLI_ID,
    CLI_TEXT,
    TrustOption,
    cli_settings,
    cli_unit_of_work,
    fail,
    trust_operator,
)
from app.exports import ExportFormat, register_export
from app.settings import Settings
from assessments.kernel import audit, clock
from assessments.models import AssessmentKind, VersionStatus
from assessments.people import queries as people_queries
from assessments.register.schemas import RegisterFilter

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
export_app = typer.Typer(help="Exports, written to standard output.", no_args_is_help=True)


WitnessOption = Annotated[
    list[str] | None,
    typer.Option("--witness", help="A checkpoint someone kept (repeatable)"),
]
WitnessFileOption = Annotated[
    Path | None,
    typer.Option(help="A file of checkpoints (by default WIA_AUDIT_WITNESS_FILE, when set)"),
]


def _checkpoints(
    texts: list[str], witness_file: Path | None, settings: Settings
) -> tuple[list[audit.Checkpoint], list[str]]:
    """The checkpoints given and in the witness file, and why each refused one was refused."""
    found, refused = [], []
    named = [("--witness", text) for text in texts]
    path = witness_file or settings.audit_witness_file
    if path is not None and (witness_file is not None or path.exists()):
        try:
            named += [(f"{path}:{n}", text) for n, text in audit.read_witness(path)]
        except (OSError, UnicodeDecodeError) as exc:
            refused.append(f"{path}: cannot be read ({exc})")
    for where, text in named:
        try:
            found.append(audit.Checkpoint.parse(text, audit.keyring()))
        except audit.CheckpointError as exc:
            refused.append(f"{where}: {exc}")
    return found, refused


@audit_app.command("verify")
def audit_verify(
    trust: Annotated[
        str | None,
        typer.Option(help="Only this trust's chain (by default every chain)", parser=CLI_TEXT),
    ] = None,
    witness: WitnessOption = None,
    witness_file: WitnessFileOption = None,
) -> None:
    """Check the audit trail's chains (each trust's, and the installation's) against the
    checkpoints given; exit 1 naming the first broken event of each chain that fails."""
    settings = cli_settings()
    given, from_file = (
        _checkpoints(witness or [], None, settings),
        _checkpoints([], witness_file, settings),
    )
    witnesses, refused = given[0] + from_file[0], given[1] + from_file[1]
    with cli_unit_of_work(settings) as session:
        names = {t.id: t.name for t in people_queries.list_trusts(session)}
        if trust is None:
            checks = audit.verify_all(session, witnesses=witnesses)
        else:
            chain = audit.chain_of(trust_operator(session, trust).trust_id)
            refused += [
                f"--witness {w} is of another chain than trust {trust!r}'s"
                for w in given[0]
                if w.chain != chain
            ]
            checks = [audit.verify(session, chain=chain, witnesses=witnesses)]
    for problem in refused:
        typer.secho(f"Checkpoint refused: {problem}", fg=typer.colors.RED, err=True)
    for checked in checks:
        label = (
            f"Trust {names[checked.chain]!r}"
            if checked.chain in names
            else "Installation"
            if checked.chain == audit.INSTALLATION
            else f"Chain {checked.chain} (no such trust)"
        )
        if checked.intact:
            typer.echo(
                f"{label}: intact, {checked.events} events, {checked.witnessed} checkpoints "
                f"witnessed; head {checked.head}"
            )
        else:
            typer.secho(
                f"{label}: broken at event {checked.broken_at}: {checked.problem}.",
                fg=typer.colors.RED,
                err=True,
            )
    if refused or not all(checked.intact for checked in checks):
        raise typer.Exit(code=1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    file: Annotated[
        Path | None, typer.Option(help="Append here (by default WIA_AUDIT_WITNESS_FILE)")
    ] = None,
) -> None:
    """Print the signed checkpoint of every chain's head and append them to the witness file
    (for cron: keep the file, or a copy, where the database's users cannot write)."""
    settings = cli_settings()
    with cli_unit_of_work(settings) as session:
        checkpoints = [
            audit.checkpoint(*audit.head_of(session, chain=chain), chain=chain)
            for chain in audit.chains(session)
        ]
    path = file or settings.audit_witness_file
    if path is not None:
        try:
            audit.append_witness(checkpoints, now=clock.now(), path=path)
        except OSError as exc:
            raise fail(f"Cannot append to {path}: {exc}") from None
    for checkpoint in checkpoints:
        typer.echo(str(checkpoint))


@export_app.command("register")
def export_register(
    output_format: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    trust: TrustOption = None,
    school: Annotated[int | None, typer.Option(help="A school's id", parser=CLI_ID)] = None,
    status: Annotated[
        VersionStatus | None, typer.Option(help="draft, submitted, approved, …")
    ] = None,
    rating: Annotated[
        str | None, typer.Option(help="A rating band's id, e.g. high", parser=CLI_TEXT)
    ] = None,
    kind: Annotated[AssessmentKind | None, typer.Option(help="full or screened-out")] = None,
    overdue: Annotated[bool, typer.Option(help="Only approved versions past their review")] = False,
    decided_from: Annotated[
        date | None, typer.Option("--from", help="YYYY-MM-DD", parser=CLI_DAY)
    ] = None,
    decided_to: Annotated[
        date | None, typer.Option("--to", help="YYYY-MM-DD", parser=CLI_DAY)
    ] = None,
    text: Annotated[
        str, typer.Option("--text", help="In reference, title or author", parser=CLI_TEXT)
    ] = "",
) -> None:
    """Write the register (the same columns as the page's export) to standard output."""
    if output_format not in ("csv", "json"):
        raise fail("--format must be csv or json")
    fmt: ExportFormat = "csv" if output_format == "csv" else "json"
    chosen = RegisterFilter(
        school_id=school,
        status=status,
        rating=rating,
        kind=kind,
        overdue=overdue,
        decided_from=decided_from,
        decided_to=decided_to,
        text=text,
    )
    with cli_unit_of_work() as session:
        actor = trust_operator(session, trust)
        _headers, chunks = register_export(
            session=session, actor=actor, chosen=chosen, today=clock.today(), fmt=fmt
        )
        for chunk in chunks:
            sys.stdout.write(chunk)
    sys.stdout.flush()
