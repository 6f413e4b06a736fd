"""The trust's people as owners of policies and actions: chosen from its accounts, or someone
without an account named in words (shown as such, and reached by no notification)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pydantic import ValidationInfo
from sqlmodel import Session

from assessments.kernel.actors import Actor, trust_of
from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.people import queries

OWNER_MESSAGE = "Choose who owns it, or name someone without an account (2 to 120 characters)"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    label: str  # the name, with the email where two people share it


def people_to_name(*, session: Session, actor: Actor) -> list[Person]:
    """The trust's active accounts, by name, for choosing an owner (to anyone with a role)."""
    trust_id = trust_of(actor)
    if not actor.sees(trust_id, None):
        raise NotFound("There is no list of people for you")
    users = [u for u in queries.users_of_trust(session, trust_id) if not u.disabled]
    shared = Counter(u.name.casefold() for u in users)
    return [
        Person(u.id, u.name, f"{u.name} ({u.email})" if shared[u.name.casefold()] > 1 else u.name)
        for u in users
        if u.id is not None
    ]


def owner_problem(user_id: int | None, name: str) -> str | None:
    """What is wrong with an owner as given (an account, or a name), or None: the input
    models check it as they read a form or a request, the use-cases again."""
    name = name.strip()
    if user_id is not None and name:
        return "Choose a person or name someone without an account, not both"
    if user_id is None and not 2 <= len(name) <= 120:
        return OWNER_MESSAGE
    return None


def checked_owner(name: str, info: ValidationInfo) -> str:
    """An input model's `owner`, declared after its `owner_user_id`, checked with it."""
    if "owner_user_id" not in info.data:
        return name  # the account given is wrong, and is reported
    if problem := owner_problem(info.data["owner_user_id"], name):
        raise ValueError(problem)
    return name


def owner_named(
    session: Session, trust_id: int, *, user_id: int | None, name: str, field: str = "owner"
) -> tuple[str, int | None]:
    """(the name shown, the account) of an owner chosen from the trust's people, or named."""
    if problem := owner_problem(user_id, name):
        raise ValidationFailed({field: problem})
    if user_id is None:
        return name.strip(), None
    user = queries.get_user(session, user_id)
    if user is None or user.trust_id != trust_id or user.disabled:
        raise ValidationFailed({field: "Choose one of the trust's people"})
    return user.name, user_id
