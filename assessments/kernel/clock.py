"""The one clock: the time and the date now, in UTC. Code that depends on the date takes it as
an argument (`today=`, `now=`), so tests pass the date they need instead of changing this."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC (the register's overdue reviews and exports are dated by it)."""
    return now().date()
