"""What the decision, register and export page tests share: drafts with flagged answers,
actions, a changed second version, the register's versions of each status, and reading the
pages' tables and forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import editing, mitigation, workload
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion, MitigatingAction, School
from assessments.people import accounts
from assessments.policies import catalogue
from assessments.policies.schemas import PolicyCreate
from assessments.workflow import transitions as workflow
from tests.app.pages import Element, page, post_form
from tests.factories.answers import HIGH_QUESTION, HIGH_VALUE, answer, answer_page, low_answer
from tests.factories.people import make_approver, make_person
from tests.factories.trusts import AUTHOR, RUBRIC, make_school
from tests.factories.versions import UNCONSULTED_REASON, fill_in, make_draft, make_version

# Two answers at or above the mitigation threshold, and one below it: rated High impact (68.8).
FLAGGED_ANSWERS = {
    "change-and-offset": "nothing-stopped",
    "holiday-deadlines": "yes",
    "staff-groups-affected": "none",
}
FLAGGED = ("change-and-offset", "holiday-deadlines")
NEEDS = "Needs an action or a justification"


GOOD_ACTION = {
    "description": "Drop the weekly written report",
    "owner": "Deputy Head",
    "due_date": "2027-03-31",
    "status": "planned",
    "residual_impact": "0",
}
ACTION_FORMS = [
    ("GET", "actions/new"),
    ("POST", "actions"),
    ("GET", "actions/{action}"),
    ("POST", "actions/{action}"),
    ("POST", "actions/{action}/remove"),
    ("POST", f"justifications/{FLAGGED[0]}"),
]


def use_form(
    client: TestClient, version: AssessmentVersion, action_id: int | None, route: tuple[str, str]
) -> int:
    """Open one of the mitigation forms, or send it filled in well."""
    method, path = route
    target = url(version, path.format(action=action_id))
    if method == "GET":
        return client.get(target).status_code
    data = {**GOOD_ACTION, "question_ids": FLAGGED[0], "justification": "Nothing to add"}
    return post_form(client, target, data).status_code


def url(version: AssessmentVersion, path: str = "summary") -> str:
    return f"/assessments/{version.id}/{path}"


def question_text(question_id: str) -> str:
    """A question's text as the page shows it (runs of whitespace collapsed)."""
    question = RUBRIC.question(question_id)
    assert question is not None
    return " ".join(question.text.split())


def open_page(client: TestClient, address: str, status: int = 200) -> Element:
    response = client.get(address)
    assert response.status_code == status, response.text[:500]
    return page(response)


def table_rows(table: Element) -> list[list[str]]:
    """The text of each body row's cells."""
    return [
        [cell.text for cell in row.find_all() if cell.tag in {"th", "td"}]
        for row in table.find("tbody").find_all("tr")
    ]


def needs_mitigation(doc: Element, question_id: str) -> bool:
    return NEEDS in doc.by_id(f"mitigation-{question_id}").text


def actions_shown(doc: Element) -> list[list[str]]:
    """The rows of the summary's table of actions (the one with an Owner column)."""
    tables = [t for t in doc.find_all("table") if "Owner" in [h.text for h in t.find_all("th")]]
    return table_rows(tables[0]) if tables else []


def version_forms(doc: Element, version: AssessmentVersion) -> list[str]:
    """Where the page's forms about the version post to."""
    actions = [form.attrs["action"] for form in doc.find_all("form")]
    return [action for action in actions if action.startswith(url(version, ""))]


def workflow_text(client: TestClient, version: AssessmentVersion) -> str:
    return open_page(client, url(version)).by_id("workflow").text


def flagged_draft(session: Session, **policy_fields: Any) -> AssessmentVersion:
    """A draft with FLAGGED_ANSWERS only: two answers need an action or a justification."""
    draft = make_draft(session, **policy_fields)
    for question_id, value in FLAGGED_ANSWERS.items():
        answer(session, draft, question_id, value)
    return draft


def add_action(session: Session, version: AssessmentVersion, **fields: object) -> MitigatingAction:
    data = ActionSave.model_validate(
        {
            "description": "Stop the data drop",
            "question_ids": [FLAGGED[0]],
            "owner": "Head of Year",
            "residual_impact": 1,
            **fields,
        }
    )
    assert version.id is not None
    return mitigation.add_action(session=session, actor=AUTHOR, version_id=version.id, data=data)


def change_action(session: Session, action: MitigatingAction, **fields: object) -> None:
    """Save the action with these fields changed, as someone else might meanwhile."""
    kept = action.model_dump(include=set(ActionSave.model_fields))
    data = ActionSave.model_validate({**kept, **fields})
    mitigation.update_action(
        session=session,
        actor=AUTHOR,
        version_id=action.version_id,
        action_id=action.id or 0,
        data=data,
    )


def filled_draft(session: Session, actor: Actor, **policy_fields: Any) -> AssessmentVersion:
    """Version 1 of a new policy, filled in by `actor` ready to submit."""
    draft = make_draft(session, actor=actor, **policy_fields)
    assert draft.id is not None
    fill_in(session, draft.id, actor)
    return draft


def second_version_changed(
    session: Session, submitted: AssessmentVersion, approver: Actor
) -> AssessmentVersion:
    """`submitted` approved; version 2 with HIGH_QUESTION's answer, the teachers' hours (1.5 →
    3 a term for 12 staff) and one new action changed, submitted."""
    assert submitted.id is not None
    workflow.approve(session=session, actor=approver, version_id=submitted.id)
    second = workflow.revise(session=session, actor=AUTHOR, version_id=submitted.id)
    assert second.id is not None
    answer_page(session, second.id, {HIGH_QUESTION.id: low_answer(HIGH_QUESTION)})
    workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=second.id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal("3"), staff_count=12),
    )
    add_action(session, second, description="Move the deadline into term time")
    workflow.submit(
        session=session, actor=AUTHOR, version_id=second.id, unconsulted_reason=UNCONSULTED_REASON
    )
    return second


def answer_change() -> list[str]:
    """The row for HIGH_QUESTION in the review's changes of `second_version_changed`."""
    question = HIGH_QUESTION
    labels = [question.label_for(HIGH_VALUE), question.label_for(low_answer(question))]
    return [question_text(question.id), *labels]


def changes_shown(client: TestClient, version: AssessmentVersion) -> dict[str, list[list[str]]]:
    """The review page's tables of changes, by caption."""
    review = open_page(client, url(version, "review"))
    assert review.by_id("changes").text == "Changes since version 1 (approved)"
    captioned = [t for t in review.find_all("table") if t.find_all("caption")]
    return {t.find("caption").text: table_rows(t) for t in captioned}


def other_trusts_draft(session: Session, reference: str) -> AssessmentVersion:
    """A draft of a policy of another trust, started by that trust's own author."""
    trust = accounts.create_trust(session=session, name="Another Trust")
    assert trust.id is not None
    outsider = make_person(session, "Otto Other", Grant(Role.AUTHOR), trust_id=trust.id)
    data = PolicyCreate(
        reference=reference,
        title="Another trust's policy",
        category="assessment-and-marking",
        owner="Head",
        review_cycle_months=12,
    )
    policy = catalogue.create_policy(session=session, actor=outsider, data=data)
    assert policy.id is not None
    return editing.start_assessment(
        session=session, actor=outsider, policy_id=policy.id, rubric_id=RUBRIC.id
    )


LONG_AGO = datetime(2020, 1, 15, 10, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Register:
    """Versions of each status, in two schools and trust-wide, for the register's tests."""

    north: School
    south: School
    old: AssessmentVersion  # RG-001, trust-wide: approved on 15 January 2020, review overdue
    approved: AssessmentVersion  # RG-002, North's: approved today
    submitted: AssessmentVersion  # RG-003, South's: submitted by Sol South
    draft: AssessmentVersion  # RG-004, North's: a draft rated High impact
    north_author: Actor


def make_register(session: Session, monkeypatch: pytest.MonkeyPatch) -> Register:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    approver = make_approver(session)
    south_author = make_person(session, "Sol South", Grant(Role.AUTHOR, south.id))
    with monkeypatch.context() as then:  # approved long ago, so its review is overdue now
        then.setattr(workflow, "utcnow", lambda: LONG_AGO)
        old = make_version(
            session, "approved", approver=approver, reference="RG-001", title="Attendance policy"
        )
    return Register(
        north=north,
        south=south,
        old=old,
        approved=make_version(
            session,
            "approved",
            approver=approver,
            reference="RG-002",
            title="Behaviour policy",
            school_id=north.id,
        ),
        submitted=make_version(
            session,
            "submitted",
            actor=south_author,
            reference="RG-003",
            title="Curriculum policy",
            school_id=south.id,
        ),
        draft=flagged_draft(session, reference="RG-004", title="Data policy", school_id=north.id),
        north_author=make_person(session, "Nell North", Grant(Role.AUTHOR, north.id)),
    )
