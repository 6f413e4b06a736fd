"""The pages a member of staff reaches from a consultation's email, with no account: what the
draft changes and the hours its author expects, and their answer, given once. The link is
signed (app/mail/links.py), so an altered one opens nothing; its token is kept out of the logs
(app/logs.py). Forms here are CSRF-checked like every other (double-submit needs no session)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.deps import RawFormDep, SessionDep, SettingsDep
from app.forms import form_errors, render_form, submit_form
from app.inputs import text_errors
from app.mail.links import read_consultation_token
from app.settings import Settings
from app.web import redirect
from assessments.consultations import answering
from assessments.consultations.answering import LinkView
from assessments.consultations.opening import Standing
from assessments.consultations.schemas import AGREEMENT, MAX_HOURS, MAX_TEXT, AnswerGive
from assessments.kernel.clock import today
from assessments.kernel.errors import InvalidTransition, NotFound, ValidationFailed

router = APIRouter(prefix="/consult")
PAGE = "consult/answer.html"
FIELDS = ("direction", "hours", "agreement", "concerns", "would_help")
DIRECTIONS = {
    "more": "It would add to my work",
    "less": "It would save me time",
    "none": "It would make no difference to my time",
}
HOURS_MESSAGE = f"Enter the hours a week, a number from 0 to {MAX_HOURS}, like 1.5"
MESSAGES = {
    "direction": "Select whether it would add to your work or save you time",
    "hours": HOURS_MESSAGE,
    "hours_per_week": HOURS_MESSAGE,  # the answer's own name for it
    "agreement": "Select how far you agree with the change",
    "concerns": f"Write up to {MAX_TEXT:,} characters about what concerns you",
    "would_help": f"Write up to {MAX_TEXT:,} characters about what would make it work",
}


def _invitation_id(settings: Settings, token: str) -> int:
    invitation_id = read_consultation_token(settings, token)
    if invitation_id is None:
        raise NotFound(answering.GONE)
    return invitation_id


def _view(session: Session, settings: Settings, token: str) -> LinkView:
    return answering.link_view(
        session=session, invitation_id=_invitation_id(settings, token), today=today()
    )


def _page(
    request: Request,
    view: LinkView,
    token: str,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    *,
    status_code: int | None = None,
) -> Response:
    context: dict[str, Any] = {
        "title": f"Your views on a draft: {view.policy.title}",
        "view": view,
        "token": token,
        "values": values,
        "directions": DIRECTIONS,
        "agreement": AGREEMENT,
    }
    return render_form(request, PAGE, context, errors, status_code=status_code)


def _answerable(
    session: Session, settings: Settings, token: str
) -> LinkView | Callable[[Request], Response]:
    """The link's consultation if it takes an answer now; else the page that says why."""
    try:
        view = _view(session, settings, token)
    except NotFound:
        return _no_link
    if view.answered or view.standing is not Standing.OPEN:
        return lambda request: _page(request, view, token, {}, status_code=409)
    return view


def _no_link(request: Request) -> Response:
    """A link that leads nowhere: altered, cut short, or of no consultation."""
    context = {"title": "This link does not work", "message": answering.GONE}
    return render_form(request, "consult/gone.html", context, status_code=404)


@router.get("/{token}")
def consultation_form(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """What staff are asked, and the form to answer (while it is open and theirs is not in)."""
    try:
        view = _view(session, settings, token)
    except NotFound:
        return _no_link(request)
    return _page(request, view, token, {})


def hours_given(values: Mapping[str, str]) -> str:
    """The hours a week as the answer stores them: more work positive, time saved negative."""
    direction, hours = values["direction"], values["hours"].strip()
    if direction not in DIRECTIONS:
        raise ValidationFailed({"direction": MESSAGES["direction"]})
    if direction == "none":
        return "0"
    if not hours:
        raise ValidationFailed({"hours": MESSAGES["hours"]})
    if hours.startswith(("-", "\u2212")):  # the direction says which way: a sign is a slip
        raise ValidationFailed({"hours": MESSAGES["hours"]})
    return f"-{hours}" if direction == "less" else hours


def answer_given(values: Mapping[str, str]) -> AnswerGive:
    """The answer typed; every field's problem at once, in the form's order."""
    errors = text_errors(values.items())  # a NUL, said by its field, what was typed kept
    try:
        hours = hours_given(values)
    except ValidationFailed as exc:
        errors, hours = {**exc.errors, **errors}, "0"
    try:
        data = AnswerGive.model_validate(
            {
                "hours_per_week": hours,
                "agreement": values["agreement"] or None,
                "concerns": values["concerns"],
                "would_help": values["would_help"],
            }
        )
    except ValidationError as exc:
        said = form_errors(exc, MESSAGES)
        said = {_FORM_FIELD.get(field, field): message for field, message in said.items()}
        errors = {**said, **errors}
    if errors:
        raise ValidationFailed({field: errors[field] for field in FIELDS if field in errors})
    return data


def _answer(
    request: Request, session: Session, invitation_id: int, token: str, values: dict[str, str]
) -> Response:
    data = answer_given(values)
    answering.give_answer(session=session, invitation_id=invitation_id, data=data, today=today())
    return redirect(request, f"/consult/{token}")


# What the answer's model calls a field, as the form does.
_FORM_FIELD = {"hours_per_week": "hours"}


@router.post("/{token}")
def give_answer(
    request: Request, token: str, form: RawFormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Store the answer; then the page says it is in. A used or closed link says so, whatever
    was typed (the form it came from may have been open for days)."""
    values = {field: str(form.get(field, "")) for field in FIELDS}
    view = _answerable(session, settings, token)
    if not isinstance(view, LinkView):  # a link that leads nowhere, or takes no answer now
        return view(request)
    attempt = partial(_answer, request, session, view.invitation_id, token, values)
    try:
        return submit_form(attempt, partial(_page, request, view, token, values), MESSAGES)
    except InvalidTransition:  # answered or closed meanwhile: the page says which
        return _page(request, _view(session, settings, token), token, {}, status_code=409)
