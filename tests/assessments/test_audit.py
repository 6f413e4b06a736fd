"""The audit trail of real use: one chained event per step, who did it and when; and tampering
by hand with plain SQL, which `verify` reports at the first event that does not check out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlmodel import Session

from assessments.drafting import answering
from assessments.drafting.schemas import AnswerSave
from assessments.kernel import audit
from assessments.kernel.actors import Actor
from assessments.models import ActionStatus, AuditEvent, VersionStatus
from tests.factories.answers import HIGH_QUESTION
from tests.factories.audit import events_after, head, sql
from tests.factories.people import make_approver
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, RUBRIC
from tests.factories.versions import make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")

CHANGED = "its content was changed after it was recorded"
DOES_NOT_FOLLOW = "it does not follow the event before it (removed, inserted or moved)"
CUT_OFF = "the chain ends before its recorded head (cut off)"
FIELDS = (  # every column of an event but its seq
    "chain, occurred_at, trust_id, actor_user_id, actor_name, entity, entity_id, action, "
    "changes, prev_hash, hash, key_id"
)
MINE = f"chain = {LOCAL_TRUST_ID}"  # the tampering is with the local trust's chain


@dataclass(frozen=True)
class Journey:
    approver: Actor
    events: list[AuditEvent]  # what the journey appended, in order

    def seq_of(self, action: str) -> int:
        return next(e.seq for e in self.events if e.action == action)


@pytest.fixture
def journey(session: Session) -> Journey:
    """An assessment started, answered, estimated, mitigated, submitted and approved."""
    approver = make_approver(session)
    last_seq, _ = head(session)
    make_version(session, "approved", approver=approver)
    return Journey(approver, events_after(session, last_seq))


def verdict(session: Session) -> tuple[int | None, str | None]:
    """What `verify` says of the chain as the database holds it now."""
    session.expire_all()  # the tampering went round the session, as an intruder's would
    verification = audit.verify(session, chain=LOCAL_TRUST_ID)
    return verification.broken_at, verification.problem


def test_a_journey_appends_one_event_per_step_in_order(journey: Journey) -> None:
    answered = {q.id for q in RUBRIC.questions() if q.required} | {HIGH_QUESTION.id}

    assert [(e.entity, e.action) for e in journey.events] == [
        ("policy", "created"),
        ("assessment_version", "started"),
        *[("answer", "saved")] * len(answered),
        ("workload_estimate", "saved"),
        ("mitigating_action", "added"),
        ("assessment_version", "submitted"),
        ("assessment_version", "approved"),
    ]
    approved = json.loads(journey.events[-1].changes)
    assert approved["status"] == [VersionStatus.SUBMITTED.value, VersionStatus.APPROVED.value]


def test_an_untouched_chain_verifies_intact_with_the_last_event_at_its_head(
    session: Session, journey: Journey
) -> None:
    verification = audit.verify(session, chain=LOCAL_TRUST_ID)

    assert verification.intact, verification
    assert (verification.broken_at, verification.problem) == (None, None)
    assert verification.head_hash == journey.events[-1].hash == head(session)[1]
    assert verification.events == journey.events[-1].seq
    assert [e.prev_hash for e in journey.events[1:]] == [e.hash for e in journey.events[:-1]]


def test_events_record_who_acted_and_when_in_utc(session: Session) -> None:
    approver = make_approver(session)
    last_seq, _ = head(session)
    before = datetime.now(UTC)
    make_version(session, "approved", approver=approver)
    after = datetime.now(UTC)

    session.expire_all()
    events = events_after(session, last_seq)  # read back from the database

    *authors, approval = events
    assert {(e.actor_name, e.actor_user_id) for e in authors} == {(AUTHOR.name, AUTHOR.user_id)}
    assert (approval.actor_name, approval.actor_user_id) == (approver.name, approver.user_id)
    assert {e.trust_id for e in events} == {LOCAL_TRUST_ID}
    times = [e.occurred_at for e in events]
    assert all(t.utcoffset() == timedelta(0) for t in times), times
    assert before <= times[0] and times == sorted(times) and times[-1] <= after


def test_changing_only_a_comment_records_only_the_comment(session: Session) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    value = next(o.value for o in HIGH_QUESTION.options)

    for comment in ("Seen in the staff survey", "Seen in the staff survey and at INSET"):
        answering.save_answer(
            session=session,
            actor=AUTHOR,
            version_id=draft.id,
            question_id=HIGH_QUESTION.id,
            data=AnswerSave(value=value, comment=comment),
        )

    last = events_after(session, head(session)[0] - 1)[0]
    assert (last.entity, last.action) == ("answer", "saved")
    assert json.loads(last.changes) == {
        "version_id": draft.id,
        "question_id": HIGH_QUESTION.id,
        "comment": ["Seen in the staff survey", "Seen in the staff survey and at INSET"],
    }


@pytest.mark.parametrize(
    ("column", "forged"),
    [
        ("changes", '{"content_hash":"0000","status":["draft","submitted"]}'),
        ("actor_name", "Someone Else"),
        ("entity_id", 999999),
    ],
)
def test_an_edited_event_is_found_at_its_seq(
    session: Session, journey: Journey, column: str, forged: object
) -> None:
    seq = journey.seq_of("submitted")

    sql(
        session,
        f"UPDATE audit_event SET {column} = :forged WHERE {MINE} AND seq = :seq",
        forged=forged,
        seq=seq,
    )

    assert verdict(session) == (seq, CHANGED)


@pytest.mark.parametrize("where", ["first", "middle"])
def test_a_deleted_event_is_found_at_its_seq(
    session: Session, journey: Journey, where: str
) -> None:
    seq = 1 if where == "first" else journey.events[len(journey.events) // 2].seq

    sql(session, f"DELETE FROM audit_event WHERE {MINE} AND seq = :seq", seq=seq)

    assert verdict(session) == (seq, f"event {seq} is missing")


def _make_room_at(session: Session, seq: int) -> None:
    # Two steps through negative numbers: a unique key is checked row by row, so seq + 1 in
    # place would collide with the next row.
    sql(session, f"UPDATE audit_event SET seq = -(seq + 1) WHERE {MINE} AND seq >= :seq", seq=seq)
    sql(session, f"UPDATE audit_event SET seq = -seq WHERE {MINE} AND seq < 0")
    sql(session, f"UPDATE audit_head SET seq = seq + 1 WHERE {MINE}")


def test_a_copied_event_inserted_into_the_chain_is_found_at_its_seq(
    session: Session, journey: Journey
) -> None:
    seq = journey.seq_of("submitted")  # say, to make an answer look changed a second time
    _make_room_at(session, seq)

    sql(
        session,
        f"INSERT INTO audit_event (seq, {FIELDS}) SELECT :seq, {FIELDS} "
        f"FROM audit_event WHERE {MINE} AND seq = :seq - 1",
        seq=seq,
    )

    assert verdict(session) == (seq, DOES_NOT_FOLLOW)


def test_a_made_up_event_linked_to_the_one_before_is_found_at_its_seq(
    session: Session, journey: Journey
) -> None:
    seq = journey.seq_of("approved")  # say, to pretend it was returned first
    _make_room_at(session, seq)

    sql(
        session,
        f"INSERT INTO audit_event (seq, {FIELDS}) SELECT :seq, chain, occurred_at, trust_id, "
        "NULL, 'Ama Approver', entity, entity_id, 'returned', '{}', hash, :forged, key_id "
        f"FROM audit_event WHERE {MINE} AND seq = :seq - 1",
        seq=seq,
        forged="f" * 64,
    )

    assert verdict(session) == (seq, CHANGED)


@pytest.mark.parametrize("apart", [1, 5])
def test_two_swapped_events_are_found_at_the_lower_seq(
    session: Session, journey: Journey, apart: int
) -> None:
    low = journey.seq_of("started") + 1
    high = low + apart

    sql(session, f"UPDATE audit_event SET seq = -1 WHERE {MINE} AND seq = :low", low=low)
    sql(
        session,
        f"UPDATE audit_event SET seq = :low WHERE {MINE} AND seq = :high",
        low=low,
        high=high,
    )
    sql(session, f"UPDATE audit_event SET seq = :high WHERE {MINE} AND seq = -1", high=high)

    assert verdict(session) == (low, DOES_NOT_FOLLOW)


@pytest.mark.parametrize("cut", [1, 3])
def test_a_cut_off_tail_is_found_at_the_first_missing_seq(
    session: Session, journey: Journey, cut: int
) -> None:
    first_missing = journey.events[-cut].seq

    sql(session, f"DELETE FROM audit_event WHERE {MINE} AND seq >= :seq", seq=first_missing)

    assert verdict(session) == (first_missing, CUT_OFF)
    assert audit.verify(session, chain=LOCAL_TRUST_ID).events == first_missing - 1


def test_an_event_appended_behind_the_heads_back_is_found_at_its_seq(
    session: Session, journey: Journey
) -> None:
    seq, hash_ = head(session)
    audit.record(
        session,
        journey.approver,
        entity="assessment_version",
        entity_id=journey.events[-1].entity_id,
        action="approved",
        details={"forged": True},
    )
    sql(
        session, f"UPDATE audit_head SET seq = :seq, hash = :hash WHERE {MINE}", seq=seq, hash=hash_
    )

    broken_at, problem = verdict(session)

    assert broken_at == seq + 1
    assert problem is not None and "cut off" not in problem


def test_changes_lists_only_the_fields_that_differ_as_before_and_after() -> None:
    before = {"value": "weekly", "comment": "From the survey", "justification": ""}
    after = {"value": "termly", "comment": "From the survey", "owner": "Head of English"}

    assert audit.changes(before, after) == {
        "justification": ["", None],
        "owner": [None, "Head of English"],
        "value": ["weekly", "termly"],
    }
    assert audit.changes(before, dict(before)) == {}


def test_changes_compares_dates_decimals_and_enums_by_value() -> None:
    before = {"due": date(2027, 3, 31), "hours": Decimal("1.50"), "status": ActionStatus.PLANNED}

    assert audit.changes(before, {**before, "status": "planned"}) == {}
    assert audit.changes(before, {**before, "hours": Decimal("2.00")}) == {
        "hours": ["1.50", "2.00"]
    }
    assert audit.changes(before, {**before, "status": ActionStatus.DONE}) == {
        "status": ["planned", "done"]
    }


def test_canonical_is_the_same_text_however_the_same_data_comes() -> None:
    one_pm_in_paris = datetime(2027, 1, 31, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    data = {
        "status": ActionStatus.IN_PROGRESS,
        "due": date(2027, 1, 31),
        "hours": Decimal("12.50"),
        "at": one_pm_in_paris,
        "note": "Café",
    }

    text = audit.canonical(data)

    assert text == audit.canonical(dict(reversed(data.items())))
    assert text == audit.canonical({**data, "at": datetime(2027, 1, 31, 12, 0, tzinfo=UTC)})
    assert text == (
        '{"at":"2027-01-31T12:00:00.000000+00:00","due":"2027-01-31","hours":"12.50",'
        '"note":"Café","status":"in-progress"}'
    )
