"""The trust's email, for its admins: when owners are reminded, and mail that has not gone
(with the mail server's reason), to send again once the problem is put right."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import render_form, submit_form
from app.web import redirect
from assessments.kernel.actors import Actor
from assessments.kernel.clock import now
from assessments.kernel.errors import StaleVersion
from assessments.notifications import trust_email

router = APIRouter(prefix="/admin")
PAGE = "/admin/email"


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    view = trust_email.view_trust_email(session=session, actor=actor)
    trust = view.trust
    context: dict[str, Any] = {
        "title": "Email and reminders",
        "view": view,
        "values": values
        or {
            "review_days": ", ".join(str(d) for d in trust.review_reminder_days),
            "action_days": str(trust.action_reminder_days),
            "revision": str(trust.revision),
        },
    }
    return render_form(request, "admin/email.html", context, errors, status_code=status_code)


@router.get("/email")
def email(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The trust's reminder settings, and its mail that has not gone."""
    return _page(request, session, actor)


@router.post("/email/reminders")
def change_reminders(
    request: Request, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save when owners are reminded of reviews and actions."""
    values = {key: str(form.get(key, "")) for key in ("review_days", "action_days", "revision")}
    form_again = partial(_page, request, session, actor, values)
    try:
        return submit_form(lambda: _saved(request, session, actor, values), form_again)
    except StaleVersion as exc:  # shown with the reminders as they are now
        return _page(request, session, actor, None, {"review_days": exc.message}, 409)


def _saved(request: Request, session: Session, actor: Actor, values: dict[str, str]) -> Response:
    revision = values["revision"]
    trust_email.change_reminders(
        session=session,
        actor=actor,
        review_days=values["review_days"],
        action_days=values["action_days"],
        expected_revision=int(revision) if revision.isdigit() and len(revision) < 9 else None,
    )
    return confirm(request, redirect(request, PAGE), "reminders-changed")


@router.post("/email/messages/{message_id}/again")
def send_again(request: Request, message_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """Put a message that was given up back in the outbox."""
    trust_email.send_again(session=session, actor=actor, message_id=message_id, now=now())
    return confirm(request, redirect(request, PAGE), "message-again")
