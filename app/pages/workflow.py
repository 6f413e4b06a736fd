"""A version's workflow: submitting, making changes, withdrawing and starting again, reviews,
and the approvers' queue, review and decisions. A move that is not lightly undone (approving,
withdrawing) is confirmed on a page of its own first; each move ends on a page that says what
happens next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep
from app.flash import confirm
from app.forms import render_form
from app.inputs import day_parts, parse_day, typed_day
from app.pages.decisions import BASE, _revision, _summary_page
from app.web import british_date, redirect, render
from assessments.bodies.quorum import Standing, rule_in_words
from assessments.consultations import requirement
from assessments.drafting import version_view
from assessments.drafting.version_view import AssessmentView
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today
from assessments.kernel.errors import ValidationFailed
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow import review, transitions as workflow
from assessments.workflow.moves import Move

router = APIRouter()


def _moved(request: Request, url: str, key: str) -> Response:
    return confirm(request, redirect(request, url), key)


@router.post(BASE + "/submit")
def submit(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Send the draft to the approvers, or show what is still missing, each problem linked to
    where it is put right."""
    revision, reason = _revision(form), str(form.get(requirement.FIELD, ""))
    submit = partial(workflow.submit, session=session, actor=actor, version_id=version_id)
    try:
        submit(expected_revision=revision, unconsulted_reason=reason)
    except ValidationFailed as exc:
        problems = _not_yet(session, actor, version_id, exc)
        said = {requirement.FIELD: reason}
        return _summary_page(request, session, actor, version_id, problems, values=said)
    return _moved(request, f"/assessments/{version_id}/summary", "submitted")


def _not_yet(
    session: Session, actor: Actor, version_id: int, exc: ValidationFailed
) -> dict[str, str]:
    """What stops the draft being submitted: what is missing, each linked to where it is put
    right, or else the reason for not consulting staff that its rating asks for."""
    if requirement.FIELD in exc.errors:
        return exc.errors
    view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
    return workflow.submission_problems(view)


@router.post(BASE + "/reopen")
def reopen(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Make a returned version a draft again."""
    workflow.reopen(
        session=session, actor=actor, version_id=version_id, expected_revision=_revision(form)
    )
    return _moved(request, f"/assessments/{version_id}/summary", "reopened")


@router.post(BASE + "/revise")
def revise(request: Request, version_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """Start the next version, copied from this approved one."""
    draft = workflow.revise(session=session, actor=actor, version_id=version_id)
    return _moved(request, f"/assessments/{draft.id}/summary", "revised")


@router.post(BASE + "/restart")
def restart(request: Request, version_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """Start a withdrawn assessment again, copied from this version."""
    draft = workflow.restart(session=session, actor=actor, version_id=version_id)
    return _moved(request, f"/assessments/{draft.id}/summary", "restarted")


# Confirmed moves ---------------------------------------------------------------------------------


def _as_member(standing: Standing | None) -> list[str]:
    """What approving says to a member of the body that decides: theirs is one of the
    approvals its rule needs."""
    if standing is None:
        return []
    body, after = standing.body, len(standing.approvals) + 1
    rule = f"{rule_in_words(body)} {'has' if standing.needed == 1 else 'have'}"
    if after >= standing.needed:
        return [f"You approve it for {body.name}, which approves it once {rule}: yours does."]
    waiting = standing.needed - after
    return [
        f"You approve it for {body.name}, which approves it once {rule}: after yours it waits "
        f"for {waiting} more member{'s' if waiting != 1 else ''}, and is approved then."
    ]


def _confirm_page(
    request: Request,
    session: Session,
    view: AssessmentView,
    move: Move,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    """The page that confirms `move` (APPROVE or WITHDRAW) on the version."""
    number, version = view.version.number, view.version
    if move is Move.APPROVE:
        due = workflow.review_due_from(today(), view.policy)
        needs_reason = workflow.approval_needs_reason(view)
        standing = review.standing_of(session=session, view=view)
        context: dict[str, Any] = {
            "title": f"Approve version {number}?",
            "button": f"Yes, approve version {number}",
            "button_classes": "",
            "back_url": f"/assessments/{version.id}/review",
            "back_text": "Review",
            "consequences": [
                *_as_member(standing),
                "Once approved it never changes: it becomes the policy's assessment in force, "
                f"its review falls due on {british_date(due)}, and its actions' owners record "
                "their progress from then on.",
            ],
            "fields": {
                "reason": "Why is it approved?"
                if needs_reason
                else "Why is it approved? (optional)",
                "meeting_date": "Date of the meeting that decided (optional)",
                "minute": "Minute reference (optional)",
            },
            "reason_hint": (
                "It is rated "
                + (view.results_after.rating.label.lower() if view.results_after.rating else "")
                + " even after its planned actions, so the decision needs a recorded reason"
                if needs_reason
                else ""
            ),
        }
    else:
        context = {
            "title": f"Withdraw version {number}?",
            "button": f"Yes, withdraw version {number}",
            "button_classes": "govuk-button--warning",
            "back_url": f"/assessments/{version.id}/summary",
            "back_text": "Summary",
            "consequences": [
                "It stays in the register as withdrawn, with your reason. You can start it "
                "again from its summary: a new draft, copied from this one."
            ],
            "fields": {"reason": "Why is it withdrawn?"},
            "reason_hint": "",
        }
    values = {"revision": version.revision, "reason": "", "minute": "", **values}
    page = {**context, "view": view, "move": move.value, "values": values}
    return render_form(request, "assessments/confirm.html", page, errors)


def _said(form: FormData, prefix: str = "") -> dict[str, Any]:
    """What a decision's form says (its meeting's date in the fields whose names start with
    `prefix`: the review page has two such forms)."""
    return {
        "revision": str(form.get("revision", "")),
        "reason": str(form.get("reason", "")),
        "minute": str(form.get("minute", "")),
        "meeting_date": typed_day(form, f"{prefix}meeting_date"),
        **day_parts(form, f"{prefix}meeting_date"),
    }


def _meeting(said: dict[str, Any]) -> date | None:
    return parse_day(said["meeting_date"], "meeting_date")


@router.get(BASE + "/approve")
def confirm_approval(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Ask the approver to confirm, with a reason where the rating needs one."""
    view = workflow.view_for_move(
        session=session, actor=actor, version_id=version_id, move=Move.APPROVE
    )
    return _confirm_page(request, session, view, Move.APPROVE, {})


def _confirmed(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    version_id: int,
    form: FormData,
    move: Move,
    make: Callable[..., AssessmentVersion],
    words: tuple[str, ...],
) -> AssessmentVersion | Response:
    """Make a confirmed move with the `words` its page asked for (a reason, a minute, the
    meeting's date): the version once made, else its page again with what is wrong."""
    said = _said(form)
    given = {word: said[word] for word in words}
    try:
        if "meeting_date" in given:
            given["meeting_date"] = _meeting(said)
        made = make(
            session=session,
            actor=actor,
            version_id=version_id,
            expected_revision=_revision(form),
            **given,
        )
    except ValidationFailed as exc:
        view = version_view.view_assessment(session=session, actor=actor, version_id=version_id)
        return _confirm_page(request, session, view, move, said, exc.errors)
    return made


@router.post(BASE + "/approve")
def approve(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Approve the version, as confirmed."""
    words = ("reason", "minute", "meeting_date")
    made = _confirmed(
        request, session, actor, version_id, form, Move.APPROVE, workflow.approve, words
    )
    if not isinstance(made, AssessmentVersion):
        return made  # the page again, with what is wrong
    approved = made.status is VersionStatus.APPROVED  # else one member's approval, of several
    return _moved(request, "/approvals", "approved" if approved else "member-approved")


@router.get(BASE + "/withdraw")
def confirm_withdrawal(
    request: Request, version_id: Id, session: SessionDep, actor: ActorDep
) -> Response:
    """Ask the author to confirm, and why."""
    view = workflow.view_for_move(
        session=session, actor=actor, version_id=version_id, move=Move.WITHDRAW
    )
    return _confirm_page(request, session, view, Move.WITHDRAW, {})


@router.post(BASE + "/withdraw")
def withdraw(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Withdraw the version, as confirmed."""
    made = _confirmed(
        request, session, actor, version_id, form, Move.WITHDRAW, workflow.withdraw, ("reason",)
    )
    if not isinstance(made, AssessmentVersion):
        return made
    return _moved(request, f"/assessments/{version_id}/summary", "withdrawn")


# Approvers ----------------------------------------------------------------------------------------


@router.get("/approvals")
def approvals(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Submitted assessments awaiting the approver's decision."""
    queue = review.approval_queue(session=session, actor=actor)
    return render(
        request, "assessments/approvals.html", {"title": "Awaiting your decision", "queue": queue}
    )


@router.get(BASE + "/review")
def review_page(request: Request, version_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """The whole version, what changed since the last approved one and since it was returned,
    and then the decision."""
    return _summary_page(request, session, actor, version_id, template="assessments/review.html")


@router.post(BASE + "/return")
def return_version(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Return the version to its authors with a reason."""
    make = partial(workflow.return_version, session=session, actor=actor, version_id=version_id)
    return _sent_back(request, session, actor, version_id, form, make, "")


@router.post(BASE + "/require-full")
def require_full(
    request: Request, version_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Send a screened-out version back for the full assessment, with a reason."""
    make = partial(workflow.require_full, session=session, actor=actor, version_id=version_id)
    return _sent_back(request, session, actor, version_id, form, make, "full-")


def _sent_back(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    version_id: int,
    form: FormData,
    make: Callable[..., object],
    fields: str,
) -> Response:
    """Send the version back (`make`), or show the review again with what was wrong, by the
    fields of its form (their ids begin with `fields`)."""
    said = _said(form, fields)
    try:
        make(
            reason=said["reason"],
            minute=said["minute"],
            meeting_date=_meeting(said),
            expected_revision=_revision(form),
        )
    except ValidationFailed as exc:
        errors = {f"{fields}{field}": text for field, text in exc.errors.items()}
        values = {
            f"{fields}reason": said["reason"],
            f"{fields}minute": said["minute"],
            **day_parts(form, f"{fields}meeting_date"),
        }
        review_page = "assessments/review.html"
        return _summary_page(
            request, session, actor, version_id, errors, template=review_page, values=values
        )
    return _moved(request, "/approvals", "returned")
