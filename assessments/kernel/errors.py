"""Domain errors. Each carries a message for people; the web layer maps the type to a status."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(DomainError):
    """The thing asked for does not exist (or the actor may not know it does)."""


class NotAllowed(DomainError):
    """The actor may not do this."""


class InvalidTransition(DomainError):
    """The thing is in a state where this cannot be done (e.g. editing a submitted version)."""


class StaleVersion(DomainError):
    """The change was based on a revision that someone else has since replaced."""


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


class Conflict(DomainError):
    """The request clashes with what is recorded (e.g. a rubric version already published)."""


class ContentChanged(Conflict):
    """A submitted version's content no longer has the hash taken when it was submitted: it
    was changed outside the application."""
