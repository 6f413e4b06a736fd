"""The table of moves (assessments/workflow/moves.py) is the workflow: for a version in every
status, each person may make exactly the moves the table allows them, the use-case refuses
every other one and changes nothing, a move ends where the table says, and the version's view
lists the same moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from assessments.drafting import version_view
from assessments.kernel.actors import Actor
from assessments.kernel.errors import DomainError
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import transitions as workflow
from assessments.workflow.moves import MOVES, RULES, Move, allowed_moves
from tests.factories.people import Cast, make_cast
from tests.factories.versions import fill_in, make_version, screen_out

USE_CASES: dict[Move, Callable[..., AssessmentVersion]] = {
    Move.SUBMIT: workflow.submit,
    Move.APPROVE: workflow.approve,
    Move.RETURN: workflow.return_version,
    Move.REQUIRE_FULL: workflow.require_full,
    Move.REOPEN: workflow.reopen,
    Move.WITHDRAW: workflow.withdraw,
    Move.REVISE: workflow.revise,
    Move.RESTART: workflow.restart,
}
pytestmark = pytest.mark.usefixtures("rubric_published")
PEOPLE = ("author", "second_author", "author_approver", "approver", "auditor", "other_author")
# Who prepared the versions each person is tried on: an approver who authors here too is tried
# on their own (so only the rule against deciding on one's own work stops them).
PREPARER = {"author_approver": "author_approver"}
# The workflow, written out: which moves may be made from each status by somebody.
FROM = {
    VersionStatus.DRAFT: {Move.SUBMIT, Move.WITHDRAW},
    VersionStatus.SUBMITTED: {Move.APPROVE, Move.RETURN, Move.REQUIRE_FULL},
    VersionStatus.RETURNED: {Move.REOPEN, Move.WITHDRAW},
    VersionStatus.APPROVED: {Move.REVISE},
    VersionStatus.WITHDRAWN: {Move.RESTART},
    VersionStatus.SUPERSEDED: set(),
}


def reach(
    session: Session, cast: Cast, status: VersionStatus, author: Actor, screened: bool = False
) -> int:
    """A version of a new policy of the cast's school in `status`, prepared by `author` (the
    cast's approver deciding), with complete content (a draft too may be submitted): a full
    assessment, or `screened` out by its screening."""
    fill = screen_out if screened else fill_in
    version = make_version(
        session, status, actor=author, approver=cast.approver, fill=fill, school_id=cast.school.id
    )
    assert version.id is not None
    if status is VersionStatus.DRAFT:
        fill(session, version.id, author)
    return version.id


def arguments(move: Move) -> dict[str, Any]:
    if move in (Move.RETURN, Move.WITHDRAW, Move.REQUIRE_FULL):
        return {"reason": "Please add the staff survey"}
    return {}


def test_every_status_is_reached_as_asked(session: Session) -> None:
    cast = make_cast(session)
    for status in VersionStatus:
        version = session.get(AssessmentVersion, reach(session, cast, status, cast.author))
        assert version is not None and version.status is status


def test_the_table_holds_the_workflow() -> None:
    assert {s: {r.move for r in MOVES if s in r.start} for s in VersionStatus} == FROM


def test_every_move_has_a_use_case_and_starts_somewhere() -> None:
    assert set(USE_CASES) == set(Move) == {rule.move for rule in MOVES}
    assert all(rule.start for rule in MOVES)
    # Only the decisions are kept from whoever contributed to the content.
    decisions = {Move.APPROVE, Move.RETURN, Move.REQUIRE_FULL}
    assert {rule.move for rule in MOVES if rule.by_someone_else} == decisions


# Every status of a full assessment; a screened-out version where its kind makes a difference
# (only it may be sent back for the full assessment) or could be lost (on a copy, revising).
KINDS = [
    *((status, False) for status in VersionStatus),
    *((status, True) for status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED)),
    (VersionStatus.APPROVED, True),
]


@pytest.mark.parametrize(("status", "screened"), KINDS)
@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_may_make_exactly_the_moves_the_table_allows(
    session: Session, status: VersionStatus, screened: bool, who: str
) -> None:
    cast = make_cast(session)
    actor: Actor = getattr(cast, who)
    preparer: Actor = getattr(cast, PREPARER.get(who, "author"))
    target = reach(session, cast, status, preparer, screened)
    listed = _listed_moves(session, actor, target)
    made = set()
    for move in Move:
        rule = RULES[move]
        expected = status in rule.start and actor.holds(rule.role, cast.school.id)
        expected = expected and not (rule.by_someone_else and _contributed(who))
        expected = expected and (move is not Move.REQUIRE_FULL or screened)
        version = session.get(AssessmentVersion, target)
        assert version is not None
        revision = version.revision
        try:
            result = USE_CASES[move](
                session=session, actor=actor, version_id=target, **arguments(move)
            )
        except DomainError:
            session.expire_all()  # read back what the database holds: nothing changed
            assert not expected, f"{who} could not {move} a {status} version"
            assert (version.status, version.revision) == (status, revision)
            continue
        assert expected, f"{who} could {move} a {status} version"
        assert result.status is rule.end
        if move in (Move.REVISE, Move.RESTART):  # a new version; this one stays as it was
            assert result.id != target and version.status is status
        made.add(move)
        target = reach(session, cast, status, preparer, screened)  # a fresh one for the next
    if listed is not None:  # what their view of it listed is what they could do
        assert set(listed) == made
    else:
        assert made == set()


def _contributed(who: str) -> bool:
    return who in ("author", *PREPARER)  # they prepared the versions they are tried on


def _listed_moves(session: Session, actor: Actor, version_id: int) -> tuple[Move, ...] | None:
    """The moves the person's view of the version lists; None if they may not see it."""
    try:
        return version_view.view_assessment(
            session=session, actor=actor, version_id=version_id
        ).allowed_moves
    except DomainError:
        return None


def test_allowed_moves_follow_the_table_s_order(session: Session) -> None:
    cast = make_cast(session)
    version_id = reach(session, cast, VersionStatus.RETURNED, cast.author)
    version = session.get(AssessmentVersion, version_id)
    assert version is not None
    moves = allowed_moves(cast.author, version, cast.school.id, contributed=True)
    assert moves == (Move.REOPEN, Move.WITHDRAW)
