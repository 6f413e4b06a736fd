"""Who is acting. Every use-case takes an actor so that roles can be checked there later."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    name: str


# Until sign-in exists (issue 3) the service has one implicit local author.
LOCAL_AUTHOR = Actor(name="Local author")
