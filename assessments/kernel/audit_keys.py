"""The audit trail's keys and its signed checkpoints.

Each event's MAC is HMAC-SHA256 under a key that is kept out of the database, and names the
key by its id, so an old key can be retired while events made with it still verify. A
checkpoint is a chain's head (its sequence number and MAC) signed with the current key, as
one copyable string: whoever keeps one can later prove that the chain still holds that event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Refused by the settings outside development, as the development secret key is.
DEVELOPMENT_AUDIT_KEY = "development-only-audit-key-change-me"


INSTALLATION = 0  # the chain of events that belong to no trust


CHECKPOINT_PREFIX = "wia-audit-v1"


_CHECKPOINT = re.compile(
    rf"{CHECKPOINT_PREFIX}:(?P<chain>installation|trust-[1-9][0-9]{{0,18}}):"
    r"(?P<seq>0|[1-9][0-9]{0,18}):(?P<hash>[0-9a-f]{64}):(?P<key_id>[0-9a-f]{16}):"
    r"(?P<mac>[0-9a-f]{32})"
)


class CheckpointError(ValueError):
    """A checkpoint that is not one, or whose MAC does not check out (forged)."""


def key_id(key: str) -> str:
    """A short public name for a key (a digest of it, which does not reveal it)."""
    return hashlib.sha256(b"wia-audit-key-id\n" + key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The current key, which makes every new MAC, and older keys that still verify."""

    current: str
    previous: tuple[str, ...] = ()

    @classmethod
    def of(cls, keys: Iterable[str]) -> Keyring:
        current, *previous = keys
        return cls(current, tuple(previous))

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def key(self, identifier: str) -> str | None:
        """The key with this id, if the keyring holds it."""
        return next((k for k in (self.current, *self.previous) if key_id(k) == identifier), None)

    def mac(self, message: str, identifier: str | None = None) -> str | None:
        """HMAC-SHA256 of `message` (hex) under the key `identifier` (the current one by
        default); None if the keyring does not hold that key."""
        key = self.key(identifier) if identifier is not None else self.current
        if key is None:
            return None
        return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def chain_label(chain: int) -> str:
    return "installation" if chain == INSTALLATION else f"trust-{chain}"


@dataclass(frozen=True)
class Checkpoint:
    """A chain's event `seq` had MAC `hash`, as signed by the key `key_id`."""

    chain: int
    seq: int
    hash: str
    key_id: str
    mac: str

    def __str__(self) -> str:
        return f"{self._signed()}:{self.key_id}:{self.mac}"

    def _signed(self) -> str:
        return f"{CHECKPOINT_PREFIX}:{chain_label(self.chain)}:{self.seq}:{self.hash}"

    @classmethod
    def sign(cls, keyring: Keyring, *, chain: int, seq: int, hash_: str) -> Checkpoint:
        unsigned = cls(chain, seq, hash_, keyring.current_id, "")
        mac = keyring.mac("checkpoint\n" + unsigned._signed())
        assert mac is not None  # the current key is always held
        return cls(chain, seq, hash_, keyring.current_id, mac[:32])

    @classmethod
    def parse(cls, text: str, keyring: Keyring) -> Checkpoint:
        """The checkpoint in `text`, refused unless its MAC checks out."""
        match = _CHECKPOINT.fullmatch(text.strip())
        if match is None:
            raise CheckpointError(
                f"{text.strip()[:200]!r} is not a checkpoint (they look like "
                f"{CHECKPOINT_PREFIX}:trust-1:42:<64 hex>:<16 hex>:<32 hex>)"
            )
        label = match["chain"]
        chain = INSTALLATION if label == "installation" else int(label.removeprefix("trust-"))
        checkpoint = cls(chain, int(match["seq"]), match["hash"], match["key_id"], match["mac"])
        expected = keyring.mac("checkpoint\n" + checkpoint._signed(), checkpoint.key_id)
        if expected is None:
            raise CheckpointError(
                f"checkpoint {checkpoint.seq} of {label} is signed with a key this installation "
                f"does not hold (key id {checkpoint.key_id}): forged, or its key was retired"
            )
        if not hmac.compare_digest(expected[:32], checkpoint.mac):
            raise CheckpointError(
                f"checkpoint {checkpoint.seq} of {label} is forged: its MAC does not check out"
            )
        return checkpoint
