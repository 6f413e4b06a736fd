"""The `wia` command line: serve, deliver email, migrate, validate and publish rubrics, add
schools and people, export, verify the audit trail, back up and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from sqlmodel import Session

from app.cli_import import import_app
from app.cli_records import audit_app, export_app
from app.cli_support import (
    CLI_ACTOR,
    CLI_TEXT,
    TrustOption,
    alembic_config,
    cli_settings,
    cli_unit_of_work,
    fail,
)
from app.cli_worker import (
    reminders_app,
    where_mail_goes,
    worker as worker_command,
    worker_running,
)
from app.logs import LOG_CONFIG
from app.settings import Environment
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.operations import backups
from assessments.operations.demo import PASSWORD as DEMO_PASSWORD, TRUST as DEMO_TRUST, seed_demo
from assessments.people import accounts
from assessments.policies import trust_schools
from assessments.rubrics import publishing
from assessments.rubrics.files import RubricError, load_rubric, load_rubric_dir

app = typer.Typer(help="Workload Impact Register.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
rubric_app = typer.Typer(help="Rubric files.", no_args_is_help=True)
school_app = typer.Typer(help="The trust's schools.", no_args_is_help=True)
trust_app = typer.Typer(help="Trusts.", no_args_is_help=True)
user_app = typer.Typer(help="People who sign in, and their roles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rubric_app, name="rubric")
app.add_typer(school_app, name="school")
app.add_typer(trust_app, name="trust")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.command("worker")(worker_command)
app.add_typer(reminders_app, name="reminders")


Paths = Annotated[list[Path], typer.Argument(help="Rubric YAML files", exists=False)]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on", min=1, max=65535)] = None,
    fd: Annotated[
        int | None,
        typer.Option(
            help="Serve on this listening socket, already bound by whoever started the process"
            " (its file descriptor); --host and --port are then not used",
            min=0,
        ),
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker",
            help="Deliver email from this process too (development; in production run"
            " `wia worker` on its own)",
        ),
    ] = False,
) -> None:
    """Start the web service."""
    import socket
    import sys
    from contextlib import nullcontext, suppress

    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    settings = cli_settings()
    # uvicorn's own fd= would read the descriptor as a Unix socket's; this keeps its real family.
    try:
        sockets = None if fd is None else [socket.socket(fileno=fd)]
    except OSError as exc:
        raise fail(f"Cannot start: --fd {fd} is not an open socket ({exc.strerror}).") from None
    try:
        from app.main import create_app

        application = create_app(settings)
    except RubricError as exc:
        raise fail(f"Cannot start: a rubric file is invalid.\n{exc}") from None
    config = uvicorn.Config(
        application,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=True,
        log_config=LOG_CONFIG,
        access_log=False,  # app.logs writes a structured line per request instead
    )
    server = uvicorn.Server(config)  # as uvicorn.run serves, on the socket handed on if any
    delivering = worker_running(settings) if worker else nullcontext()
    if worker:
        typer.echo(f"Delivering email too: {where_mail_goes(settings)}")
    with delivering, suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down, raises it again
        server.run(sockets=sockets)
    if not server.started:
        sys.exit(STARTUP_FAILURE)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the schema migrations (to the latest by default)."""
    cli_settings()  # migrations/env.py reads the database URL from them
    command.upgrade(alembic_config(), revision)
    typer.echo(f"Database at {revision}.")


@rubric_app.command("validate")
def rubric_validate(paths: Paths) -> None:
    """Check rubric files; each problem is reported with the file and the place in it."""
    failed = False
    for path in paths:
        try:
            rubric = load_rubric(path)
        except RubricError as exc:
            failed = True
            typer.secho(str(exc), fg=typer.colors.RED, err=True)
        else:
            count = sum(1 for _ in rubric.questions())
            typer.echo(
                f"{path}: ok ({rubric.key}, {len(rubric.sections)} sections, {count} questions)"
            )
    if failed:
        raise typer.Exit(code=1)


@rubric_app.command("publish")
def rubric_publish(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Rubric YAML files; by default every file in WIA_RUBRICS_DIR"),
    ] = None,
) -> None:
    """Validate rubric files and store a frozen copy of each version in the database."""
    settings = cli_settings()
    try:
        if paths:
            rubrics = [load_rubric(path) for path in paths]
        else:  # the same files the service checks at start-up
            rubrics = load_rubric_dir(settings.rubrics_dir)
    except RubricError as exc:
        raise fail(str(exc)) from None
    with cli_unit_of_work(settings) as session:
        for rubric in rubrics:
            row = publishing.publish_rubric(session=session, actor=CLI_ACTOR, rubric=rubric)
            typer.echo(f"{rubric.key}: published (sha256 {row.content_hash[:12]}…)")


@school_app.command("create")
def school_create(
    names: Annotated[list[str], typer.Argument(help="School names", parser=CLI_TEXT)],
    trust: TrustOption = None,
    if_missing: Annotated[bool, typer.Option(help="Skip names that already exist")] = False,
) -> None:
    """Add schools to a trust."""
    settings = cli_settings()
    with cli_unit_of_work(settings) as session:
        trust_name = trust or accounts.only_trust(session=session).name
        operator = accounts.operator_of_trust(session=session, trust_name=trust_name)
        for name in names:
            school = trust_schools.create_school(
                session=session, actor=operator, name=name, if_missing=if_missing
            )
            if school is not None:
                typer.echo(f"School {school.id}: {school.name}")


@trust_app.command("create")
def trust_create(
    name: Annotated[str, typer.Argument(help="The trust's name", parser=CLI_TEXT)],
    if_missing: Annotated[bool, typer.Option(help="Do nothing if it exists")] = False,
) -> None:
    """Add a trust (then its schools, and its first admin with `wia user create`)."""
    with cli_unit_of_work() as session:
        if if_missing and accounts.trust_named(session=session, name=name) is not None:
            return
        trust = accounts.create_trust(session=session, name=name)
        typer.echo(f"Trust {trust.id}: {trust.name}")


def _grant(text: str, session: Session, operator: Actor) -> Grant:
    """`admin` (trust-wide) or `author@School name` (for one school)."""
    role_name, _, school_name = text.partition("@")
    try:
        role = Role(role_name.strip().lower())
    except ValueError:
        raise fail(f"Unknown role {role_name!r}: use {', '.join(r.value for r in Role)}") from None
    if not school_name.strip():
        return Grant(role)
    school = trust_schools.school_named(session=session, actor=operator, name=school_name)
    return Grant(role, school.id)


@user_app.command("create")
def user_create(
    trust: Annotated[str, typer.Option(help="The trust's name", parser=CLI_TEXT)],
    email: Annotated[str, typer.Option(parser=CLI_TEXT)],
    name: Annotated[str, typer.Option(help="Full name", parser=CLI_TEXT)],
    role: Annotated[
        list[str],
        typer.Option(
            help="A role, trust-wide (admin) or for a school (author@Name)", parser=CLI_TEXT
        ),
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="WIA_NEW_USER_PASSWORD",
            parser=CLI_TEXT,
            help="Asked for if not given (or set WIA_NEW_USER_PASSWORD)",
        ),
    ],
) -> None:
    """Add a person who can sign in, with their roles (the first admin of a trust, say)."""
    with cli_unit_of_work() as session:
        operator = accounts.operator_of_trust(session=session, trust_name=trust)
        assert operator.trust_id is not None  # operator_of_trust names its trust
        user = accounts.create_user(
            session=session,
            actor=operator,
            trust_id=operator.trust_id,
            email=email,
            name=name,
            password=password,
            grants=[_grant(text, session, operator) for text in role],
        )
        roles = ", ".join(sorted(role))
        typer.echo(f"User {user.id}: {user.name} <{user.email}> ({roles})")


@app.command()
def backup(target: Annotated[Path, typer.Argument(help="A new file for the copy")]) -> None:
    """Copy the SQLite database to a new file while the service runs, and check the copy.
    (PostgreSQL: prints how to use pg_dump.)"""
    try:
        checked = backups.backup(cli_settings().database_url, target)
    except backups.BackupError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"Backed up to {target}; {_intact(checked)}")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A file made by `wia backup`")],
    replace: Annotated[bool, typer.Option(help="Overwrite a database that holds data")] = False,
) -> None:
    """Check a backup, then copy it over the SQLite database (stop the service first)."""
    try:
        checked = backups.restore(source, cli_settings().database_url, replace=replace)
    except backups.BackupError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"Restored {source}; {_intact(checked)}")


def _intact(checked: list[audit.Verification]) -> str:
    events = sum(chain.events for chain in checked)
    return f"audit trail intact: {events} events in {len(checked)} chains"


@app.command()
def demo() -> None:
    """Make the demo trust (two schools, one person per role) and print how to sign in.
    Development only: the demo people share a published password."""
    settings = cli_settings()
    if settings.environment is not Environment.DEVELOPMENT:
        raise fail("The demo trust is for development only (WIA_ENVIRONMENT=development)")
    with cli_unit_of_work(settings) as session:
        everyone = seed_demo(session=session, rubric_id=settings.default_rubric)
    typer.echo(f"Demo trust {DEMO_TRUST!r}: sign in with password {DEMO_PASSWORD!r} as")
    for person in everyone:
        where = person.school or "trust-wide"
        typer.echo(f"  {person.email:<38} {person.role.value} ({where})")


def main() -> None:
    app()
