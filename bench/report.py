"""The figures of a run: each against its baseline as a ratio, with its target, as a printed
table and as bench/results.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REGISTER_TARGET = 3.0  # the page's p50 at most 3 times the bare render's
AUTOSAVE_TARGET = 0.40  # at least 40 % of the bare endpoint's throughput
CSV_TARGET = 0.50  # at least 50 % of the raw rows a second
RSS_GROWTH_TARGET_MB = 50.0  # from 10,000 to 100,000 rows
SWEEP_TARGET = 2.0  # the daily sweep at most twice the raw selection of its rows
MAIL_TARGET = 0.50  # the worker at least half the messages a second of a bare smtplib loop


@dataclass(frozen=True)
class Figure:
    measure: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, shown for context


def _ratio(figure: float, baseline: float) -> float:
    return round(figure / baseline, 3) if baseline else float("inf")


def figures(measured: dict[str, Any]) -> list[Figure]:
    """The rows of the table for one database."""
    page, render = measured["register"]["page"], measured["register"]["bare_render"]
    plain, home = measured["register"]["plain_table"], measured["register"]["home"]
    saved, echoed = measured["autosave"]["autosave"], measured["autosave"]["bare_endpoint"]
    export = measured["csv"]
    p50_ratio = _ratio(page["p50_ms"], render["p50_ms"])
    save_ratio = _ratio(saved["per_second"], echoed["per_second"])
    csv_ratio = _ratio(export["app"]["rows_per_second"], export["raw"]["rows_per_second"])
    rss_10k, rss_all = export["cli_10k"]["peak_rss_mb"], export["cli_all"]["peak_rss_mb"]
    growth = round(rss_all - rss_10k, 1)
    return [
        Figure(
            "register page p50",
            page["p50_ms"],
            "ms",
            render["p50_ms"],
            "register template, in-memory rows, p50",
            p50_ratio,
            f"≤ {REGISTER_TARGET:g}x",
            p50_ratio <= REGISTER_TARGET,
        ),
        Figure(
            "register page p95",
            page["p95_ms"],
            "ms",
            render["p95_ms"],
            "register template, in-memory rows, p95",
            _ratio(page["p95_ms"], render["p95_ms"]),
        ),
        Figure(
            "register page p50 vs plain table",
            page["p50_ms"],
            "ms",
            plain["p50_ms"],
            "plain Jinja2 50-row table, p50",
            _ratio(page["p50_ms"], plain["p50_ms"]),
        ),
        Figure(
            "home page p50 (lists and charts)",
            home["p50_ms"],
            "ms",
            render["p50_ms"],
            "register template, in-memory rows, p50",
            _ratio(home["p50_ms"], render["p50_ms"]),
        ),
        Figure(
            "answer autosave",
            saved["per_second"],
            "req/s",
            echoed["per_second"],
            "bare FastAPI JSON POST",
            save_ratio,
            f"≥ {AUTOSAVE_TARGET:.0%}",
            save_ratio >= AUTOSAVE_TARGET,
        ),
        Figure(
            "autosave errors (non-2xx or not saved)",
            saved["errors"],
            "requests",
            target="0",
            met=saved["errors"] == 0,
        ),
        Figure(
            "CSV export, all rows",
            export["app"]["rows_per_second"],
            "rows/s",
            export["raw"]["rows_per_second"],
            "plain driver + csv.writer",
            csv_ratio,
            f"≥ {CSV_TARGET:.0%}",
            csv_ratio >= CSV_TARGET,
        ),
        Figure("CSV peak RSS, 10k rows", rss_10k, "MB"),
        Figure(
            "CSV peak RSS, 100k rows",
            rss_all,
            "MB",
            rss_10k,
            "peak RSS at 10k rows",
            _ratio(rss_all, rss_10k),
        ),
        Figure(
            "CSV peak RSS growth 10k→100k",
            growth,
            "MB",
            target=f"< {RSS_GROWTH_TARGET_MB:g} MB",
            met=growth < RSS_GROWTH_TARGET_MB,
        ),
        *_sweep_figures(measured["sweep"]),
        *_mail_figures(measured["mail"]),
        *_schedule_figures(measured["schedule"]),
    ]


def _sweep_figures(daily: dict[str, Any]) -> list[Figure]:
    sweep, raw, selected = daily["sweep"], daily["raw"], daily["selected"]
    ratio = _ratio(sweep["best_ms"], raw["best_ms"])
    return [
        Figure(
            "daily sweep",
            sweep["best_ms"],
            "ms",
            raw["best_ms"],
            "plain driver, its selection in one query",
            ratio,
            f"≤ {SWEEP_TARGET:g}x",
            ratio <= SWEEP_TARGET,
        ),
        Figure("daily sweep, reviews and actions selected", sum(selected.values()), "rows"),
        Figure("daily sweep, reminders written", sweep["reminders"], "notifications"),
        Figure("daily sweep, digests written", sweep["digests"], "messages"),
    ]


def _mail_figures(delivered: dict[str, Any]) -> list[Figure]:
    worker, bare = delivered["worker"], delivered["bare"]
    ratio = _ratio(worker["per_second"], bare["per_second"])
    return [
        Figure(
            f"mail delivery, {delivered['messages']:,} messages",
            worker["per_second"],
            "msg/s",
            bare["per_second"],
            "bare smtplib loop, one connection",
            ratio,
            f"≥ {MAIL_TARGET:.0%}",
            ratio >= MAIL_TARGET,
        ),
    ]


def _schedule_figures(imported: dict[str, Any]) -> list[Figure]:
    raw = imported["raw_insert"]["best_ms"]
    rows = f"{imported['rows']:,} rows"
    return [
        Figure(
            f"schedule import preview, {rows}",
            imported["preview"]["best_ms"],
            "ms",
            raw,
            "plain driver INSERT of the rows",
            _ratio(imported["preview"]["best_ms"], raw),
        ),
        Figure(
            f"schedule import, {rows}",
            imported["import"]["best_ms"],
            "ms",
            raw,
            "plain driver INSERT of the rows",
            _ratio(imported["import"]["best_ms"], raw),
        ),
    ]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or (value == int(value) and abs(value) >= 100):
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"


def table(database: str, rows: Sequence[Figure]) -> str:
    """The figures as an aligned text table."""
    header = ("database", "measure", "figure", "baseline", "ratio", "target", "met?")
    lines = [header]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "NO")
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append(
            (
                database,
                row.measure,
                f"{_number(row.figure)} {row.unit}",
                f"{_number(row.baseline)} {row.unit}" if row.baseline is not None else "",
                ratio,
                row.target,
                met,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def as_json(rows: Sequence[Figure]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]
