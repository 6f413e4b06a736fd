"""Downloads: the register as CSV or JSON (for the page, the API and `wia export`), and the
headers every file download sends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal

from sqlmodel import Session

from assessments.kernel.actors import Actor, trust_of
from assessments.register import export, listing as register
from assessments.register.schemas import RegisterFilter

ExportFormat = Literal["csv", "json"]
CSV_MEDIA = "text/csv; charset=utf-8"
MEDIA_TYPES: dict[str, str] = {"csv": CSV_MEDIA, "json": "application/json"}


def attachment(name: str) -> dict[str, str]:
    """The header that makes a response a download called `name`."""
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def register_export(
    *, session: Session, actor: Actor, chosen: RegisterFilter, today: date, fmt: ExportFormat
) -> tuple[dict[str, str], Iterator[str]]:
    """The register under `chosen` as a file: its headers (name, the audit chain's head, a
    signed checkpoint, and the row count, so a reader can tell a file that was cut short) and
    its chunks, whole rows each."""
    head = register.audit_chain_head(session, trust_of(actor))
    count = register.register_count(session=session, actor=actor, chosen=chosen, today=today)
    rows = register.register_rows(session=session, actor=actor, chosen=chosen, today=today)
    headers = attachment(f"register-{today.isoformat()}.{fmt}") | {
        "X-Audit-Chain-Head": head,
        "X-Register-Rows": str(count),
    }
    if fmt == "json":
        return headers, export.json_chunks(rows, head, count)
    return headers, export.csv_lines(rows, head)
