"""Policies: the list, creating one, and a policy's page with its assessment."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep, SettingsDep
from app.forms import render_form, submit_form
from app.web import redirect, render
from assessments.drafting import editing
from assessments.kernel.actors import Actor, Role
from assessments.models import PolicyCategory, PolicyStatus
from assessments.people import directory
from assessments.people.directory import OWNER_MESSAGE
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate

router = APIRouter()

POLICY_MESSAGES = {
    "reference": "Enter a reference of 2 to 40 letters, numbers, dots, dashes or slashes, "
    "like TL-004",
    "title": "Enter the policy's title (3 to 200 characters)",
    "category": "Select the policy's category",
    "owner": OWNER_MESSAGE,
    "owner_user_id": "Choose one of the trust's people",
    "school_id": "Select a school, or trust-wide",
    "review_cycle_months": "Enter the review cycle as a whole number of months from 1 to 60",
    "status": "Select whether the policy is new or being reviewed",
}


@router.get("/policies")
def policy_list(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Every policy, with where its impact assessment stands."""
    listings = catalogue.list_policies(session=session, actor=actor)
    return render(request, "policies/index.html", {"title": "Policies", "listings": listings})


def _form_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    context = {
        "title": "Add a policy",
        "values": values,
        "schools": trust_schools.schools_for_new_policy(session=session, actor=actor),
        "trust_wide_allowed": actor.holds(Role.AUTHOR, None),
        "categories": list(PolicyCategory),
        "statuses": list(PolicyStatus),
        "people": directory.people_to_name(session=session, actor=actor),
    }
    return render_form(request, "policies/new.html", context, errors, block="policy_form")


@router.get("/policies/new")
def new_policy(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The form for a policy that is to be assessed."""
    return _form_page(request, session, actor, {"status": PolicyStatus.NEW.value}, {})


@router.post("/policies")
def create_policy(
    request: Request, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Create the policy and go to its page."""
    values = {field: str(form.get(field, "")) for field in POLICY_MESSAGES}
    form_again = partial(_form_page, request, session, actor, values)
    return submit_form(
        lambda: _create(request, session, actor, values), form_again, POLICY_MESSAGES
    )


def _create(request: Request, session: Session, actor: Actor, values: dict[str, str]) -> Response:
    school_id, status = values["school_id"], values["status"]
    data = PolicyCreate.model_validate(
        {
            **values,
            "school_id": school_id or None,
            "owner_user_id": values["owner_user_id"] or None,
            "status": status or PolicyStatus.NEW,
        }
    )
    policy = catalogue.create_policy(session=session, actor=actor, data=data)
    return redirect(request, f"/policies/{policy.id}")


@router.get("/policies/{policy_id}")
def show_policy(
    request: Request, policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    """A policy, its details and its assessment versions."""
    view = catalogue.view_policy(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    return render(request, "policies/show.html", {"title": view.policy.title, "view": view})


@router.post("/policies/{policy_id}/assessment")
def start_assessment(
    request: Request, policy_id: Id, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> Response:
    """Start the policy's impact assessment and open its first section."""
    version = editing.start_assessment(
        session=session, actor=actor, policy_id=policy_id, rubric_id=settings.default_rubric
    )
    return redirect(request, f"/assessments/{version.id}")
