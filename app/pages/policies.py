"""Policies: the list, creating one, and a policy's page with its assessment."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import ActorDep, FormDep, Id, SessionDep, SettingsDep
from app.flash import confirm
from app.forms import parse_revision, render_form, submit_form
from app.web import redirect, render
from assessments.bodies import keeping as body_keeping
from assessments.drafting import editing
from assessments.kernel.actors import Actor, Role
from assessments.kernel.errors import StaleVersion, ValidationFailed
from assessments.models import Policy, PolicyCategory, PolicyStatus
from assessments.people import directory
from assessments.people.directory import OWNER_MESSAGE
from assessments.policies import catalogue, corrections, trust_schools
from assessments.policies.schemas import PolicyCreate, PolicyUpdate

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
    "approving_body_id": "Select who approves its assessments",
    "statutory": "Say whether the law asks it of the trust",
}


@router.get("/policies")
def policy_list(request: Request, session: SessionDep, actor: ActorDep, q: str = "") -> Response:
    """Every policy, or those a search finds, with where its impact assessment stands."""
    listings = catalogue.list_policies(session=session, actor=actor, text=q)
    context = {"title": "Policies", "listings": listings, "q": q}
    return render(request, "policies/index.html", context, block="results")


def _form_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    values: dict[str, str],
    errors: dict[str, str],
    policy: Policy | None = None,
    status_code: int | None = None,
) -> Response:
    context = {
        "title": "Change the policy's details" if policy else "Add a policy",
        "policy": policy,
        "values": values,
        "schools": trust_schools.schools_for_new_policy(session=session, actor=actor),
        "trust_wide_allowed": actor.holds(Role.AUTHOR, None),
        "categories": list(PolicyCategory),
        "statuses": list(PolicyStatus),
        "people": directory.people_to_name(session=session, actor=actor),
        "bodies": body_keeping.list_bodies(session=session, actor=actor),
        "may_name_bodies": body_keeping.may_name_bodies(actor),
    }
    return render_form(
        request, "policies/new.html", context, errors, block="policy_form", status_code=status_code
    )


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
            "approving_body_id": values["approving_body_id"] or None,
            "statutory": values["statutory"] == "yes",
            "status": status or PolicyStatus.NEW,
        }
    )
    policy = catalogue.create_policy(session=session, actor=actor, data=data)
    return redirect(request, f"/policies/{policy.id}")


@router.get("/policies/{policy_id}/edit")
def edit_policy(request: Request, policy_id: Id, session: SessionDep, actor: ActorDep) -> Response:
    """The form to correct a policy's details."""
    policy = corrections.policy_to_correct(session=session, actor=actor, policy_id=policy_id)
    values = {field: _shown(getattr(policy, field, "")) for field in POLICY_MESSAGES}
    values["statutory"] = "yes" if policy.statutory else ""
    if policy.owner_user_id is not None:
        values["owner"] = ""  # chosen from the people, not typed
    values["revision"] = str(policy.revision)
    return _form_page(request, session, actor, values, {}, policy)


def _shown(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


@router.post("/policies/{policy_id}")
def update_policy(
    request: Request, policy_id: Id, form: FormDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Save the corrected details and go back to the policy's page."""
    values = {field: str(form.get(field, "")) for field in (*POLICY_MESSAGES, "revision")}
    policy = corrections.policy_to_correct(session=session, actor=actor, policy_id=policy_id)
    form_again = partial(_form_page, request, session, actor, values, policy=policy)
    correct = partial(_correct, request, session, actor, policy_id, values)
    return submit_form(correct, form_again, POLICY_MESSAGES)


def _correct(
    request: Request, session: Session, actor: Actor, policy_id: int, values: dict[str, str]
) -> Response:
    data = PolicyUpdate.model_validate(
        {
            **{field: values[field] for field in PolicyUpdate.model_fields if field in values},
            "school_id": values["school_id"] or None,
            "owner_user_id": values["owner_user_id"] or None,
            "approving_body_id": values["approving_body_id"] or None,
            "statutory": values["statutory"] == "yes",
            "expected_revision": parse_revision(values["revision"], "revision"),
        }
    )
    try:
        corrections.update_policy(session=session, actor=actor, policy_id=policy_id, data=data)
    except StaleVersion as exc:  # someone saved it meanwhile: the form now builds on theirs
        current = corrections.policy_to_correct(session=session, actor=actor, policy_id=policy_id)
        values["revision"] = str(current.revision)
        raise ValidationFailed({"title": exc.message}) from exc
    return confirm(request, redirect(request, f"/policies/{policy_id}"), "policy-corrected")


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
