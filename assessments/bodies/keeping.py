"""Use-cases of the trust's approving bodies, kept by its admins: adding and correcting a body,
and who its members are. A member decides for their body, so each must hold the approver role
wherever the body decides (its school, or trust-wide); every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments.bodies import queries as body_queries
from assessments.bodies.schemas import BodyDetails
from assessments.drafting import queries as version_queries
from assessments.drafting.editing import check_revision
from assessments.kernel import audit, db
from assessments.kernel.actors import Actor, Role, require_trust_admin, trust_of
from assessments.kernel.errors import NotFound, ValidationFailed
from assessments.models import (
    ApprovingBody,
    BodyKind,
    BodyMember,
    DecisionRule,
    User,
    VersionStatus,
)
from assessments.people import queries as people_queries
from assessments.policies import queries as policy_queries


@dataclass(frozen=True)
class BodyView:
    body: ApprovingBody
    school_name: str  # "" for a trust-wide body
    members: list[User]
    candidates: list[User]  # who may be added: approvers where it decides, not yet members
    policies: int  # how many policies name it


def list_bodies(*, session: Session, actor: Actor) -> list[ApprovingBody]:
    """The trust's approving bodies, by name: anyone in the trust sees who decides."""
    return body_queries.bodies_of_trust(session, trust_of(actor))


def member_counts(*, session: Session, actor: Actor) -> dict[int, int]:
    return body_queries.member_counts(session, require_trust_admin(actor))


def _body(
    session: Session, trust_id: int, body_id: int, *, for_update: bool = False
) -> ApprovingBody:
    body = body_queries.get_body(session, body_id, for_update=for_update)
    if body is None or body.trust_id != trust_id:
        raise NotFound(f"There is no approving body {body_id}")
    return body


def view_body(*, session: Session, actor: Actor, body_id: int) -> BodyView:
    """A body with its members, for the trust's admins."""
    body = _body(session, require_trust_admin(actor), body_id)
    assert body.id is not None
    members = body_queries.members_of(session, body.id)
    school = policy_queries.get_school(session, body.school_id) if body.school_id else None
    taken = {member.id for member in members}
    candidates = [user for user in _approvers_for(session, body) if user.id not in taken]
    policies = len(body_queries.policies_naming(session, body.id))
    return BodyView(body, school.name if school else "", members, candidates, policies)


def _approvers_for(session: Session, body: ApprovingBody) -> list[User]:
    return people_queries.holders_of(
        session, trust_id=body.trust_id, role=Role.APPROVER, school_id=body.school_id
    )


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _checked(
    session: Session, trust_id: int, data: BodyDetails, but: int | None = None
) -> dict[str, object]:
    """The body's details once they make sense together, else every problem by field."""
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if any(
        _key(b.name) == _key(name) and b.id != but
        for b in body_queries.bodies_of_trust(session, trust_id)
    ):
        errors["name"] = f"The trust already has an approving body called “{name}”"
    if data.school_id is not None:
        school = policy_queries.get_school(session, data.school_id)
        if school is None or school.trust_id != trust_id:
            errors["school_id"] = "Select one of the trust's schools, or trust-wide"
    if data.kind.of_a_school and data.school_id is None:
        errors["school_id"] = f"Select the school whose {data.kind.label.lower()} it is"
    if data.kind is BodyKind.BOARD and data.school_id is not None:
        errors["school_id"] = "The trust board decides trust-wide: select trust-wide"
    if errors:
        raise ValidationFailed(errors)
    quorum = data.quorum if data.rule is DecisionRule.NUMBER else 1
    return {
        "name": name,
        "kind": data.kind,
        "school_id": data.school_id,
        "rule": data.rule,
        "quorum": quorum,
    }


def _name_taken(name: str) -> ValidationFailed:
    return ValidationFailed({"name": f"The trust already has an approving body called “{name}”"})


def create_body(*, session: Session, actor: Actor, data: BodyDetails) -> ApprovingBody:
    """Add an approving body to the trust (its admins only); its members are added next."""
    trust_id = require_trust_admin(actor)
    details = _checked(session, trust_id, data)
    body = ApprovingBody(trust_id=trust_id, **details)  # type: ignore[arg-type]
    db.insert_unique(session, body, _name_taken(body.name))
    audit.record(
        session,
        actor,
        entity="approving_body",
        entity_id=body.id,
        action="created",
        details=_audited(details),
        trust_id=trust_id,
    )
    return body


def _audited(details: dict[str, object]) -> dict[str, object]:
    return {key: getattr(value, "value", value) for key, value in details.items()}


def update_body(
    *,
    session: Session,
    actor: Actor,
    body_id: int,
    data: BodyDetails,
    expected_revision: int | None,
) -> ApprovingBody:
    """Correct a body's name, kind, school or rule. Moving it to another school is refused
    while its members or policies belong elsewhere."""
    trust_id = require_trust_admin(actor)
    body = _body(session, trust_id, body_id, for_update=True)
    check_revision(body.revision, expected_revision)
    details = _checked(session, trust_id, data, but=body_id)
    if details["school_id"] != body.school_id:
        _check_move(session, body, details["school_id"])  # type: ignore[arg-type]
    before = {key: getattr(body, key) for key in details}
    diff = audit.changes(_audited(before), _audited(details))
    if not diff:
        return body
    for key, value in details.items():
        setattr(body, key, value)
    body.revision += 1
    db.insert_unique(session, body, _name_taken(body.name))
    audit.record(
        session,
        actor,
        entity="approving_body",
        entity_id=body_id,
        action="corrected",
        details=diff,
        trust_id=trust_id,
    )
    return body


def _check_move(session: Session, body: ApprovingBody, school_id: int | None) -> None:
    """A body moved to another school (or trust-wide) keeps only members who are approvers
    there, and only policies it may decide on there."""
    assert body.id is not None
    moved = ApprovingBody(
        trust_id=body.trust_id, name=body.name, kind=body.kind, school_id=school_id, rule=body.rule
    )
    qualified = {user.id for user in _approvers_for(session, moved)}
    unqualified = [
        m.name for m in body_queries.members_of(session, body.id) if m.id not in qualified
    ]
    if unqualified:
        raise ValidationFailed(
            {
                "school_id": "Not an approver there: "
                + ", ".join(unqualified)
                + ". Remove them first"
            }
        )
    elsewhere = [
        p.reference
        for p in body_queries.policies_naming(session, body.id)
        if school_id is not None and p.school_id != school_id
    ]
    if elsewhere:
        raise ValidationFailed(
            {
                "school_id": "It decides on policies of other schools or trust-wide: "
                + ", ".join(elsewhere)
            }
        )


def add_member(*, session: Session, actor: Actor, body_id: int, user_id: int) -> BodyMember:
    """Make one of the trust's approvers (where the body decides) a member of it."""
    trust_id = require_trust_admin(actor)
    body = _body(session, trust_id, body_id, for_update=True)
    user = people_queries.get_user(session, user_id)
    if user is None or user.trust_id != trust_id:
        raise ValidationFailed({"user_id": "Select one of the trust's people"})
    if user.id not in {u.id for u in _approvers_for(session, body)}:
        where = "trust-wide" if body.school_id is None else "for its school"
        raise ValidationFailed(
            {"user_id": f"{user.name} is not an approver {where}: give them that role first"}
        )
    if body_queries.membership(session, body_id, user_id) is not None:
        raise ValidationFailed({"user_id": f"{user.name} is a member already"})
    member = BodyMember(body_id=body_id, user_id=user_id)
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor,
        entity="approving_body",
        entity_id=body_id,
        action="member-added",
        details={"user_id": user_id, "name": user.name},
        trust_id=trust_id,
    )
    return member


def remove_member(*, session: Session, actor: Actor, body_id: int, user_id: int) -> None:
    """Take a member off the body; their decisions already recorded stay in the record."""
    trust_id = require_trust_admin(actor)
    _body(session, trust_id, body_id, for_update=True)
    member = body_queries.membership(session, body_id, user_id)
    if member is None:
        raise ValidationFailed({"members": "They are not a member of it"})
    user = people_queries.get_user(session, user_id)
    session.delete(member)
    session.flush()
    audit.record(
        session,
        actor,
        entity="approving_body",
        entity_id=body_id,
        action="member-removed",
        details={"user_id": user_id, "name": user.name if user else ""},
        trust_id=trust_id,
    )


BODY_KEEPERS = "Only the trust's admins and trust-wide authors say who approves a policy"


def may_name_bodies(actor: Actor) -> bool:
    """Who may say which body approves a policy: the trust's admins and trust-wide authors,
    who keep its schedule (a policy's own authors may not choose who decides on their work)."""
    return actor.holds(Role.ADMIN, None) or actor.holds(Role.AUTHOR, None)


def require_body_change(
    session: Session, actor: Actor, policy_id: int | None, before: int | None, after: int | None
) -> None:
    """Refuse changing which body approves a policy (`before` → `after`) to anyone but those
    who may, and while a version of it awaits a decision (its body is deciding)."""
    if before == after:
        return
    if not may_name_bodies(actor):
        raise ValidationFailed({"approving_body_id": BODY_KEEPERS})
    if policy_id is not None and any(
        version.status in VersionStatus.AWAITING_DECISION
        for version in version_queries.versions_of_policy(session, policy_id)
    ):
        raise ValidationFailed(
            {
                "approving_body_id": "A version of it awaits a decision: change who approves it "
                "once that version is decided or returned"
            }
        )


def body_for_policy(
    session: Session, *, trust_id: int, body_id: int | None, school_id: int | None
) -> int | None:
    """The body a policy may name: one of the trust's, deciding trust-wide or for the policy's
    own school (a school's governing body does not decide a trust-wide policy)."""
    if body_id is None:
        return None
    body = body_queries.get_body(session, body_id)
    if body is None or body.trust_id != trust_id:
        raise ValidationFailed({"approving_body_id": "Select one of the trust's approving bodies"})
    if body.school_id is not None and body.school_id != school_id:
        raise ValidationFailed(
            {"approving_body_id": f"{body.name} decides for one school only, not this policy's"}
        )
    return body_id
