"""Tampering that a plain hash chain let through: hashes recomputed, a tail cut and the head
moved back, the whole trail wiped, MACs recomputed by someone holding the key, forged
checkpoints, rows that cannot be read, and another trust's chain; each caught, by the key or
by a signed checkpoint someone kept."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Grant, Role
from assessments.kernel.audit_keys import Checkpoint, CheckpointError, Keyring
from assessments.models import AssessmentVersion
from assessments.people import accounts
from assessments.policies import catalogue
from assessments.policies.schemas import PolicyCreate
from tests.databases import is_sqlite
from tests.factories.audit import checkpoint_now, head, rewrite, sql, verdict
from tests.factories.people import make_approver, make_person
from tests.factories.trusts import LOCAL_TRUST_ID, TEST_AUDIT_KEY
from tests.factories.versions import make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")

CHANGED = "its content was changed after it was recorded"
REWRITTEN = "it is not the event a signed checkpoint witnessed (rewritten)"
MINE = f"chain = {LOCAL_TRUST_ID}"


@pytest.fixture
def approved(session: Session) -> AssessmentVersion:
    return make_version(session, "approved", approver=make_approver(session))


def test_hashes_recomputed_without_the_key_are_caught_at_the_edited_event(
    session: Session, approved: AssessmentVersion
) -> None:
    last, _ = head(session)
    rewrite(session, last - 3, key=None, actor_name="Someone Else")

    assert verdict(session) == (last - 3, CHANGED)


def test_macs_recomputed_with_the_key_are_caught_by_a_checkpoint_kept_before(
    session: Session, approved: AssessmentVersion
) -> None:
    kept = checkpoint_now(session)
    rewrite(session, kept.seq - 3, key=TEST_AUDIT_KEY, actor_name="Someone Else")

    assert verdict(session) == (None, None)  # the key alone cannot tell: this is the limit
    assert verdict(session, kept) == (kept.seq, REWRITTEN)


def test_a_tail_cut_and_the_head_moved_back_is_caught_by_a_checkpoint(
    session: Session, approved: AssessmentVersion
) -> None:
    kept = checkpoint_now(session)
    cut = kept.seq - 4
    [(back,)] = sql(session, f"SELECT hash FROM audit_event WHERE {MINE} AND seq = :s", s=cut)
    sql(session, f"DELETE FROM audit_event WHERE {MINE} AND seq > :s", s=cut)
    sql(session, f"UPDATE audit_head SET seq = :s, hash = :h WHERE {MINE}", s=cut, h=back)

    assert verdict(session) == (None, None)
    broken_at, problem = verdict(session, kept)
    assert broken_at == cut + 1
    assert (
        problem == f"a signed checkpoint shows event {kept.seq}: the chain was cut short or wiped"
    )


def test_a_wiped_trail_and_head_are_caught_by_a_checkpoint(
    session: Session, approved: AssessmentVersion
) -> None:
    kept = checkpoint_now(session)
    sql(session, f"DELETE FROM audit_event WHERE {MINE}")
    sql(session, f"DELETE FROM audit_head WHERE {MINE}")

    assert verdict(session) == (None, None)
    assert verdict(session, kept)[0] == 1


def test_a_checkpoint_of_an_earlier_head_still_holds_as_the_chain_grows(
    session: Session, approved: AssessmentVersion
) -> None:
    kept = checkpoint_now(session)
    make_draft(session)

    assert verdict(session, kept) == (None, None)
    assert audit.verify(session, chain=LOCAL_TRUST_ID, witnesses=[kept]).witnessed == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda c: dataclasses.replace(c, seq=c.seq + 1),  # a later event claimed
        lambda c: dataclasses.replace(c, hash="e" * 64),  # another MAC claimed
        lambda c: dataclasses.replace(c, chain=c.chain + 1),  # another chain claimed
        lambda c: dataclasses.replace(c, mac="0" * 32),
        lambda c: Checkpoint.sign(
            Keyring("a-key-someone-made-up-" * 2), chain=1, seq=1, hash_=c.hash
        ),
    ],
)
def test_a_forged_checkpoint_is_refused(session: Session, forge: object) -> None:
    make_draft(session)
    forged = forge(checkpoint_now(session))  # type: ignore[operator]

    with pytest.raises(CheckpointError, match="forged"):
        Checkpoint.parse(str(forged), audit.keyring())


@pytest.mark.parametrize(
    "text", ["", "wia-audit-v1:trust-1:3", "x" * 5000, "wia-audit-v1:trust-1:3:\u00b2"]
)
def test_a_string_that_is_no_checkpoint_is_refused(text: str) -> None:
    with pytest.raises(CheckpointError, match="is not a checkpoint"):
        Checkpoint.parse(text, audit.keyring())


MALFORMED_ANYWHERE: list[
    tuple[str, object]
] = [  # column, value: what both databases let someone store
    ("changes", "{not json"),
    ("changes", ""),
    ("hash", "not-a-mac"),
    ("prev_hash", "Z" * 64),
    ("key_id", "????"),
    ("actor_name", ""),  # readable, but not what was recorded
    ("trust_id", None),
    ("entity_id", None),
]
MALFORMED_ON_SQLITE: list[tuple[str, object]] = [  # SQLite keeps whatever type it is given
    ("occurred_at", "yesterday-ish"),
    ("occurred_at", 12),
    ("trust_id", "one"),
    ("actor_user_id", 1.5),
    ("entity_id", b"\x00\xff"),
    ("actor_name", 42),
    ("changes", 7),
    ("hash", None),
    ("seq", "three"),
]


@pytest.mark.parametrize(("column", "value"), MALFORMED_ANYWHERE + MALFORMED_ON_SQLITE)
def test_a_malformed_row_is_reported_as_broken_at_its_event(
    session: Session, database_url: str, approved: AssessmentVersion, column: str, value: object
) -> None:
    if (column, value) in MALFORMED_ON_SQLITE and not is_sqlite(database_url):
        pytest.skip("PostgreSQL refuses the value itself")
    seq = head(session)[0] - 2
    if column == "hash" and value is None:  # NOT NULL: a column of garbage instead
        value = "\x00"
    sql(session, f"UPDATE audit_event SET {column} = :v WHERE {MINE} AND seq = :s", v=value, s=seq)

    broken_at, problem = verdict(session)

    assert broken_at == seq, problem
    assert problem is not None


def test_a_garbled_head_is_reported_not_raised(session: Session, database_url: str) -> None:
    make_draft(session)
    bad = "'nonsense'" if is_sqlite(database_url) else "seq"
    sql(session, f"UPDATE audit_head SET hash = 'x', seq = {bad} WHERE {MINE}")

    broken_at, problem = verdict(session)
    assert problem is not None and "head" in problem and broken_at is not None


def test_another_trusts_tampering_is_not_this_trusts_and_leaves_its_head(
    session: Session, approved: AssessmentVersion
) -> None:
    other = accounts.create_trust(session=session, name="Tampered Trust")
    assert other.id is not None
    outsider = make_person(session, "Olu Other", Grant(Role.AUTHOR), trust_id=other.id)
    for reference in ("OT-1", "OT-2"):
        data = PolicyCreate(
            reference=reference,
            title="Their policy",
            category="other",
            owner="Head",
            review_cycle_months=12,
        )
        catalogue.create_policy(session=session, actor=outsider, data=data)
    mine = checkpoint_now(session)
    sql(session, "UPDATE audit_event SET actor_name = 'Forger' WHERE chain = :c", c=other.id)
    sql(session, "DELETE FROM audit_head WHERE chain = :c", c=other.id)

    assert verdict(session) == (None, None)
    assert checkpoint_now(session) == mine
    assert verdict(session, chain=other.id)[0] == 1
    mine_only = audit.verify(session, chain=LOCAL_TRUST_ID)
    [every] = [v for v in audit.verify_all(session) if v.chain == LOCAL_TRUST_ID]
    assert mine_only.events == every.events == mine.seq


def test_events_of_a_retired_key_verify_while_it_is_kept_as_a_previous_key(
    session: Session, approved: AssessmentVersion
) -> None:
    new_key = "the-next-audit-key-after-rotation-0123456789"
    audit.configure(keys=[new_key, TEST_AUDIT_KEY])
    make_draft(session)  # made with the new key, after the old key's events

    assert verdict(session) == (None, None)
    kept = checkpoint_now(session)
    assert kept.key_id == Keyring(new_key).current_id

    audit.configure(keys=[new_key])  # the old key dropped too soon
    broken_at, problem = verdict(session)
    assert broken_at == 1
    assert problem is not None and "key this installation does not hold" in problem


def test_a_chains_first_append_of_a_day_witnesses_its_previous_head(
    session: Session, tmp_path: Path
) -> None:
    witness = tmp_path / "witness.log"
    make_draft(session)  # so the chain's head is today's, whenever the run's database was made
    audit.configure(keys=[TEST_AUDIT_KEY], witness_file=witness)
    make_draft(session)
    seq, _ = head(session)
    make_draft(session)  # the same day: nothing written
    assert not witness.exists()
    # The last event as if it were made yesterday (the time is not part of the day check's
    # MAC, and this test looks only at what is written).
    sql(
        session,
        f"UPDATE audit_event SET occurred_at = '2000-01-01 10:00:00' WHERE {MINE} AND seq = :s",
        s=head(session)[0],
    )
    before = head(session)

    make_draft(session)

    [line] = witness.read_text().splitlines()
    written = Checkpoint.parse(line.split()[-1], audit.keyring())
    assert (written.chain, written.seq, written.hash) == (LOCAL_TRUST_ID, *before)
    assert written.seq > seq
