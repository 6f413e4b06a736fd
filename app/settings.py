"""One typed settings object, read from WIA_* environment variables (and DATABASE_URL)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assessments.kernel.audit_keys import DEVELOPMENT_AUDIT_KEY

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-key-change-me"  # noqa: S105 - refused outside development


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIA_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'wia.sqlite3'}",
        validation_alias=AliasChoices("WIA_DATABASE_URL", "DATABASE_URL"),
    )
    secret_key: str = DEVELOPMENT_SECRET
    # The audit trail's MAC key, kept out of the database; older keys (comma-separated) still
    # verify the events they made. See README, "What `wia audit verify` proves".
    audit_key: str = DEVELOPMENT_AUDIT_KEY
    audit_previous_keys: str = ""
    audit_witness_file: Path | None = None  # each day's checkpoints are appended here
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    default_rubric: str = "staff-wellbeing-impact"
    session_idle_minutes: int = Field(default=60, ge=1)  # signed out after this long idle
    session_absolute_hours: int = Field(default=12, ge=1)  # and after this long whatever happens
    # A request waits this long for a free database connection, then gets 503 (Retry-After).
    database_pool_timeout: float = Field(default=10, gt=0)
    api_token_default_days: int = Field(default=90, ge=1)  # a new token's life, unless chosen
    api_token_max_days: int = Field(default=365, ge=1)  # the longest a token may be given
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)  # larger request bodies get 413
    host: str = "127.0.0.1"
    port: int = 8000
    # Where people reach the service: the links in its emails start with it.
    base_url: str = "http://127.0.0.1:8000"
    # Email goes out through this server: smtp://host:25 (plain, a local relay),
    # smtp+starttls://user:password@host:587, or smtps://user:password@host:465. Left empty in
    # development, each message is written as an .eml file into mail_dir instead.
    smtp_url: str = ""
    smtp_timeout: float = Field(default=30, gt=0)
    mail_from: str = "Workload Impact Register <no-reply@localhost>"
    mail_dir: Path = PROJECT_ROOT / "data" / "mail"
    outbox_batch: int = Field(default=50, ge=1, le=1000)  # messages a worker claims at once
    outbox_lease_seconds: int = Field(default=300, ge=1)  # a dead worker's messages wait this
    outbox_max_attempts: int = Field(default=8, ge=1)  # tries before a message is given up
    worker_poll_seconds: float = Field(default=5, gt=0)  # how often an idle worker looks

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Self:
        if self.environment is not Environment.DEVELOPMENT and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                f"WIA_SECRET_KEY must be set to a random value of at least 32 characters when "
                f"WIA_ENVIRONMENT={self.environment.value}; generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        if self.api_token_default_days > self.api_token_max_days:
            raise ValueError(
                "WIA_API_TOKEN_DEFAULT_DAYS must not be more than WIA_API_TOKEN_MAX_DAYS"
            )
        if self.environment is not Environment.DEVELOPMENT and (
            self.audit_key in (DEVELOPMENT_AUDIT_KEY, self.secret_key) or len(self.audit_key) < 32
        ):
            raise ValueError(
                f"WIA_AUDIT_KEY must be set to a random value of at least 32 characters, not "
                f"the secret key, when WIA_ENVIRONMENT={self.environment.value}; generate one "
                "with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        if problem := smtp_url_problem(self.smtp_url):
            raise ValueError(problem)
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("WIA_BASE_URL must start with https:// (or http://)")
        return self

    @property
    def audit_keys(self) -> tuple[str, ...]:
        """The audit trail's keys: the current one first, then the older ones."""
        previous = (key.strip() for key in self.audit_previous_keys.split(","))
        return (self.audit_key, *(key for key in previous if key))

    @property
    def secure_cookies(self) -> bool:
        """Secure, __Host- cookies everywhere but on a developer's own plain-HTTP machine."""
        return self.environment is not Environment.DEVELOPMENT


SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")


def smtp_url_problem(url: str) -> str | None:
    """What is wrong with WIA_SMTP_URL's shape, if anything (whether its server answers, and
    takes its credentials, the worker finds out, and says, when it starts)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES:
        return (
            f"WIA_SMTP_URL must start with {', '.join(s + '://' for s in SMTP_SCHEMES)}"
            f" (not {parts.scheme or 'nothing'}://)"
        )
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        return "WIA_SMTP_URL's port must be a number from 1 to 65535"
    if not parts.hostname:
        return "WIA_SMTP_URL must name the mail server's host, as in smtps://user:password@host"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
