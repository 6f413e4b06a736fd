"""The `wia` command line: serve, migrate, validate and publish rubrics, add schools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError

from app.settings import PROJECT_ROOT, Settings, get_settings
from assessments import policies
from assessments.actors import Actor
from assessments.db import create_db_engine, unit_of_work
from assessments.errors import DomainError
from assessments.rubric_files import RubricError, load_rubric, load_rubric_dir

app = typer.Typer(help="Workload Impact Register.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
rubric_app = typer.Typer(help="Rubric files.", no_args_is_help=True)
school_app = typer.Typer(help="The trust's schools.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rubric_app, name="rubric")
app.add_typer(school_app, name="school")

CLI_ACTOR = Actor(name="command line")
Paths = Annotated[list[Path], typer.Argument(help="Rubric YAML files", exists=False)]


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def _settings() -> Settings:
    """The settings, or a plain message (not a traceback) saying which one is wrong."""
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "\n".join(f"- {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise _fail(f"Cannot start: the settings are not valid.\n{problems}") from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
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
        application, host=host or settings.host, port=port or settings.port, proxy_headers=True
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
    engine = create_db_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            for rubric in rubrics:
                row = policies.publish_rubric(session=session, actor=CLI_ACTOR, rubric=rubric)
                typer.echo(f"{rubric.key}: published (sha256 {row.content_hash[:12]}…)")
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        engine.dispose()


@school_app.command("create")
def school_create(
    names: Annotated[list[str], typer.Argument(help="School names")],
    if_missing: Annotated[bool, typer.Option(help="Skip names that already exist")] = False,
) -> None:
    """Add schools to the trust."""
    engine = create_db_engine(_settings().database_url)
    try:
        with unit_of_work(engine) as session:
            for name in names:
                school = policies.create_school(
                    session=session, actor=CLI_ACTOR, name=name, if_missing=if_missing
                )
                if school is not None:
                    typer.echo(f"School {school.id}: {school.name}")
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        engine.dispose()


def main() -> None:
    app()
