"""The `wia` command line: serve, migrate, validate and publish rubrics, add schools and people,
export, verify the audit trail, back up and restore."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlmodel import Session

from app.inputs import parse_day, parse_id, parse_text
from app.logs import LOG_CONFIG
from app.settings import PROJECT_ROOT, Environment, Settings, get_settings
from assessments import audit, backups, people, policies, register, repository
from assessments.actors import Actor, Grant, Role
from assessments.db import create_db_engine, unit_of_work
from assessments.demo import PASSWORD as DEMO_PASSWORD
from assessments.demo import TRUST as DEMO_TRUST
from assessments.demo import seed_demo
from assessments.errors import DomainError, ValidationFailed
from assessments.models import VersionStatus
from assessments.register import RegisterFilter
from assessments.rubric_files import RubricError, load_rubric, load_rubric_dir

app = typer.Typer(help="Workload Impact Register.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
rubric_app = typer.Typer(help="Rubric files.", no_args_is_help=True)
school_app = typer.Typer(help="The trust's schools.", no_args_is_help=True)
trust_app = typer.Typer(help="Trusts.", no_args_is_help=True)
user_app = typer.Typer(help="People who sign in, and their roles.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
export_app = typer.Typer(help="Exports, written to standard output.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rubric_app, name="rubric")
app.add_typer(school_app, name="school")
app.add_typer(trust_app, name="trust")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(export_app, name="export")

CLI_ACTOR = Actor(name="command line")


def _parser(parse: Callable[[str, str], Any]) -> Callable[[str], Any]:
    """A value read by the service's own parser: what it refuses is a usage error naming the
    option (exit code 2), never a traceback."""

    def read(text: str) -> Any:
        try:
            return parse(text, "value")
        except ValidationFailed as exc:
            raise typer.BadParameter(next(iter(exc.errors.values()))) from None

    return read


CLI_TEXT, CLI_ID, CLI_DAY = _parser(parse_text), _parser(parse_id), _parser(parse_day)
Paths = Annotated[list[Path], typer.Argument(help="Rubric YAML files", exists=False)]


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def _settings() -> Settings:
    """The settings, or a plain message (not a traceback) saying which one is wrong."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "\n".join(f"- {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise _fail(f"Cannot start: the settings are not valid.\n{problems}") from None
    audit.configure(keys=settings.audit_keys, witness_file=settings.audit_witness_file)
    return settings


@contextmanager
def _unit_of_work(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction on the configured database; a refused use-case is a message, exit 1."""
    engine = create_db_engine((settings or _settings()).database_url)
    try:
        with unit_of_work(engine) as session:
            yield session
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on", min=1, max=65535)] = None,
) -> None:
    """Start the web service."""
    import uvicorn

    settings = _settings()
    try:
        from app.main import create_app

        application = create_app(settings)
    except RubricError as exc:
        raise _fail(f"Cannot start: a rubric file is invalid.\n{exc}") from None
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=True,
        log_config=LOG_CONFIG,
        access_log=False,  # app.logs writes a structured line per request instead
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the schema migrations (to the latest by default)."""
    _settings()  # migrations/env.py reads the database URL from them
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
    settings = _settings()
    try:
        if paths:
            rubrics = [load_rubric(path) for path in paths]
        else:  # the same files the service checks at start-up
            rubrics = load_rubric_dir(settings.rubrics_dir)
    except RubricError as exc:
        raise _fail(str(exc)) from None
    with _unit_of_work(settings) as session:
        for rubric in rubrics:
            row = policies.publish_rubric(session=session, actor=CLI_ACTOR, rubric=rubric)
            typer.echo(f"{rubric.key}: published (sha256 {row.content_hash[:12]}…)")


TrustOption = Annotated[
    str | None,
    typer.Option(help="The trust's name (may be left out if there is only one)", parser=CLI_TEXT),
]


@school_app.command("create")
def school_create(
    names: Annotated[list[str], typer.Argument(help="School names", parser=CLI_TEXT)],
    trust: TrustOption = None,
    if_missing: Annotated[bool, typer.Option(help="Skip names that already exist")] = False,
) -> None:
    """Add schools to a trust."""
    settings = _settings()
    with _unit_of_work(settings) as session:
        trust_name = trust or people.only_trust(session=session).name
        operator = people.operator_of_trust(session=session, trust_name=trust_name)
        for name in names:
            school = policies.create_school(
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
    with _unit_of_work() as session:
        if if_missing and people.trust_named(session=session, name=name) is not None:
            return
        trust = people.create_trust(session=session, name=name)
        typer.echo(f"Trust {trust.id}: {trust.name}")


def _grant(text: str, session: Session, operator: Actor) -> Grant:
    """`admin` (trust-wide) or `author@School name` (for one school)."""
    role_name, _, school_name = text.partition("@")
    try:
        role = Role(role_name.strip().lower())
    except ValueError:
        raise _fail(f"Unknown role {role_name!r}: use {', '.join(r.value for r in Role)}") from None
    if not school_name.strip():
        return Grant(role)
    school = policies.school_named(session=session, actor=operator, name=school_name)
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
    with _unit_of_work() as session:
        operator = people.operator_of_trust(session=session, trust_name=trust)
        assert operator.trust_id is not None  # operator_of_trust names its trust
        user = people.create_user(
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


def _operator(session: Session, trust: str | None) -> Actor:
    name = trust or people.only_trust(session=session).name
    return people.operator_of_trust(session=session, trust_name=name)


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
        str | None, typer.Option(help="Only this trust's chain (by default every chain)")
    ] = None,
    witness: WitnessOption = None,
    witness_file: WitnessFileOption = None,
) -> None:
    """Check the audit trail's chains (each trust's, and the installation's) against the
    checkpoints given; exit 1 naming the first broken event of each chain that fails."""
    settings = _settings()
    given, from_file = (
        _checkpoints(witness or [], None, settings),
        _checkpoints([], witness_file, settings),
    )
    witnesses, refused = given[0] + from_file[0], given[1] + from_file[1]
    with _unit_of_work(settings) as session:
        names = {t.id: t.name for t in repository.list_trusts(session)}
        if trust is None:
            checks = audit.verify_all(session, witnesses=witnesses)
        else:
            chain = audit.chain_of(_operator(session, trust).trust_id)
            refused += [
                f"--witness {w} is of another chain than trust {trust!r}'s"
                for w in given[0] if w.chain != chain
            ]  # fmt: skip
            checks = [audit.verify(session, chain=chain, witnesses=witnesses)]
    for problem in refused:
        typer.secho(f"Checkpoint refused: {problem}", fg=typer.colors.RED, err=True)
    for checked in checks:
        label = (
            f"Trust {names[checked.chain]!r}" if checked.chain in names
            else "Installation" if checked.chain == audit.INSTALLATION
            else f"Chain {checked.chain} (no such trust)"
        )  # fmt: skip
        if checked.intact:
            typer.echo(
                f"{label}: intact, {checked.events} events, {checked.witnessed} checkpoints "
                f"witnessed; head {checked.head}"
            )
        else:
            typer.secho(
                f"{label}: broken at event {checked.broken_at}: {checked.problem}.",
                fg=typer.colors.RED, err=True,
            )  # fmt: skip
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
    settings = _settings()
    with _unit_of_work(settings) as session:
        checkpoints = [
            audit.checkpoint(*audit.head_of(session, chain=chain), chain=chain)
            for chain in audit.chains(session)
        ]
    path = file or settings.audit_witness_file
    if path is not None:
        try:
            audit.append_witness(checkpoints, now=datetime.now(UTC), path=path)
        except OSError as exc:
            raise _fail(f"Cannot append to {path}: {exc}") from None
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
        raise _fail("--format must be csv or json")
    chosen = RegisterFilter(
        school_id=school, status=status, rating=rating, overdue=overdue,
        decided_from=decided_from, decided_to=decided_to, text=text,
    )  # fmt: skip
    with _unit_of_work() as session:
        actor, today = _operator(session, trust), datetime.now(UTC).date()
        assert actor.trust_id is not None  # operator_of_trust names its trust
        rows = register.register_rows(session=session, actor=actor, chosen=chosen, today=today)
        head = register.audit_chain_head(session, actor.trust_id)
        if output_format == "csv":
            chunks = register.csv_lines(rows, head)
        else:
            count = register.register_count(
                session=session, actor=actor, chosen=chosen, today=today
            )
            chunks = register.json_chunks(rows, head, count)
        for chunk in chunks:
            sys.stdout.write(chunk)
    sys.stdout.flush()


@app.command()
def backup(target: Annotated[Path, typer.Argument(help="A new file for the copy")]) -> None:
    """Copy the SQLite database to a new file while the service runs, and check the copy.
    (PostgreSQL: prints how to use pg_dump.)"""
    try:
        checked = backups.backup(_settings().database_url, target)
    except backups.BackupError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Backed up to {target}; {_intact(checked)}")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A file made by `wia backup`")],
    replace: Annotated[bool, typer.Option(help="Overwrite a database that holds data")] = False,
) -> None:
    """Check a backup, then copy it over the SQLite database (stop the service first)."""
    try:
        checked = backups.restore(source, _settings().database_url, replace=replace)
    except backups.BackupError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Restored {source}; {_intact(checked)}")


def _intact(checked: list[audit.Verification]) -> str:
    events = sum(chain.events for chain in checked)
    return f"audit trail intact: {events} events in {len(checked)} chains"


@app.command()
def demo() -> None:
    """Make the demo trust (two schools, one person per role) and print how to sign in.
    Development only: the demo people share a published password."""
    settings = _settings()
    if settings.environment is not Environment.DEVELOPMENT:
        raise _fail("The demo trust is for development only (WIA_ENVIRONMENT=development)")
    with _unit_of_work(settings) as session:
        everyone = seed_demo(session=session, rubric_id=settings.default_rubric)
    typer.echo(f"Demo trust {DEMO_TRUST!r}: sign in with password {DEMO_PASSWORD!r} as")
    for person in everyone:
        where = person.school or "trust-wide"
        typer.echo(f"  {person.email:<38} {person.role.value} ({where})")


def main() -> None:
    app()
