"""`wia worker`: runs the daily sweep and delivers the outbox until stopped (SIGTERM or
Ctrl-C); the same worker run beside the web service by `wia serve --worker` (what `make run`
does); and `wia reminders run`, the daily sweep on its own, for cron."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer

from app.cli_support import CLI_DAY, cli_settings, cli_unit_of_work
from app.mail.transport import SmtpServer
from app.settings import Environment, Settings
from app.web import british_date
from app.worker import Worker
from assessments.kernel.clock import today
from assessments.kernel.db import create_db_engine
from assessments.notifications.reminders import run_sweep


def where_mail_goes(settings: Settings) -> str:
    if settings.smtp_url:
        return f"mail goes out through {SmtpServer.from_url(settings.smtp_url)}"
    return f"mail is written as .eml files into {settings.mail_dir} (no WIA_SMTP_URL)"


def mail_problem(settings: Settings) -> str | None:
    """Why this worker must not start: production with nowhere to send mail."""
    if settings.environment is Environment.PRODUCTION and not settings.smtp_url:
        return (
            "Cannot start the worker: set WIA_SMTP_URL to the mail server "
            "(smtp+starttls://user:password@host:587 or smtps://user:password@host:465)"
        )
    return None


@contextmanager
def worker_running(settings: Settings) -> Iterator[threading.Event]:
    """A worker delivering in a thread of this process until the block ends."""
    engine = create_db_engine(settings.database_url)
    stop = threading.Event()
    thread = threading.Thread(target=Worker.on(settings, engine).run, args=(stop,), name="worker")
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join()
        engine.dispose()


def worker() -> None:
    """Deliver the outbox's email until stopped, retrying what the mail server does not take."""
    settings = cli_settings()
    if problem := mail_problem(settings):
        typer.secho(problem, fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Worker started: {where_mail_goes(settings)}")
    engine = create_db_engine(settings.database_url)
    try:
        if problem := Worker.on(settings, engine).check_mail_server():
            typer.secho(
                f"The mail server is not usable yet; the worker keeps trying: {problem}",
                fg=typer.colors.YELLOW,
                err=True,
            )
    finally:
        engine.dispose()
    with worker_running(settings) as stop:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(3600):
                pass
        except KeyboardInterrupt:
            pass
    typer.echo("Worker stopped")


reminders_app = typer.Typer(help="The daily sweep of reminders and digests.", no_args_is_help=True)


@reminders_app.command("run")
def reminders_run(
    day: Annotated[
        date | None,
        typer.Option(
            "--date", help="The day to sweep for (YYYY-MM-DD; today by default)", parser=CLI_DAY
        ),
    ] = None,
) -> None:
    """Run the daily sweep now (for cron, instead of a worker's own): a second run on a day
    sends nothing more. The messages it queues are sent by the worker."""
    day = day or today()
    with cli_unit_of_work() as session:
        report = run_sweep(session, today=day)
    when = british_date(day)
    if report.already_run:
        typer.echo(f"The sweep for {when} has run already: nothing more to send")
    else:
        typer.echo(
            f"Sweep for {when}: {report.reminders} reminders, {report.digests} digests queued"
        )
