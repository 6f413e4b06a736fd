"""Account emails: an invitation for a new person to set their first password (an admin never
types anyone's password), "Forgotten your password?" (the same answer whether or not the email
has an account), and a person changing their own. Setting a password ends the person's other
sessions. Each link is used once and expires; what it carries is made by the app's signer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from assessments.kernel import audit, clock
from assessments.kernel.actors import Actor, Role, require
from assessments.kernel.errors import NotAllowed, NotFound, ValidationFailed
from assessments.models import (
    AccountLink,
    AccountLinkPurpose,
    NotificationKind,
    ResetRequest,
    User,
)
from assessments.notifications.outbox import notify
from assessments.people import queries as people_queries
from assessments.people.passwords import hash_password, password_problem, verify_password

LIFETIMES = {
    AccountLinkPurpose.INVITATION: timedelta(days=7),
    AccountLinkPurpose.RESET: timedelta(hours=1),
}
RESET_EVERY = timedelta(minutes=5)  # at most one reset email an account in this time
NO_PASSWORD = "!"  # noqa: S105 - not a password: a hash none matches, until they set one
EXPIRED = "This link has expired or has already been used"


def _link(session: Session, user: User, purpose: AccountLinkPurpose, now: datetime) -> AccountLink:
    assert user.id is not None
    link = AccountLink(
        user_id=user.id, purpose=purpose, created_at=now, expires_at=now + LIFETIMES[purpose]
    )
    session.add(link)
    session.flush()
    return link


def _email(session: Session, user: User, link: AccountLink, subject: str, **facts: object) -> None:
    trust = people_queries.get_trust(session, user.trust_id)
    notify(
        session,
        user=user,
        kind=NotificationKind.ACCOUNT,
        subject=subject,
        facts={
            "purpose": link.purpose.value,
            "link_id": link.id,
            "issued": issued(link),
            "expires_at": link.expires_at.isoformat(),
            "trust": trust.name if trust else "",
            **facts,
        },
    )


def invite(*, session: Session, actor: Actor, user: User, now: datetime) -> AccountLink:
    """Email a person without a password of their own a link to set one (trust admins)."""
    require(actor, Role.ADMIN, trust_id=user.trust_id, school_id=None, what="trust")
    if user.password_hash != NO_PASSWORD:
        raise NotAllowed(
            "They have set their password already; if they forget it they can reset it "
            "from the sign-in page"
        )
    if user.disabled:
        raise NotAllowed("Their account is disabled: enable it first")
    _use_up(session, user, now)  # a new invitation stops the one before
    link = _link(session, user, AccountLinkPurpose.INVITATION, now)
    _email(
        session,
        user,
        link,
        "Set your password for the Workload Impact Register",
        # From the command line there is nobody to name: the email says "your trust's
        # administrator" instead.
        invited_by=actor.name if actor.user_id else "",
    )
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user.id,
        action="invited",
        details={"email": user.email, "expires_at": link.expires_at.isoformat()},
        trust_id=user.trust_id,
    )
    return link


RESETS_AT_ONCE = 100


def request_reset(*, session: Session, email: str, now: datetime) -> None:
    """Ask for a link to choose a new password to be emailed to each enabled account of
    `email`. Only queued here (answer_reset_requests sends it), so that asking takes as long
    whether or not the email has an account: the page says the same either way, and how
    long it took must not tell either. An email already waiting is not queued twice."""
    try:
        with session.begin_nested():
            session.add(ResetRequest(email=email.strip().lower()[:254], requested_at=now))
    except IntegrityError:
        pass  # asked for already, and not answered yet: once is enough


def answer_reset_requests(*, session: Session, now: datetime, limit: int = RESETS_AT_ONCE) -> int:
    """Email the links asked for (the worker does, a few each round); how many requests were
    answered. Nothing goes to an email without an account, to a disabled one, nor more than
    one every few minutes, so the form cannot be used to flood a mailbox; a request older
    than a reset link's lifetime (the worker was stopped) is dropped unanswered."""
    requests = people_queries.reset_requests(session, limit=limit)
    for request in requests:
        if request.requested_at > now - LIFETIMES[AccountLinkPurpose.RESET]:
            _answer(session, request.email, now)
        session.delete(request)
    session.flush()
    return len(requests)


def _answer(session: Session, email: str, now: datetime) -> None:
    for found in people_queries.users_by_email(session, email):
        assert found.id is not None
        # Locked: two workers answering the same person at once must not both send a link.
        user = people_queries.get_user(session, found.id, for_update=True)
        if user is None or user.disabled:
            continue
        if any(
            link.purpose is AccountLinkPurpose.RESET and link.created_at > now - RESET_EVERY
            for link in people_queries.account_links_of(session, found.id)
        ):
            continue
        link = _link(session, user, AccountLinkPurpose.RESET, now)
        _email(session, user, link, "Reset your password for the Workload Impact Register")


def issued(link: AccountLink) -> int:
    """When the link was made, in whole seconds: its signature covers it with its id, so that
    a link whose row was replaced (a database restored over) never opens the new one."""
    return int(link.created_at.timestamp())


def usable_link(
    session: Session, link_id: int, issued_at: int, now: datetime
) -> tuple[AccountLink, User]:
    """The link (whose signature the app checked) and its person, if it may still be used."""
    link = people_queries.account_link(session, link_id, for_update=True)
    user = people_queries.get_user(session, link.user_id) if link else None
    if link is None or user is None or issued(link) != issued_at:
        raise NotFound(EXPIRED)
    if link.used_at is not None or link.expires_at <= now:
        raise NotFound(EXPIRED)
    if user.disabled:
        raise NotFound(EXPIRED)
    return link, user


def _use_up(session: Session, user: User, now: datetime) -> None:
    """Every link of the person's not yet used: none of them opens their account any more."""
    assert user.id is not None
    for link in people_queries.account_links_of(session, user.id):
        if link.used_at is None:
            link.used_at = now
            session.add(link)
    session.flush()


def address_changed(*, session: Session, actor: Actor, user: User, now: datetime) -> None:
    """A person's email was corrected: links sent to the old address stop working, and
    someone still without a password is invited again, at the new one."""
    _use_up(session, user, now)
    if user.password_hash == NO_PASSWORD and not user.disabled:
        invite(session=session, actor=actor, user=user, now=now)


def _set(session: Session, user: User, password: str) -> None:
    if problem := password_problem(password, email=user.email, name=user.name):
        raise ValidationFailed({"password": problem})
    user.password_hash, user.revision = hash_password(password), user.revision + 1
    session.add(user)
    assert user.id is not None
    people_queries.end_web_sessions(session, user.id)  # every session, on every device
    session.flush()


def set_password_by_link(
    *,
    session: Session,
    link_id: int,
    issued_at: int,
    password: str,
    confirmation: str,
    now: datetime,
) -> User:
    """Set the password a link was emailed for; the link, and any other of the person's, is
    used up, and every session of theirs ends. After a reset, their API tokens are revoked
    too: whoever knew the old password may have made one."""
    link, user = usable_link(session, link_id, issued_at, now)
    if password != confirmation:
        raise ValidationFailed({"confirmation": "Enter the same password twice"})
    assert user.id is not None
    _set(session, user, password)
    _use_up(session, user, now)
    details: dict[str, object] = {"by": link.purpose.value}
    if link.purpose is AccountLinkPurpose.RESET:
        details["api_tokens_revoked"] = people_queries.revoke_api_tokens_of_user(
            session, user.id, now
        )
    audit.record(
        session,
        Actor(name=user.name, user_id=user.id, trust_id=user.trust_id),
        entity="user",
        entity_id=user.id,
        action="password-set",
        details=details,
        trust_id=user.trust_id,
    )
    return user


def change_password(
    *, session: Session, actor: Actor, current: str, password: str, confirmation: str
) -> User:
    """A signed-in person changes their own password, giving the current one; their other
    sessions end (the caller signs this one in again)."""
    user = people_queries.get_user(session, actor.user_id or 0, for_update=True)
    if user is None:
        raise NotAllowed("Only a person signed in has a password")
    matches, _ = verify_password(current, user.password_hash)
    if not matches:
        raise ValidationFailed({"current": "Your current password is not right"})
    if password != confirmation:
        raise ValidationFailed({"confirmation": "Enter the same password twice"})
    if password == current:
        raise ValidationFailed({"password": "Choose a password other than your current one"})
    _set(session, user, password)
    _use_up(session, user, clock.now())  # a reset asked for before no longer works
    audit.record(
        session,
        actor,
        entity="user",
        entity_id=user.id,
        action="password-set",
        details={"by": "themselves"},
        trust_id=user.trust_id,
    )
    return user


def reinvite(*, session: Session, actor: Actor, user_id: int, now: datetime) -> AccountLink:
    """Send a person who has not set their password a new invitation (trust admins)."""
    user = people_queries.get_user(session, user_id, for_update=True)
    if user is None or user.trust_id != actor.trust_id:
        raise NotFound("No such person")
    return invite(session=session, actor=actor, user=user, now=now)
