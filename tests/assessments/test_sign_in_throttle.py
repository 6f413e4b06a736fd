"""Failed sign-ins are throttled by email and by client address, never by locking the account:
an attacker who knows an email cannot keep its owner out. Time is passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from assessments.models import User
from assessments.people import authentication
from assessments.people.authentication import (
    ADDRESS_LIMIT,
    FIRST_DELAY,
    FREE_FAILURES,
    MAX_DELAY,
    WINDOW,
    WRONG_DETAILS,
)
from tests.factories.people import EMAIL, HOME, OTHER_PASSWORD, SECOND
from tests.factories.sign_in import password_sign_in

ATTACKER, BOTNET = "203.0.113.66", [f"198.51.100.{n}" for n in range(1, 40)]
UNKNOWN = "nobody@northfield.example"


def _fail(
    session: Session, when: datetime, email: str = EMAIL, client: str = HOME
) -> authentication.SignIn:
    outcome = password_sign_in(session, when, email=email, password=OTHER_PASSWORD, client=client)
    assert outcome.token is None
    return outcome


def test_after_a_few_failures_each_attempt_waits_a_delay_that_doubles_up_to_a_cap() -> None:
    assert [authentication.delay_after(n) for n in range(FREE_FAILURES)] == [timedelta(0)] * 3
    delays = [authentication.delay_after(n) for n in range(FREE_FAILURES, FREE_FAILURES + 8)]
    assert delays[:3] == [FIRST_DELAY, FIRST_DELAY * 2, FIRST_DELAY * 4]
    assert delays[-1] == MAX_DELAY and all(d <= MAX_DELAY for d in delays)


def test_an_attacker_failing_on_an_email_cannot_keep_its_owner_out(
    session: Session, alex: User, now: datetime
) -> None:
    for _ in range(FREE_FAILURES):
        assert _fail(session, now, client=ATTACKER).problem == WRONG_DETAILS
    # The attacker keeps trying, from many addresses, all through the delay: each attempt is
    # refused unchecked and counts for nothing, so the delay does not grow or move.
    for n, address in enumerate(BOTNET[:14]):
        waiting = _fail(session, now + SECOND * n, client=address)
        assert waiting.throttled is not None and waiting.problem != WRONG_DETAILS
    # The owner, too, must wait the delay since the last failure...
    early = password_sign_in(session, now + FIRST_DELAY - SECOND)
    assert early.token is None and early.throttled is not None
    assert early.throttled.seconds == 1
    # ...and then the right password signs them in, and the failures are forgotten.
    assert password_sign_in(session, now + FIRST_DELAY).user == alex
    assert authentication.recent_failures(session=session, email=alex.email, now=now) == 0


def test_failures_after_each_delay_make_the_next_delay_longer(
    session: Session, alex: User, now: datetime
) -> None:
    when = now
    for failures in range(FREE_FAILURES + 3):
        when += authentication.delay_after(failures)
        assert _fail(session, when, client=ATTACKER).problem == WRONG_DETAILS
    longest = authentication.delay_after(FREE_FAILURES + 3)
    assert longest == FIRST_DELAY * 8
    assert password_sign_in(session, when + longest - SECOND).throttled is not None
    assert password_sign_in(session, when + longest).user == alex


def test_failures_older_than_the_window_count_for_nothing(
    session: Session, alex: User, now: datetime
) -> None:
    for _ in range(FREE_FAILURES):
        _fail(session, now)
    assert password_sign_in(session, now + WINDOW).user == alex


def test_an_email_with_no_account_is_throttled_exactly_alike(
    session: Session, alex: User, now: datetime
) -> None:
    def story(email: str) -> list[tuple[str | None, int | None]]:
        outcomes = [_fail(session, now, email=email) for _ in range(FREE_FAILURES + 1)]
        return [(o.problem, o.throttled.seconds if o.throttled else None) for o in outcomes]

    assert story(alex.email) == story(UNKNOWN)
    assert story(UNKNOWN)[-1] == (
        "Too many failed sign-ins for this email address. Try again in a minute",
        int(FIRST_DELAY.total_seconds()),
    )


def test_many_failures_from_one_address_across_accounts_throttle_that_address_only(
    session: Session, alex: User, now: datetime
) -> None:
    for n in range(ADDRESS_LIMIT):  # a different email each time: no email's delay applies
        outcome = _fail(session, now + SECOND * n, email=f"guess{n}@northfield.example")
        assert outcome.problem == WRONG_DETAILS
    last = now + SECOND * (ADDRESS_LIMIT - 1)

    # From that address, even the right password for an untouched account waits, until the
    # oldest of its failures leaves the window...
    refused = password_sign_in(session, last, client="192.0.2.10")
    assert refused.throttled is not None
    assert refused.problem == "Too many failed sign-ins from your network. Try again in 15 minutes"
    assert refused.throttled.retry_after == now + WINDOW - last
    assert password_sign_in(session, now + WINDOW).user == alex


def test_another_address_is_not_throttled_by_one_that_failed_often(
    session: Session, alex: User, now: datetime
) -> None:
    for n in range(ADDRESS_LIMIT):
        _fail(session, now, email=f"guess{n}@northfield.example", client=ATTACKER)
    assert password_sign_in(session, now, client=ATTACKER).throttled is not None
    assert password_sign_in(session, now, client=BOTNET[0]).user == alex
