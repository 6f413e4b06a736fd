"""Request dependencies: the database session (the request owns its transaction) and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth import get_actor, optional_actor
from app.security import read_form
from app.settings import Settings
from assessments.actors import Actor


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.
    (`app.state.unit_of_work` opens it: the tests swap in one inside each test's transaction.)"""
    read_only = request.method in {"GET", "HEAD", "OPTIONS"}
    with request.app.state.unit_of_work(read_only=read_only) as session:
        yield session


async def get_form(request: Request) -> FormData:
    """The posted form, read before the handler runs so that handlers stay synchronous: their
    database work then runs in the thread pool, never blocking the event loop."""
    return await read_form(request)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# A record's id in a URL: a positive 64-bit integer, so that a huge number is "not found" (page)
# or a 422 (API) rather than an overflow inside the database driver.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
# scope="function": commit before the response is sent, so a redirect never outruns its data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(get_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
FormDep = Annotated[FormData, Depends(get_form)]
