"""What the `wia` commands share: settings, a unit of work, the trust acted for, and options
read by the service's own parsers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from alembic.config import Config
from pydantic import ValidationError
from sqlmodel import Session

from app.inputs import parse_day, parse_id, parse_text
from app.settings import PROJECT_ROOT, Settings, get_settings
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.kernel.errors import DomainError, ValidationFailed
from assessments.people import accounts

CLI_ACTOR = Actor(name="command line")


def option_parser(parse: Callable[[str, str], Any]) -> Callable[[str], Any]:
    """A value read by the service's own parser: what it refuses is a usage error naming the
    option (exit code 2), never a traceback."""

    def read(text: str) -> Any:
        try:
            return parse(text, "value")
        except ValidationFailed as exc:
            raise typer.BadParameter(next(iter(exc.errors.values()))) from None

    return read


CLI_TEXT = option_parser(parse_text)
CLI_ID = option_parser(parse_id)
CLI_DAY = option_parser(parse_day)
TrustOption = Annotated[
    str | None,
    typer.Option(help="The trust's name (may be left out if there is only one)", parser=CLI_TEXT),
]


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def cli_settings() -> Settings:
    """The settings, or a plain message (not a traceback) saying which one is wrong."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "\n".join(f"- {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise fail(f"Cannot start: the settings are not valid.\n{problems}") from None
    audit.configure(keys=settings.audit_keys, witness_file=settings.audit_witness_file)
    return settings


@contextmanager
def cli_unit_of_work(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction on the configured database; a refused use-case is a message, exit 1."""
    engine = create_db_engine((settings or cli_settings()).database_url)
    try:
        with unit_of_work(engine) as session:
            yield session
    except DomainError as exc:
        raise fail(exc.message) from None
    finally:
        engine.dispose()


def trust_operator(session: Session, trust: str | None) -> Actor:
    name = trust or accounts.only_trust(session=session).name
    return accounts.operator_of_trust(session=session, trust_name=name)
