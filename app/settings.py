"""One typed settings object, read from WIA_* environment variables (and DATABASE_URL)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
