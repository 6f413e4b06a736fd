"""Text shown where one line fits: a summary's cell, an email's subject, a calendar's day."""

from __future__ import annotations


def one_line(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def brief(text: str, limit: int) -> str:
    """`text` on one line, cut at a word before `limit` characters (marked …) if it is longer."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
