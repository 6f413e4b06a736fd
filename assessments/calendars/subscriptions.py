"""A person's own calendar link: the generation it is signed with now, and a new link, which
stops the old one at once (shared by mistake, or on a device they no longer have)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotAllowed, NotFound
from assessments.models import User
from assessments.people import queries as people_queries


@dataclass(frozen=True)
class FeedKey:
    """What a person's feed link is signed over: who they are, and its generation."""

    user_id: int
    generation: int


def feed_key(*, session: Session, actor: Actor) -> FeedKey:
    """The person's calendar link as it stands."""
    return _key(_own_account(session, actor))


def renew(*, session: Session, actor: Actor) -> FeedKey:
    """A new calendar link for the person; the old one stops working at once (audited)."""
    # Locked: two renewals at once must not both move on to the same generation.
    user = _own_account(session, actor, for_update=True)
    generations = stop_link(session, user)
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user.id,
        action="calendar link renewed",
        details={"calendar_generation": generations},
        trust_id=user.trust_id,
    )
    return _key(user)


def stop_link(session: Session, user: User) -> list[int]:
    """The person's calendar link stops working, for good (any new one is signed over the
    next generation); the generations before and after, for the audit trail."""
    before = user.calendar_generation
    user.calendar_generation = before + 1
    session.add(user)
    session.flush()
    return [before, user.calendar_generation]


def _own_account(session: Session, actor: Actor, *, for_update: bool = False) -> User:
    if actor.user_id is None:  # the command line acts for no one
        raise NotAllowed("Sign in to have a calendar")
    user = people_queries.get_user(session, actor.user_id, for_update=for_update)
    if user is None or user.disabled:
        raise NotFound("There is no such account")
    return user


def _key(user: User) -> FeedKey:
    assert user.id is not None
    return FeedKey(user.id, user.calendar_generation)
