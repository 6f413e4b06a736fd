"""A policy schedule's upload, kept between its preview and its import: checked as it
arrives (a file that cannot be read is refused there and then), previewed, then imported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from assessments.kernel.actors import Actor
from assessments.kernel.errors import InvalidTransition, NotFound, ValidationFailed
from assessments.models import ScheduleUpload, utcnow
from assessments.policies import queries as policy_queries
from assessments.policies.schedule_files import ScheduleFileError, Table, read_schedule
from assessments.policies.schedule_import import (
    Applied,
    Plan,
    apply_import,
    plan_import,
    require_schedule_keeper,
)

KEPT_FOR = timedelta(days=1)


def read_file(data: bytes, filename: str) -> Table:
    """The file's rows, or ValidationFailed saying (under "file") why it cannot be read."""
    try:
        return read_schedule(data, filename)
    except ScheduleFileError as exc:
        raise ValidationFailed({"file": "; ".join(exc.problems)}) from None


def keep_upload(*, session: Session, actor: Actor, filename: str, data: bytes) -> ScheduleUpload:
    """Keep a schedule that can be read, for its preview (and forget those of yesterday)."""
    trust_id = require_schedule_keeper(actor)
    # The name as a person could type it: no NUL or other control character reaches the
    # database (PostgreSQL refuses a NUL).
    filename = "".join(character for character in filename if character.isprintable())
    if not filename:
        raise ValidationFailed({"file": "Choose a CSV or Excel file to upload"})
    read_file(data, filename)
    now = utcnow()
    policy_queries.forget_schedule_uploads(session, now - KEPT_FOR)
    upload = ScheduleUpload(
        trust_id=trust_id,
        uploaded_by_user_id=actor.user_id,
        filename=filename[-255:],
        data=data,
        uploaded_at=now,
    )
    session.add(upload)
    session.flush()
    return upload


@dataclass(frozen=True)
class Preview:
    upload: ScheduleUpload
    plan: Plan


def _upload(
    session: Session, actor: Actor, upload_id: int, *, for_update: bool = False
) -> ScheduleUpload:
    trust_id = require_schedule_keeper(actor)
    upload = policy_queries.get_schedule_upload(session, upload_id, for_update=for_update)
    too_old = upload is not None and upload.uploaded_at < utcnow() - KEPT_FOR
    if upload is None or upload.trust_id != trust_id or too_old:
        raise NotFound("There is no such upload: it may be more than a day old. Upload it again")
    return upload


def preview_upload(*, session: Session, actor: Actor, upload_id: int) -> Preview:
    """What importing the upload would do now, row by row."""
    upload = _upload(session, actor, upload_id)
    table = read_file(upload.data, upload.filename)
    return Preview(upload, plan_import(session=session, actor=actor, table=table))


def import_upload(*, session: Session, actor: Actor, upload_id: int) -> Applied:
    """Import the upload, all of it or nothing (see schedule_import.apply_import)."""
    upload = _upload(session, actor, upload_id, for_update=True)  # a double click waits
    if upload.imported_at is not None:
        raise InvalidTransition(f"{upload.filename} was imported already")
    table = read_file(upload.data, upload.filename)
    applied = apply_import(session=session, actor=actor, table=table, source=upload.filename)
    upload.imported_at = utcnow()
    session.add(upload)
    return applied
