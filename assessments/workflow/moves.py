"""The approval workflow as data: every move a person can make on a version, from which
statuses, by whom, what it needs and where the version goes. The use-cases in
transitions.py check a move here before making it; a version's view lists the moves its
viewer may make from here, and the pages show a button for each.

A new stage (screening, consultation, evaluation) is a status on VersionStatus, rows here
and a use-case; the templates already follow `allowed_moves`.

REQUIRE_FULL returns a screened-out version with the call for the full assessment, which its
screening then no longer overrules.

REVISE and RESTART leave their version as it is and start version n+1 as a draft copied from
it: of an approved version, its review; of a withdrawn one, a fresh start.

One change is not a move of anyone's: approving a version supersedes the assessment's
previously approved one (APPROVED → SUPERSEDED), inside the approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assessments.kernel.actors import Actor, Role
from assessments.kernel.errors import InvalidTransition
from assessments.models import AssessmentKind, AssessmentVersion, VersionStatus


class Move(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REQUIRE_FULL = "require-full"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    REVISE = "revise"
    RESTART = "restart"


@dataclass(frozen=True)
class Rule:
    move: Move
    start: frozenset[VersionStatus]  # the statuses it may be made from
    role: Role  # held for the policy's school (or trust-wide)
    end: VersionStatus  # the version's status after it (REVISE: the new version's)
    done: str  # how a refusal says it: "cannot be submitted"
    needs: str = ""  # what else it needs, checked by its use-case when it is made
    by_someone_else: bool = False  # a decision: never by anyone who contributed


MOVES: tuple[Rule, ...] = (
    Rule(
        move=Move.SUBMIT,
        start=VersionStatus.EDITABLE,
        role=Role.AUTHOR,
        end=VersionStatus.SUBMITTED,
        done="submitted",
        needs="every required answer, and an action or a reason for each flagged one",
    ),
    Rule(
        move=Move.APPROVE,
        start=VersionStatus.AWAITING_DECISION,
        role=Role.APPROVER,
        end=VersionStatus.APPROVED,
        done="approved",
        needs="its content unchanged since it was submitted, and a reason when the rating "
        "after its planned actions is one the rubric says needs one",
        by_someone_else=True,
    ),
    Rule(
        move=Move.RETURN,
        start=VersionStatus.AWAITING_DECISION,
        role=Role.APPROVER,
        end=VersionStatus.RETURNED,
        done="returned",
        needs="a reason, for its authors",
        by_someone_else=True,
    ),
    Rule(
        move=Move.REQUIRE_FULL,
        start=VersionStatus.AWAITING_DECISION,
        role=Role.APPROVER,
        end=VersionStatus.RETURNED,
        done="sent back for a full assessment",
        needs="a screened-out version, and a reason, for its authors",
        by_someone_else=True,
    ),
    Rule(
        move=Move.REOPEN,
        start=frozenset({VersionStatus.RETURNED}),
        role=Role.AUTHOR,
        end=VersionStatus.DRAFT,
        done="reopened",
    ),
    Rule(
        move=Move.WITHDRAW,
        start=frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED}),
        role=Role.AUTHOR,
        end=VersionStatus.WITHDRAWN,
        done="withdrawn",
        needs="a reason, kept in the register",
    ),
    Rule(
        move=Move.REVISE,
        start=frozenset({VersionStatus.APPROVED}),
        role=Role.AUTHOR,
        end=VersionStatus.DRAFT,
        done="revised",
        needs="no other version of the assessment in progress",
    ),
    Rule(
        move=Move.RESTART,
        start=frozenset({VersionStatus.WITHDRAWN}),
        role=Role.AUTHOR,
        end=VersionStatus.DRAFT,
        done="started again",
        needs="it is the assessment's latest version, and none is in progress",
    ),
)
RULES = {rule.move: rule for rule in MOVES}


def check_move(version: AssessmentVersion, move: Move) -> Rule:
    """The move's rule, once the version's status allows it."""
    rule = RULES[move]
    if version.status not in rule.start:
        raise InvalidTransition(
            f"Version {version.number} is {version.status.value}, so it cannot be {rule.done}"
        )
    return rule


def blocked_by_siblings(version: AssessmentVersion, versions: list[AssessmentVersion]) -> set[Move]:
    """The moves that start version n+1, when the assessment's other versions rule them out:
    none may while a version is in progress, and only the latest may be started again."""
    blocked = set()
    if any(v.status in VersionStatus.OPEN for v in versions):
        blocked |= {Move.REVISE, Move.RESTART}
    if versions and version.number != max(v.number for v in versions):
        blocked.add(Move.RESTART)
    return blocked


def blocked_by_kind(version: AssessmentVersion) -> set[Move]:
    """Only a screened-out version can be sent back for the full assessment."""
    return set() if version.kind is AssessmentKind.SCREENED_OUT else {Move.REQUIRE_FULL}


def allowed_moves(
    actor: Actor,
    version: AssessmentVersion,
    school_id: int | None,
    contributed: bool,
    blocked: set[Move] | None = None,
) -> tuple[Move, ...]:
    """The moves the actor may make on the version now, by its status and their roles, in the
    table's order, leaving out those `blocked` (what each move needs besides is checked, and
    explained, when it is made)."""
    return tuple(
        rule.move
        for rule in MOVES
        if version.status in rule.start
        and actor.holds(rule.role, school_id)
        and not (rule.by_someone_else and contributed)
        and rule.move not in (blocked or set())
    )
