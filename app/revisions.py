"""The revision an API write of existing content is based on (RFC 9110 §13.1.1, RFC 6585 §3):
`If-Match` with the ETag the client read, or `expected_revision` in the body or query.

Neither: 428 if the record exists (a new one needs none). A stale If-Match: 412; a stale
expected_revision: 409, as the use-cases say."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from fastapi import Header, HTTPException, Response
from pydantic import BaseModel

from assessments.drafting.editing import NO_REVISION
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import AnswerSave, ScreeningReasonSave, WorkloadEstimateSave
from assessments.kernel.errors import StaleVersion
from assessments.policies.schemas import PolicyUpdate
from assessments.progress.recording import ProgressSave

IF_MATCH = "If-Match"
IfMatch = Annotated[
    str | None,
    Header(
        alias=IF_MATCH,
        description='The ETag you read, e.g. "3"; 412 if the record has changed since. '
        "Or send expected_revision instead.",
    ),
]
_ETAG = re.compile(r'\s*"([0-9]{1,18})"\s*')  # ASCII digits only: `\d` takes "²" too
# What carries a revision.
Data = TypeVar(
    "Data",
    AnswerSave,
    WorkloadEstimateSave,
    ActionSave,
    ProgressSave,
    PolicyUpdate,
    ScreeningReasonSave,
)
Read = TypeVar("Read", bound=BaseModel)
T = TypeVar("T")
ETAG_HEADER = {
    "ETag": {"description": "The record's revision, for If-Match", "schema": {"type": "string"}}
}


@dataclass(frozen=True)
class BasedOn:
    """The revision a write says it is based on, and whether it came as If-Match."""

    revision: int | None
    from_if_match: bool = False


def etag(revision: int) -> str:
    return f'"{revision}"'


def send_etag(response: Response, revision: int) -> None:
    response.headers["ETag"] = etag(revision)


def based_on(if_match: str | None, expected_revision: int | None) -> BasedOn:
    """The revision the request names, from If-Match or expected_revision."""
    if if_match is None:
        return BasedOn(expected_revision)
    match = _ETAG.fullmatch(if_match)
    if match is None:
        # Not an ETag this API sent, so it matches no current revision.
        raise HTTPException(412, 'If-Match must be one ETag this API sent, such as "3"')
    revision = int(match[1])
    if expected_revision is not None and expected_revision != revision:
        raise HTTPException(400, "If-Match and expected_revision name different revisions")
    return BasedOn(revision, from_if_match=True)


@contextmanager
def precondition(based: BasedOn) -> Iterator[int]:
    """Yields the revision to hand the use-case. With none given it is NO_REVISION, which only
    a record not yet saved has: changing an existing one is then refused with 428."""
    try:
        yield NO_REVISION if based.revision is None else based.revision
    except StaleVersion as exc:
        if based.revision is None:
            raise HTTPException(
                428,
                "Send the revision this change is based on: If-Match with the ETag you read, "
                "or expected_revision",
            ) from None
        if based.from_if_match:
            raise HTTPException(412, exc.message) from None
        raise


def write_at(if_match: str | None, data: Data, write: Callable[..., T]) -> T:
    """`write(data=data)`, its expected_revision the one the request names (If-Match or the
    body's), under precondition's rules."""
    with precondition(based_on(if_match, data.expected_revision)) as revision:
        return write(data=data.model_copy(update={"expected_revision": revision}))


class Revised(Protocol):
    @property
    def revision(self) -> int: ...


def etagged(response: Response, row: Revised, read: type[Read]) -> Read:
    """The row as its read model, its revision sent as the response's ETag."""
    send_etag(response, row.revision)
    return read.model_validate(row)
