"""One email in two trusts: two accounts, each added without a word about the other, and the
password (or the person's choice) picks which one signs in."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session

from assessments.kernel.errors import ValidationFailed
from assessments.models import Trust, User
from assessments.people import authentication, queries as people_queries
from tests.factories.people import EMAIL, OTHER_PASSWORD, PASSWORD, add_user, users_of
from tests.factories.sign_in import password_sign_in


def test_adding_someone_whose_email_has_an_account_elsewhere_is_like_adding_anyone(
    session: Session, trust: Trust, other_trust: Trust, alex: User
) -> None:
    elsewhere = add_user(session, other_trust, name="Alex Morgan", password=OTHER_PASSWORD)
    newcomer = add_user(session, other_trust, email="sam.jones@northfield.example", name="Sam")

    assert users_of(session, other_trust) == [elsewhere, newcomer]
    assert (elsewhere.email, elsewhere.trust_id) == (EMAIL, other_trust.id)
    assert elsewhere.id != alex.id


def test_within_one_trust_an_email_is_refused_a_second_time(
    session: Session, trust: Trust, alex: User
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_user(session, trust, email=EMAIL.upper(), name="Another Alex")
    assert refused.value.errors == {"email": f"{EMAIL} already has an account in this trust"}


def test_the_password_picks_the_account(
    session: Session, trust: Trust, other_trust: Trust, alex: User, now: datetime
) -> None:
    elsewhere = add_user(session, other_trust, password=OTHER_PASSWORD)

    assert password_sign_in(session, now, password=PASSWORD).user == alex
    assert password_sign_in(session, now, password=OTHER_PASSWORD).user == elsewhere
    assert password_sign_in(session, now, password="neither of them, 2026").problem == (
        authentication.WRONG_DETAILS
    )


def test_a_password_that_opens_both_asks_which_trust(
    session: Session, trust: Trust, other_trust: Trust, alex: User, now: datetime
) -> None:
    elsewhere = add_user(session, other_trust)
    assert trust.id is not None and other_trust.id is not None

    asked = password_sign_in(session, now)
    assert (asked.token, asked.problem) == (None, authentication.CHOOSE_TRUST)
    assert asked.trusts == tuple(
        sorted([(trust.id, trust.name), (other_trust.id, other_trust.name)])
    )
    assert password_sign_in(session, now, trust_id=other_trust.id).user == elsewhere
    assert password_sign_in(session, now, trust_id=trust.id).user == alex
    # Choosing a trust the password does not open gets the usual answer.
    refused = password_sign_in(session, now, password="neither of them, 2026", trust_id=trust.id)
    assert refused.problem == authentication.WRONG_DETAILS


def test_every_sign_in_checks_as_many_hashes_as_the_most_accounts_of_any_email(
    session: Session, trust: Trust, other_trust: Trust, alex: User
) -> None:
    # So an email with two accounts, one with one and one with none take equally long.
    assert people_queries.most_accounts_per_email(session) == 1
    add_user(session, other_trust)
    assert people_queries.most_accounts_per_email(session) == 2
