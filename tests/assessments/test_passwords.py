"""Passwords are stored as Argon2id hashes and refused when short or easy to guess."""

from __future__ import annotations

import pytest

from assessments.people.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)

GOOD = "ladder orchard quietly 47"


def test_a_hash_is_argon2id_and_never_the_password() -> None:
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$")
    assert GOOD not in stored
    assert hash_password(GOOD) != stored  # salted


def test_only_the_right_password_verifies() -> None:
    stored = hash_password(GOOD)
    assert verify_password(GOOD, stored) == (True, None)
    assert verify_password(GOOD.upper(), stored)[0] is False
    assert verify_password("", stored)[0] is False


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password123!",
        "qwertyuiop123",
        "123456789012",
        "iloveyou2024",
        "aaaaaaaaaaaa",
    ],
)
def test_common_and_guessable_passwords_are_refused(password: str) -> None:
    problem = password_problem(password)
    assert problem is not None and problem.startswith("Choose a password that is harder to guess")


@pytest.mark.parametrize("password", ["Alex-Morgan-likes-tea", "tea and alex.morgan 77"])
def test_a_password_built_from_the_users_name_or_email_is_refused(password: str) -> None:
    problem = password_problem(password, email="alex.morgan@northfield.example", name="Alex Morgan")
    assert problem == "Do not build your password from your name or email address"
    assert password_problem(password) is None


def test_length_limits() -> None:
    assert password_problem("x" * (MIN_LENGTH - 1)) == (
        f"Use at least {MIN_LENGTH} characters: three random words work well"
    )
    assert password_problem("x" * (MAX_LENGTH + 1)) == (f"Use {MAX_LENGTH} characters or fewer")


def test_a_passphrase_is_accepted() -> None:
    assert password_problem(GOOD, email="someone@school.example", name="Sam Someone") is None
