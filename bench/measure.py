"""The three measures, each with its baseline from the same server and the same load generator,
taken in alternating rounds so that a busy neighbour slows both sides alike."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessments.models import Answer
from bench import load
from bench.load import Reply, Request
from bench.server import Browser

LATENCY_ROUNDS = 6
PAGES_A_ROUND = 20  # register pages a round, spread over the filters
RENDERS_A_ROUND = 50  # baseline renders a round
HOME_A_ROUND = 10  # home pages a round
CONCURRENCY = 8
THROUGHPUT_ROUNDS = 2
AUTOSAVE_SECONDS, ECHO_SECONDS, WARMUP_SECONDS = 8.0, 4.0, 1.5
DRAFTS = 64
# Choice questions an author changes their mind about while the page autosaves.
AUTOSAVED = (
    "change-and-offset",
    "new-task-pattern",
    "calendar-timing",
    "out-of-hours-work",
    "marking-expectations",
    "stress-risk",
    "meetings",
    "data-purpose",
)


def register_filters(school_id: int) -> dict[str, str]:
    """Name → query string: what a trust leader asks the register for, filtered and sorted."""
    return {
        "approved, by review date": "status=approved&sort=review-due",
        "one school, latest decisions": f"school={school_id}&sort=decided&order=desc",
        "high rating, by score": "rating=high&sort=score&order=desc",
        "text search, page 2": "q=marking&sort=reference&page=2",
    }


def percentile(times: Sequence[float], share: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[share - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


@dataclass
class Latency:
    times: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "p50_ms": _ms(percentile(self.times, 50)),
            "p95_ms": _ms(percentile(self.times, 95)),
            "requests": len(self.times),
        }


def register_latency(port: int, browser: Browser, school_id: int) -> dict[str, Any]:
    """Register pages (50 rows, filtered and sorted) and the bare renders, one at a time."""
    filters = register_filters(school_id)
    pages = {
        name: Request("GET", f"/register?{query}", browser.headers())
        for name, query in filters.items()
    }
    renders = [Request("GET", f"/_bench/register?{query}") for query in filters.values()]
    plain = [Request("GET", "/_bench/table")]
    home_page = Request("GET", "/", browser.headers())  # lists, overdue and the three charts
    per_filter = {name: Latency() for name in pages}
    page, render, table, home = Latency(), Latency(), Latency(), Latency()
    each = PAGES_A_ROUND // len(pages)
    for round_ in range(LATENCY_ROUNDS):
        warm = 2 if round_ == 0 else 0  # the first round warms every route up
        for name, request in pages.items():
            times = load.run(load.latencies(port, [request] * each, warm))
            per_filter[name].times += times
            page.times += times
        several = renders * (RENDERS_A_ROUND // len(renders))
        render.times += load.run(load.latencies(port, several, 5 * warm))
        table.times += load.run(load.latencies(port, plain * RENDERS_A_ROUND, 5 * warm))
        home.times += load.run(load.latencies(port, [home_page] * HOME_A_ROUND, warm))
    return {
        "page": page.summary(),
        "home": home.summary(),
        "bare_render": render.summary(),
        "plain_table": table.summary(),
        "per_filter": {name: lat.summary() for name, lat in per_filter.items()},
        "filters": filters,
    }


REVISION = 'name="revision-{}" value="(\\d+)"'


@dataclass
class Slot:
    """One answer of one draft that a worker keeps changing."""

    version_id: int
    question_id: str
    values: tuple[str, str]
    current: str
    revision: int


class AutosaveWorker:
    """A browser autosaving answers of its own drafts, with the revision each page holds."""

    def __init__(self, slots: list[Slot], browser: Browser) -> None:
        self.slots, self.browser, self.turn = slots, browser, 0
        self.headers = (
            *browser.headers(htmx=True),
            ("Content-Type", "application/x-www-form-urlencoded"),
        )

    def next_request(self) -> Request:
        slot = self.slots[self.turn % len(self.slots)]
        new = slot.values[1] if slot.current == slot.values[0] else slot.values[0]
        form = {
            f"answer-{slot.question_id}": new,
            f"comment-{slot.question_id}": "",
            f"revision-{slot.question_id}": str(slot.revision),
        }
        path = f"/assessments/{slot.version_id}/answers/{slot.question_id}"
        return Request("POST", path, self.headers, urlencode(form).encode())

    def succeeded(self, reply: Reply) -> bool:
        """Saved: 200, and the block sent back holds the next revision (else it is an error,
        and the revision shown is taken up, as the page would)."""
        slot = self.slots[self.turn % len(self.slots)]
        self.turn += 1
        found = re.search(REVISION.format(re.escape(slot.question_id)), reply.body.decode())
        revision = int(found.group(1)) if found else None
        ok = reply.status == 200 and revision == slot.revision + 1
        if ok:
            slot.current = slot.values[1] if slot.current == slot.values[0] else slot.values[0]
        if revision is not None:
            slot.revision = revision
        return ok


class EchoWorker:
    """The same traffic to the bare JSON endpoint."""

    def __init__(self, number: int) -> None:
        body = {"question_id": AUTOSAVED[number % len(AUTOSAVED)], "value": "fully-offset"}
        self.request = Request(
            "POST",
            "/_bench/echo",
            (("Content-Type", "application/json"),),
            (str(body | {"revision": number}).replace("'", '"')).encode(),
        )

    def next_request(self) -> Request:
        return self.request

    def succeeded(self, reply: Reply) -> bool:
        return reply.status == 200


def autosave_slots(engine: sa.Engine, drafts: Sequence[int], workers: int) -> list[list[Slot]]:
    """Each worker's own drafts (so that no two browsers edit one answer), one question each."""
    slots: list[list[Slot]] = [[] for _ in range(workers)]
    with Session(engine) as session:
        for n, version_id in enumerate(drafts[:DRAFTS]):
            qid = AUTOSAVED[n % len(AUTOSAVED)]
            answer = session.exec(
                select(Answer).where(
                    Answer.version_id == version_id, col(Answer.question_id) == qid
                )
            ).one()
            values = OPTION_PAIRS[qid]
            slots[n % workers].append(Slot(version_id, qid, values, answer.value, answer.revision))
    return slots


OPTION_PAIRS = {
    "change-and-offset": ("fully-offset", "partly-offset"),
    "new-task-pattern": ("occasional", "regular"),
    "calendar-timing": ("checked-minor-overlap", "pressure-point"),
    "out-of-hours-work": ("occasional-with-time-back", "peaks"),
    "marking-expectations": ("principles-only", "minimum-frequency"),
    "stress-risk": ("short-peak-covered", "sustained-higher"),
    "meetings": ("within-existing", "new-in-directed-time"),
    "data-purpose": ("purposeful-minimal", "some-re-entry"),
}


def autosave_throughput(
    port: int, browser: Browser, engine: sa.Engine, drafts: Sequence[int]
) -> dict[str, Any]:
    """Autosaves a second against bare JSON POSTs a second, at the same concurrency."""
    slots = [s for s in autosave_slots(engine, drafts, CONCURRENCY) if s]  # a tiny seed: fewer
    workers = [AutosaveWorker(s, browser) for s in slots]
    echoes = [EchoWorker(n) for n in range(len(workers))]
    saved, echoed = load.Load(), load.Load()
    for _ in range(THROUGHPUT_ROUNDS):
        runs: list[tuple[load.Load, Sequence[load.Worker], float]] = [
            (echoed, echoes, ECHO_SECONDS),
            (saved, workers, AUTOSAVE_SECONDS),
        ]
        for total, group, seconds in runs:
            got = load.run(load.throughput(port, group, seconds, WARMUP_SECONDS))
            total.completed += got.completed
            total.errors += got.errors
            total.seconds += got.seconds
            total.statuses.update(got.statuses)
    return {
        "autosave": _load_summary(saved),
        "bare_endpoint": _load_summary(echoed),
        "concurrency": len(workers),
        "drafts": sum(len(w.slots) for w in workers),
    }


def _load_summary(result: load.Load) -> dict[str, Any]:
    return {
        "per_second": round(result.per_second, 1),
        "completed": result.completed,
        "errors": result.errors,
        "seconds": round(result.seconds, 2),
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
    }
