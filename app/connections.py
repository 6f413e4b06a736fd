"""Database connections belong to the request that took them.

A unit of work holds a pooled connection until it ends. Most end inside their handler, but a
streamed response (an export of any size, anything added later) reads while it is being sent,
after the handler has returned: its unit must end when the stream does, however it ends
(complete, failed, or the client gone half-way). Two mechanisms make sure of that:

- `streamed` opens the stream's own unit before the first byte and closes it in the body's
  `finally`, shielded from the cancellation a client's disconnect causes;
- `RequestConnections`, a middleware, takes back any connection a request still holds once
  the request has ended, whatever the cause, so no code path can keep a connection past its
  request, and a pool can never stay exhausted for want of a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import ExitStack
from contextvars import ContextVar
from typing import Any

import anyio
import sqlalchemy as sa
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

events = logging.getLogger("wia")


# The pooled connections the current request has checked out and not yet given back (handlers
# and stream bodies run in threads with a copy of the request's context, so the pool's
# checkout event, which runs in them, adds to the request's own list).
_held: ContextVar[list[PoolProxiedConnection] | None] = ContextVar("wia_held", default=None)


def _checked_out(_dbapi: Any, _record: Any, proxy: PoolProxiedConnection) -> None:
    held = _held.get()
    if held is not None:
        held.append(proxy)


class RequestConnections:
    """Takes back, when a request has ended, every connection it still holds: they are
    invalidated, which gives their place in the pool back at once (their holder, if it ever
    tried to use one again, would get an error rather than someone else's connection). So no
    code path can keep a connection past its request, and the log says one did."""

    def __init__(self, app: ASGIApp, engine: sa.Engine) -> None:
        self.app = app
        sa.event.listen(engine, "checkout", _checked_out)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[PoolProxiedConnection] = []
        token = _held.set(held)
        try:
            await self.app(scope, receive, send)
        finally:
            _held.reset(token)
            left = [proxy for proxy in held if proxy.is_valid]  # not given back
            if left:
                events.warning("connections_left_checked_out", extra={"count": len(left)})
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(_take_back, left)


def _take_back(proxies: list[PoolProxiedConnection]) -> None:
    for proxy in proxies:
        proxy.invalidate()


class _UnitStream(StreamingResponse):
    """Sends `chunks` (from the thread pool, as Starlette sends any iterator) and then ends
    the unit they read from, however the sending ends."""

    def __init__(
        self,
        chunks: Generator[str],
        stack: ExitStack,
        *,
        media_type: str,
        headers: Mapping[str, str],
    ) -> None:
        self._chunks, self._stack = chunks, stack
        super().__init__(chunks, media_type=media_type, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A client that went away cancels the sending; the clean-up must still run.
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(self._end)

    def _end(self) -> None:
        try:
            self._chunks.close()  # runs the producer's own clean-up (its result is closed)
        finally:
            self._stack.close()


def streamed(
    request: Request,
    produce: Callable[[Session], tuple[Mapping[str, str], Iterator[str]]],
    *,
    media_type: str,
) -> StreamingResponse:
    """A response streaming what `produce(session)` makes (its headers and its chunks) from a
    read-only unit of work of its own, opened now and ended when the stream ends. The unit is
    one snapshot of the database, so everything the stream says agrees (on SQLite a read
    transaction is one already; PostgreSQL is asked for REPEATABLE READ). The first chunk is
    made before the response starts, so a failing query is an error status, not an empty file."""
    stack = ExitStack()
    try:
        session = stack.enter_context(request.app.state.unit_of_work(snapshot=True))
        headers, chunks = produce(session)
        first = next(chunks, "")
    except BaseException:
        stack.close()
        raise

    def body() -> Generator[str]:
        yield first
        yield from chunks

    return _UnitStream(body(), stack, media_type=media_type, headers=headers)
