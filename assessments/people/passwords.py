"""Passwords: hashed with Argon2id, and refused when they are short or easily guessed."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn import zxcvbn

MIN_LENGTH = 12


MAX_LENGTH = 256  # long enough for any passphrase; bounds the cost of hashing an attacker's input


GOOD_ENOUGH = 3  # zxcvbn's score from 0 to 4: 3 resists an offline attack on a slow hash


_hasher = PasswordHash((Argon2Hasher(),))
# Checked against when an account has no password yet (it was invited), so that the attempt
# takes as long as a real check and says nothing about the account.
_STAND_IN_HASH = _hasher.hash("an account invited but without a password yet")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, stored_hash: str) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash to store if the parameters have changed.
    An account whose hash is not one (invited, no password yet) matches nothing."""
    if not stored_hash.startswith("$"):
        _hasher.verify(password, _STAND_IN_HASH)
        return False, None
    return _hasher.verify_and_update(password, stored_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """What is wrong with a new password, in words for its owner, or None if it will do."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters: three random words work well"
    if len(password) > MAX_LENGTH:
        return f"Use {MAX_LENGTH} characters or fewer"
    if _built_from(password, [email.partition("@")[0], name]):
        return "Do not build your password from your name or email address"
    strength = zxcvbn(password[:100], user_inputs=[email, name])
    if strength["score"] < GOOD_ENOUGH:
        warning = strength["feedback"]["warning"] or "It would be easy to guess"
        return f"Choose a password that is harder to guess. {warning.rstrip('.')}."
    return None


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _built_from(password: str, details: list[str]) -> bool:
    plain = _letters(password)
    return any(len(detail) >= 4 and detail in plain for detail in map(_letters, details))
