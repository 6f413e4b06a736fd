"""A person's notifications: what they were told lately and how they hear of each kind; and
the one-click unsubscribe their emails link to, which needs no signing in (its link is signed)
and so sits outside the CSRF-checked pages (RFC 8058: a mail client POSTs to it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, SessionDep, SettingsDep
from app.flash import confirm
from app.forms import render_form, submit_form
from app.mail.links import read_unsubscribe_token
from app.web import british_date, redirect, render
from assessments.kernel.actors import Actor
from assessments.models import Delivery, MessageStatus
from assessments.notifications import choices

router = APIRouter()
unsubscribe_router = APIRouter(include_in_schema=False)  # no CSRF check: see the docstring


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    chosen = choices.chosen(session=session, actor=actor)
    context: dict[str, Any] = {
        "title": "Notifications",
        "told": [
            {"created_at": t.created_at, "subject": t.subject, "email": _how_it_went(t)}
            for t in choices.recent(session=session, actor=actor)
        ],
        "kinds": list(chosen),
        "values": values or {kind.value: delivery.value for kind, delivery in chosen.items()},
        "delivery_items": [{"value": d.value, "text": d.label} for d in Delivery],
    }
    return render_form(request, "account/notifications.html", context, errors)


def _how_it_went(told: choices.Told) -> str:
    """What became of a notification's email, in words."""
    if told.status is MessageStatus.SENT and told.sent_at is not None:
        return f"Sent {british_date(told.sent_at, 'short_time')} UTC"
    if told.status is MessageStatus.FAILED:
        return "Could not be sent"
    if told.status is MessageStatus.PENDING:
        return "On its way"
    if told.delivery is Delivery.NONE:
        return "Not emailed: you chose no emails"
    return f"In your {told.delivery.value} digest"


@router.get("/notifications")
def notifications(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """What the person was told lately, and their choices of how to hear of each kind."""
    return _page(request, session, actor)


@router.post("/notifications")
def save_choices(request: Request, form: FormDep, session: SessionDep, actor: ActorDep) -> Response:
    """Save how the person hears of each kind."""
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}

    def save() -> Response:
        choices.choose(session=session, actor=actor, choices=values)
        return confirm(request, redirect(request, "/notifications"), "notification-choices")

    return submit_form(
        save, lambda errors: _page(request, session, actor, values=values, errors=errors)
    )


def _unsubscribe_page(
    request: Request, context: dict[str, Any], status_code: int = 200
) -> Response:
    return render(
        request,
        "account/unsubscribe.html",
        {"title": "Stop emails", **context},
        status_code=status_code,
    )


@unsubscribe_router.get("/notifications/unsubscribe/{token}")
def unsubscribe_form(request: Request, token: str, settings: SettingsDep) -> Response:
    """Asks before stopping: a link followed by a mail scanner must not unsubscribe anyone."""
    if read_unsubscribe_token(settings, token) is None:
        return _unsubscribe_page(request, {"invalid": True}, status_code=404)
    return _unsubscribe_page(request, {"token": token})


@unsubscribe_router.post("/notifications/unsubscribe/{token}")
def unsubscribe(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Stop what the signed link names: its kind, or its digest (the mail client's one click,
    or the button on the page above)."""
    read = read_unsubscribe_token(settings, token)
    if read is None:
        return _unsubscribe_page(request, {"invalid": True}, status_code=404)
    user_id, topic = read
    stopped = choices.stop(session, user_id=user_id, topic=topic)
    return _unsubscribe_page(request, {"stopped": stopped, "done": True})
