"""The trust admin's pages of approving bodies: the board, its committees, each school's local
governing body and any headteacher the trust delegates to, with their rules and members."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import parse_revision, render_form, submit_form
from app.inputs import parse_id
from app.web import redirect
from assessments.bodies import keeping
from assessments.bodies.quorum import rule_in_words
from assessments.bodies.schemas import BodyDetails
from assessments.kernel.actors import Actor, require_trust_admin
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import BodyKind, DecisionRule
from assessments.policies import trust_schools

router = APIRouter(prefix="/admin/bodies")

FIELDS = ("name", "kind", "school_id", "rule", "quorum")
MESSAGES = {
    "name": "Enter the body's name, up to 120 characters",
    "kind": "Select what kind of body it is",
    "school_id": "Select trust-wide or one of the trust's schools",
    "rule": "Select how many of its members must approve",
    "quorum": "Enter how many members must approve, a whole number from 1 to 50",
}
RULE_LABELS = {
    DecisionRule.ONE: "One member",
    DecisionRule.NUMBER: "A number of members",
    DecisionRule.ALL: "All its members",
}
RULE_HINTS = {
    DecisionRule.ONE: "Any one member's approval approves it",
    DecisionRule.NUMBER: "A quorum: the number of members below",
    DecisionRule.ALL: "Every member who may decide (none who worked on it)",
}


def _details(values: dict[str, str]) -> BodyDetails:
    return BodyDetails.model_validate(
        {
            **{field: values[field] for field in FIELDS},
            "school_id": values["school_id"] or None,
            # Asked for by the rule "number" only: whatever else is in the field is no matter.
            "quorum": values["quorum"] if values["rule"] == DecisionRule.NUMBER else "1",
        }
    )


def _choices(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "kinds": list(BodyKind),
        "rules": list(DecisionRule),
        "rule_labels": RULE_LABELS,
        "rule_hints": RULE_HINTS,
        "schools": trust_schools.list_schools(session=session, actor=actor),
    }


def _bodies_page(
    request: Request, session: Session, actor: Actor, values: dict[str, str], errors: dict[str, str]
) -> Response:
    require_trust_admin(actor)
    bodies = keeping.list_bodies(session=session, actor=actor)
    context = {
        "title": "Approving bodies",
        "bodies": bodies,
        "rule_words": {body.id: rule_in_words(body) for body in bodies},
        "members": keeping.member_counts(session=session, actor=actor),
        "values": {"rule": DecisionRule.ONE.value, "quorum": "2", **values},
        **_choices(session, actor),
    }
    return render_form(request, "admin/bodies.html", context, errors)


@router.get("")
def bodies(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The trust's approving bodies, and a form to add one."""
    return _bodies_page(request, session, actor, {}, {})


@router.post("")
def create_body(request: Request, form: FormDep, session: SessionDep, actor: ActorDep) -> Response:
    """Add an approving body, then show its page to add its members."""
    values = {field: str(form.get(field, "")) for field in FIELDS}
    form_again = partial(_bodies_page, request, session, actor, values)
    return submit_form(lambda: _create(request, session, actor, values), form_again, MESSAGES)


def _create(request: Request, session: Session, actor: Actor, values: dict[str, str]) -> Response:
    body = keeping.create_body(session=session, actor=actor, data=_details(values))
    return confirm(request, redirect(request, f"/admin/bodies/{body.id}"), "body-added")


def _shown(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _body_page(
    request: Request,
    session: Session,
    actor: Actor,
    body_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    view = keeping.view_body(session=session, actor=actor, body_id=body_id)
    body = view.body
    stored = {field: _shown(getattr(body, field)) for field in FIELDS}
    context = {
        "title": body.name,
        "view": view,
        "rule": rule_in_words(body),
        "values": values or {**stored, "revision": str(body.revision)},
        **_choices(session, actor),
    }
    return render_form(request, "admin/body.html", context, errors)


@router.get("/{body_id}")
def body(request: Request, body_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """A body: its members, and its name, kind, school and rule to correct."""
    return _body_page(request, session, actor, body_id)


@router.post("/{body_id}")
def update_body(
    request: Request, body_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the body's corrected details."""
    values = {field: str(form.get(field, "")) for field in (*FIELDS, "revision")}
    form_again = partial(_body_page, request, session, actor, body_id, values)
    return submit_form(
        lambda: _update(request, session, actor, body_id, values), form_again, MESSAGES
    )


def _update(
    request: Request, session: Session, actor: Actor, body_id: int, values: dict[str, str]
) -> Response:
    try:
        keeping.update_body(
            session=session,
            actor=actor,
            body_id=body_id,
            data=_details(values),
            expected_revision=parse_revision(values["revision"], "name"),
        )
    except StaleVersion as exc:  # someone saved it meanwhile: the form now builds on theirs
        current = keeping.view_body(session=session, actor=actor, body_id=body_id).body
        values["revision"] = str(current.revision)
        raise ValidationFailed({"name": exc.message}) from exc
    return confirm(request, redirect(request, f"/admin/bodies/{body_id}"), "body-changed")


@router.post("/{body_id}/members")
def add_member(
    request: Request, body_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Make one of the trust's approvers a member of the body."""
    form_again = partial(_body_page, request, session, actor, body_id, None)
    user = str(form.get("user_id", ""))
    return submit_form(lambda: _add(request, session, actor, body_id, user), form_again)


def _add(request: Request, session: Session, actor: Actor, body_id: int, user: str) -> Response:
    user_id = parse_id(user, "user_id", "Select who to add")
    keeping.add_member(session=session, actor=actor, body_id=body_id, user_id=user_id)
    return confirm(
        request, redirect(request, f"/admin/bodies/{body_id}#members"), "members-changed"
    )


@router.post("/{body_id}/members/remove")
def remove_member(
    request: Request, body_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Take a member off the body; their decisions already recorded stay."""
    form_again = partial(_body_page, request, session, actor, body_id, None)
    user = str(form.get("user_id", ""))
    return submit_form(lambda: _remove(request, session, actor, body_id, user), form_again)


def _remove(request: Request, session: Session, actor: Actor, body_id: int, user: str) -> Response:
    user_id = parse_id(user, "members", "Select who to remove")
    keeping.remove_member(session=session, actor=actor, body_id=body_id, user_id=user_id)
    return confirm(
        request, redirect(request, f"/admin/bodies/{body_id}#members"), "members-changed"
    )
