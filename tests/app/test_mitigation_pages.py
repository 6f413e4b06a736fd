"""The summary's mitigation (ratings before and after, actions, justifications) and submitting,
used through the pages as a browser uses them: an action added, changed and removed through its
forms, each error shown next to its field, the forms refused once not a draft and to anyone but
authors, and a draft submitted only once nothing is missing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.forms import DATE_FIELDS
from app.settings import Settings
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import AssessmentVersion
from assessments.workflow import transitions as workflow
from tests.app.decision_moves import approver
from tests.app.pages import error_for, error_summary, field_value, page, post_form, submit
from tests.factories.decisions import (
    ACTION_FORMS,
    FLAGGED,
    FLAGGED_ANSWERS,
    GOOD_ACTION,
    actions_shown,
    add_action,
    change_action,
    filled_draft,
    flagged_draft,
    needs_mitigation,
    open_page,
    question_text,
    url,
    use_form,
    version_forms,
    workflow_text,
)
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC

__all__ = ["approver"]  # the fixture


@pytest.fixture
def draft(session: Session, rubric_published: None) -> AssessmentVersion:
    return flagged_draft(session, reference="DP-001", title="Homework policy")


def test_an_action_added_through_the_form_covers_its_answer_and_lowers_the_rating_after(
    client: TestClient, draft: AssessmentVersion
) -> None:
    before = open_page(client, url(draft))
    rating_after = before.by_id("overall-after").text
    assert rating_after == "After the planned actions: High impact score 68.8 out of 100"
    assert needs_mitigation(before, FLAGGED[0]) and needs_mitigation(before, FLAGGED[1])

    form = open_page(client, url(draft, f"actions/new?question={FLAGGED[0]}"))
    boxes = form.find_all("input", name="question_ids")
    assert [b.attrs["value"] for b in boxes if "checked" in b.attrs] == [FLAGGED[0]]
    response = submit(client, form, url(draft, "actions"), GOOD_ACTION)

    assert response.status_code == 303
    assert response.headers["location"] == url(draft, "summary#actions")
    after = open_page(client, url(draft))
    assert [row[:6] for row in actions_shown(after)] == [
        [
            "Drop the weekly written report",
            question_text(FLAGGED[0]),
            "Deputy Head (no account)",
            "31 Mar 2027",
            "Planned",
            "None",  # the impact left, in the rubric's words
        ]
    ]
    cell = after.by_id(f"mitigation-{FLAGGED[0]}").text
    assert cell.startswith("Drop the weekly written report (planned)")
    assert not needs_mitigation(after, FLAGGED[0]) and needs_mitigation(after, FLAGGED[1])
    assert after.by_id("overall").find_all(cls="app-rating")[0].text == "High impact"
    assert (
        after.by_id("overall-after").text
        == "After the planned actions: Low impact score 18.8 out of 100"
    )


def test_a_saved_justification_stands_in_for_an_action(
    client: TestClient, draft: AssessmentVersion
) -> None:
    summary = open_page(client, url(draft))
    reason = "Already required by the exam board"

    response = submit(
        client, summary, url(draft, f"justifications/{FLAGGED[1]}"), {"justification": reason}
    )

    assert response.status_code == 303
    assert response.headers["location"] == url(draft, "summary#flagged")
    after = open_page(client, url(draft))
    assert f"No action needed: {reason}" in after.by_id(f"mitigation-{FLAGGED[1]}").text
    assert not needs_mitigation(after, FLAGGED[1]) and needs_mitigation(after, FLAGGED[0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"question_ids": None}, "Choose the answer or answers the action deals with"),
        ({"description": "ab"}, "Describe what will be done (3 to 2000 characters)"),
        ({"residual_impact": None}, "Choose the impact you expect once it is done"),
        (
            {"due_date": "2027-02-30"},
            "Enter a real date it is due, with its day, month and year, like 31 3 2027",
        ),
        (
            {"due_date": "30/02/2027"},
            "Enter a real date it is due, with its day, month and year, like 31 3 2027",
        ),
        (
            {"due_date-day": "30", "due_date-month": "2", "due_date-year": "2027"},
            "Enter a real date it is due, with its day, month and year, like 31 3 2027",
        ),
        (
            {"due_date-day": "31", "due_date-month": "March", "due_date-year": "2027"},
            "Enter a real date it is due, with its day, month and year, like 31 3 2027",
        ),
        ({"residual_impact": "9"}, "Choose the impact expected afterwards, from 0 to 4"),
    ],
    ids=[
        "no answer ticked",
        "description too short",
        "no impact",
        "no such date",
        "no such date typed the British way",
        "no such date in its three fields",
        "a month in words",
        "off the scale",
    ],
)
def test_the_action_form_shows_each_error_next_to_its_field_and_keeps_the_input(
    client: TestClient, draft: AssessmentVersion, change: dict[str, str | None], message: str
) -> None:
    form = open_page(client, url(draft, "actions/new"))
    data = {**GOOD_ACTION, "question_ids": FLAGGED[0], **change}
    sent = {name: value for name, value in data.items() if value is not None}

    response = submit(client, form, url(draft, "actions"), sent)

    assert response.status_code == 422
    doc = page(response)
    field = next(iter(change)).removesuffix("-day")
    assert error_for(doc, field) == message
    assert error_summary(doc) == [(message, f"#{field}{'-day' if field in DATE_FIELDS else ''}")]
    for name in ("description", "owner", "question_ids"):
        assert field_value(doc, name) == sent.get(name)
    typed = [field_value(doc, f"due_date-{part}") for part in ("day", "month", "year")]
    if "due_date-day" in change:  # kept as typed, field by field
        assert typed == [change[f"due_date-{part}"] for part in ("day", "month", "year")]
    elif (change.get("due_date") or "").count("-") == 2:  # one field's ISO date, shown in three
        year, month, day = str(change["due_date"]).split("-")
        assert typed == [day.lstrip("0"), month.lstrip("0"), year]
    assert actions_shown(open_page(client, url(draft))) == []


def test_an_action_is_changed_and_removed_through_its_forms(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    action = add_action(session, draft)
    edit_url = url(draft, f"actions/{action.id}")
    form = open_page(client, edit_url)
    assert field_value(form, "description") == "Stop the data drop"

    changed = submit(client, form, edit_url, {"description": "Stop both drops", "status": "done"})

    assert changed.status_code == 303
    summary = open_page(client, url(draft))
    assert [row[:5] for row in actions_shown(summary)] == [
        ["Stop both drops", question_text(FLAGGED[0]), "Head of Year (no account)", "–", "Done"]
    ]
    removed = submit(client, summary, f"{edit_url}/remove")

    assert removed.status_code == 303
    assert removed.headers["location"] == url(draft, "summary#actions")
    after = open_page(client, url(draft))
    assert actions_shown(after) == []
    assert needs_mitigation(after, FLAGGED[0])


def test_a_change_based_on_an_old_revision_is_refused_with_a_message_and_the_input_kept(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    action = add_action(session, draft)
    edit_url = url(draft, f"actions/{action.id}")
    form = open_page(client, edit_url)
    change_action(session, action, description="Their change")  # someone else, meanwhile

    response = submit(client, form, edit_url, {"description": "My change", "owner": "Me too"})

    assert response.status_code in {409, 422}
    doc = page(response)
    assert "Someone else changed this after you opened it" in error_for(doc, "description")
    assert (field_value(doc, "description"), field_value(doc, "owner")) == ("My change", "Me too")
    assert [row[0] for row in actions_shown(open_page(client, url(draft)))] == ["Their change"]


@pytest.mark.parametrize("route", ACTION_FORMS, ids=[f"{m} {p}" for m, p in ACTION_FORMS])
@pytest.mark.parametrize("who", ["author, once withdrawn", "approver", "auditor"])
def test_the_mitigation_forms_are_refused_once_not_a_draft_and_to_anyone_but_authors(
    client: TestClient,
    session: Session,
    settings: Settings,
    draft: AssessmentVersion,
    who: str,
    route: tuple[str, str],
) -> None:
    action = add_action(session, draft)
    if who == "author, once withdrawn":
        workflow.withdraw(
            session=session, actor=AUTHOR, version_id=action.version_id, reason="Not needed"
        )
    else:
        sign_in_as(
            client, session, settings, make_person(session, "Nat Notauthor", Grant(Role(who)))
        )

    assert use_form(client, draft, action.id, route) == (409 if "withdrawn" in who else 403)


def test_someone_who_may_not_change_a_draft_is_not_offered_its_forms(
    client: TestClient, approver: Actor, draft: AssessmentVersion
) -> None:
    summary = open_page(client, url(draft))

    assert version_forms(summary, draft) == []
    assert summary.find_all("a", href=url(draft, "actions/new")) == []


def test_submitting_an_incomplete_draft_lists_each_missing_answer_and_unmitigated_answer(
    client: TestClient, draft: AssessmentVersion
) -> None:
    summary = open_page(client, url(draft))

    response = submit(client, summary, url(draft, "submit"))

    assert response.status_code == 422
    unanswered = [q.id for q in RUBRIC.questions() if q.required and q.id not in FLAGGED_ANSWERS]
    missing = [f"Answer “{question_text(qid)}”" for qid in unanswered]
    unmitigated = "Add a mitigating action for “{}”, or say why none is needed"
    missing += [unmitigated.format(question_text(qid)) for qid in FLAGGED]
    assert [text for text, _ in error_summary(page(response))] == missing
    assert "Version 1: Draft" in workflow_text(client, draft)


def test_each_submission_problem_links_to_somewhere_on_the_page(
    client: TestClient, draft: AssessmentVersion
) -> None:
    doc = page(submit(client, open_page(client, url(draft)), url(draft, "submit")))

    targets = [href for _, href in error_summary(doc)]
    assert targets
    assert all(not href.startswith("#") or doc.has_id(href[1:]) for href in targets)


def test_a_complete_draft_is_submitted_and_can_no_longer_be_changed(
    client: TestClient, session: Session, rubric_published: None
) -> None:
    draft = filled_draft(session, AUTHOR, reference="DP-002")

    response = submit(client, open_page(client, url(draft)), url(draft, "submit"))

    assert response.status_code == 303
    assert response.headers["location"] == url(draft)
    summary = open_page(client, url(draft))
    assert "Version 1: Submitted – sent for approval" in summary.by_id("workflow").text
    assert version_forms(summary, draft) == []
    assert summary.find_all("a", href=url(draft, "actions/new")) == []
    assert len(actions_shown(summary)) == 1
    assert (
        post_form(
            client, url(draft, "actions"), {**GOOD_ACTION, "question_ids": FLAGGED[0]}
        ).status_code
        == 409
    )


def test_the_impact_left_is_chosen_by_its_words_and_a_covered_answer_asks_no_reason(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    form = open_page(client, url(draft, "actions/new"))
    labels = form.find_all("label", cls="govuk-radios__label")
    choices = [lab.text for lab in labels if lab.attrs["for"].startswith("residual_impact")]
    assert choices == ["None", "Low", "Some", "High", "Very high"]
    summary = open_page(client, url(draft))
    assert summary.has_id(f"justification-{FLAGGED[0]}")

    add_action(session, draft, question_ids=[FLAGGED[0]])

    covered = open_page(client, url(draft))
    assert not covered.has_id(f"justification-{FLAGGED[0]}")  # an action deals with it
    assert covered.has_id(f"justification-{FLAGGED[1]}")
