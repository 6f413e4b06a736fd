"""Request dependencies: the database session (the request owns its transaction) and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import BeforeValidator
from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth import get_actor, optional_actor
from app.inputs import text_errors
from app.security import read_form
from app.settings import Settings
from assessments.kernel.actors import Actor
from assessments.kernel.errors import ValidationFailed
from assessments.kernel.inputs import MAX_ID, MAX_INT, ascii_integer


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.
    (`app.state.unit_of_work` opens it: the tests swap in one inside each test's transaction.)"""
    read_only = request.method in {"GET", "HEAD", "OPTIONS"}
    with request.app.state.unit_of_work(read_only=read_only) as session:
        yield session


async def get_form(request: Request) -> FormData:
    """The posted form, read before the handler runs so that handlers stay synchronous: their
    database work then runs in the thread pool, never blocking the event loop. A field holding
    text that no database can store (a NUL) is refused here, naming the field (422)."""
    form = await read_form(request)
    if errors := text_errors((key, str(value)) for key, value in form.multi_items()):
        raise ValidationFailed(errors)
    return form


async def get_raw_form(request: Request) -> FormData:
    """The posted form as sent, for a handler that shows text problems in the form itself
    (it must call `app.inputs.text_errors`)."""
    return await read_form(request)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# A record's id in a URL: what the id columns hold on both databases (1 to 2^31-1), so that
# any other number, or anything that is not one, is "no such record" (404) rather than an
# overflow inside the database driver.
Id = Annotated[int, BeforeValidator(ascii_integer), Path(ge=1, le=MAX_ID)]
# A revision sent in a query string (`expected_revision`): what the revision columns hold.
RevisionQuery = Annotated[int | None, BeforeValidator(ascii_integer), Query(ge=0, le=MAX_INT)]
# scope="function": commit before the response is sent, so a redirect never outruns its data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(get_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
FormDep = Annotated[FormData, Depends(get_form)]
RawFormDep = Annotated[FormData, Depends(get_raw_form)]
