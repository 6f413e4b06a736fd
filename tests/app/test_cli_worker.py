"""`wia worker`'s settings: a production worker with nowhere to send mail refuses to start,
saying what to set; a mail server address of the wrong shape is refused at start by the
settings, naming the setting (the worker's runs are in tests/operations/test_mail_workers.py)."""

from __future__ import annotations

import secrets

import pytest

from app.settings import get_settings
from tests.factories.cli import wia


def test_a_production_worker_without_a_mail_server_refuses_to_start(
    migrated: str, fresh_settings: pytest.MonkeyPatch
) -> None:
    fresh_settings.setenv("WIA_ENVIRONMENT", "production")
    fresh_settings.setenv("WIA_SECRET_KEY", secrets.token_urlsafe(48))
    fresh_settings.setenv("WIA_AUDIT_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()  # `migrated` read them before these were set
    result = wia("worker")
    assert result.exit_code == 1
    assert "Cannot start the worker: set WIA_SMTP_URL" in result.output


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mailto:admin@trust.example", "WIA_SMTP_URL must start with smtp://"),
        ("smtp://mail.trust.example:25x", "WIA_SMTP_URL's port must be a number"),
        ("smtps://:secret@", "WIA_SMTP_URL must name the mail server's host"),
    ],
)
def test_a_mail_server_of_the_wrong_shape_is_refused_by_name(
    migrated: str, fresh_settings: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    fresh_settings.setenv("WIA_SMTP_URL", url)
    get_settings.cache_clear()
    result = wia("worker")
    assert result.exit_code == 1
    assert "Cannot start: the settings are not valid." in result.output
    assert problem in result.output


def test_the_sweep_runs_once_a_day_from_the_command_line(migrated: str) -> None:
    first = wia("reminders", "run", "--date", "2027-03-01")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Sweep for 1 March 2027: 0 reminders, 0 digests queued")
    again = wia("reminders", "run", "--date", "01/03/2027")
    assert "The sweep for 1 March 2027 has run already: nothing more to send" in again.output
    refused = wia("reminders", "run", "--date", "31/02/2027")
    assert refused.exit_code == 2
    assert "Invalid value for '--date'" in refused.output
