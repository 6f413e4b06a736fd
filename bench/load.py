"""The one load generator of the bench: HTTP/1.1 keep-alive connections on uvloop, parsed by
httptools (uvicorn's own parser), so that the client costs little next to the server it
measures on a two-core machine. Every measure, app and baseline alike, goes through it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import httptools
import uvloop

HOST = "127.0.0.1"
T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def encode(self, port: int) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {HOST}:{port}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body or self.method == "POST":
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass
class Reply:
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    size: int = 0  # bytes of body
    lines: int = 0  # newlines in the body

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


class _Collector:
    """httptools' callbacks for one response."""

    def __init__(self, keep_body: bool) -> None:
        self.reply = Reply()
        self.keep_body = keep_body
        self.parts: list[bytes] = []
        self.done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.reply.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_body(self, body: bytes) -> None:
        self.reply.size += len(body)
        self.reply.lines += body.count(b"\n")
        if self.keep_body:
            self.parts.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class Client:
    """One keep-alive connection to the server (reopened if the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=2**20)

    async def send(self, request: Request, *, keep_body: bool = True) -> Reply:
        await self.connect()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request.encode(self.port))
        collector = _Collector(keep_body)
        parser = httptools.HttpResponseParser(collector)
        while not collector.done:
            data = await self.reader.read(2**18)
            if not data:
                raise ConnectionError(f"the server closed the connection: {request.path}")
            parser.feed_data(data)
        collector.reply.status = parser.get_status_code()
        collector.reply.body = b"".join(collector.parts)
        if not parser.should_keep_alive():
            await self.close()
        return collector.reply

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        self.reader = self.writer = None


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run one measurement on a fresh uvloop event loop."""
    return uvloop.run(work)


async def latencies(port: int, requests: Sequence[Request], warmup: int) -> list[float]:
    """Seconds each request took, one after another on one connection (no queueing), after
    `warmup` requests that are not counted. Any reply but 200 stops the bench."""
    client = Client(port)
    times: list[float] = []
    try:
        await client.connect()  # not timed
        for number in range(warmup + len(requests)):
            request = requests[number % len(requests)]
            started = time.perf_counter()
            reply = await client.send(request, keep_body=False)
            elapsed = time.perf_counter() - started
            if reply.status != 200:
                raise RuntimeError(f"{request.path} answered {reply.status}")
            if number >= warmup:
                times.append(elapsed)
    finally:
        await client.close()
    return times


class Worker(Protocol):
    """One connection's stream of requests, and whether each reply is a success."""

    def next_request(self) -> Request: ...

    def succeeded(self, reply: Reply) -> bool: ...


@dataclass
class Load:
    completed: int = 0  # successful replies counted
    errors: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


async def throughput(port: int, workers: Sequence[Worker], seconds: float, warmup: float) -> Load:
    """Successful requests a second with one connection per worker, each sending its next
    request as soon as the last is answered; the first `warmup` seconds are not counted."""
    load = Load()
    started = time.perf_counter()
    counting_from, ends = started + warmup, started + warmup + seconds

    async def drive(worker: Worker) -> None:
        client = Client(port)
        await client.connect()
        try:
            while (now := time.perf_counter()) < ends:
                reply = await client.send(worker.next_request())
                ok = worker.succeeded(reply)
                if now >= counting_from:
                    load.statuses[reply.status] += 1
                    if ok:
                        load.completed += 1
                    else:
                        load.errors += 1
        finally:
            await client.close()

    await asyncio.gather(*(drive(worker) for worker in workers))
    load.seconds = time.perf_counter() - counting_from
    return load


async def fetch(port: int, request: Request) -> tuple[Reply, float]:
    """One request whose (possibly very long) body is counted, not kept: the reply and the
    seconds until its last byte."""
    client = Client(port)
    try:
        await client.connect()
        started = time.perf_counter()
        reply = await client.send(request, keep_body=False)
        return reply, time.perf_counter() - started
    finally:
        await client.close()
