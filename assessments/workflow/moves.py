"""The approval workflow as data: every move a person can make on a version, from which
statuses, by whom, what it needs and where the version goes. The use-cases in
transitions.py check a move here before making it; a version's view lists the moves its
viewer may make from here, and the pages show a button for each.

A new stage (screening, consultation, evaluation) is a status on VersionStatus, rows here
and a use-case; the templates already follow `allowed_moves`.

One change is not a move of anyone's: approving a version supersedes the assessment's
previously approved one (APPROVED → SUPERSEDED), inside the approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assessments.kernel.actors import Actor, Role
from assessments.kernel.errors import InvalidTransition
from assessments.models import AssessmentVersion, VersionStatus


class Move(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    REVISE = "revise"


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
        needs="its content unchanged since it was submitted",
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
    ),
    Rule(
        move=Move.REVISE,
        start=frozenset({VersionStatus.APPROVED}),
        role=Role.AUTHOR,
        end=VersionStatus.DRAFT,
        done="revised",
        needs="no other version of the assessment in progress",
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


def allowed_moves(
    actor: Actor, version: AssessmentVersion, school_id: int | None, contributed: bool
) -> tuple[Move, ...]:
    """The moves the actor may make on the version now, by its status and their roles, in the
    table's order (what each move needs besides is checked, and explained, when it is made)."""
    return tuple(
        rule.move
        for rule in MOVES
        if version.status in rule.start
        and actor.holds(rule.role, school_id)
        and not (rule.by_someone_else and contributed)
    )
