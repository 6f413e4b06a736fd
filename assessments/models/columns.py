"""Column types every table uses: UTC timestamps and StrEnums stored as their values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from assessments.kernel import clock


def utcnow() -> datetime:
    """Now, for the tables' default timestamps: the one clock's time."""
    return clock.now()


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp that is read back in UTC on every database (SQLite stores no
    offset, so without this a value written as UTC would come back naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp() -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=False)


HUNDREDTH = Decimal("0.01")


class EnumValue(sa.TypeDecorator[StrEnum]):
    """A StrEnum stored as its plain value in a VARCHAR, and read back as the enum member
    (a bare String column would hand back a str, and `status is VersionStatus.DRAFT` fails)."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)
