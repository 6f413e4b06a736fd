"""The wizard's workload estimate page: hours and staff per group, its errors and conflicts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.models import AssessmentVersion
from tests.app.pages import Element, error_for, error_summary, field_value, page, submit, title
from tests.factories.trusts import RUBRIC
from tests.factories.wizard import (
    SECTIONS,
    STALE,
    STEP_COUNT,
    base_url,
    estimate_rows,
    open_workload,
    progress,
    save_estimate,
    section_url,
    workload_url,
)

# The workload estimate ---------------------------------------------------------------------


def test_workload_page_asks_about_every_staff_group(
    client: TestClient, draft: AssessmentVersion
) -> None:
    doc = open_workload(client, draft)

    assert title(doc) == f"{RUBRIC.workload.title} – Workload Impact Register"
    legends = [legend.text for legend in doc.find_all("legend")]
    assert legends == [group.label for group in RUBRIC.staff_groups]
    for group in RUBRIC.staff_groups:
        assert doc.by_id(f"group-hint-{group.id}").text == " ".join(group.description.split())
        for part in ("hours", "staff", "note"):
            assert doc.find("label", **{"for": f"{part}-{group.id}"}).text
    heading, current, _ = progress(doc)
    assert heading == f"Step {STEP_COUNT - 1} of {STEP_COUNT}"
    assert current == [workload_url(draft)]
    back = doc.find(cls="govuk-button-group").find("a")
    assert back.attrs["href"] == section_url(draft, SECTIONS[-1])
    assert back.text == f"Back to {SECTIONS[-1].title}"


def test_saving_the_workload_goes_to_the_summary_and_is_shown_on_return(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    changes = {
        "hours-teachers": "2.5",
        "staff-teachers": "10",
        "note-teachers": "Weekly marking log",
        "hours-support-staff": "-1",
        "staff-support-staff": "4",
    }

    response = submit(client, open_workload(client, draft), workload_url(draft), changes)

    assert response.status_code == 303
    assert response.headers["location"] == f"{base_url(draft)}/summary"
    assert estimate_rows(session, draft) == {
        "teachers": (Decimal("2.5"), 10),
        "support-staff": (Decimal(-1), 4),
    }
    again = open_workload(client, draft)
    assert field_value(again, "hours-teachers") == "2.5"
    assert field_value(again, "staff-teachers") == "10"
    assert field_value(again, "note-teachers") == "Weekly marking log"
    assert field_value(again, "hours-support-staff") == "-1"  # as typed, not -1.0
    assert field_value(again, "hours-teaching-assistants") == ""


def test_emptying_a_staff_groups_row_clears_its_estimate(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2", 10)
    save_estimate(session, draft, "teaching-assistants", "1", 6)
    doc = open_workload(client, draft)

    changes = {"hours-teaching-assistants": "", "staff-teaching-assistants": ""}
    response = submit(client, doc, workload_url(draft), changes)

    assert response.status_code == 303
    assert estimate_rows(session, draft) == {"teachers": (Decimal(2), 10)}


def hours_problem(group: str) -> str:
    return (
        f"Enter the hours added or removed per person for {group}, a number with up "
        "to 2 decimal places (a minus sign for hours removed)"
    )


TOO_MANY = (
    "That comes to 600 hours a term each: enter at most 500 a term (or the same a week or a year)"
)


def staff_problem(group: str) -> str:
    return f"Enter the number of {group} affected, a whole number from 0 to 10000"


def form_group_of(doc: Element, field_id: str) -> Element:
    """The innermost GOV.UK form group around a field."""
    groups = [g for g in doc.find_all(cls="govuk-form-group") if g.find_all(id=field_id)]
    return next(g for g in groups if not any(g2 in groups for g2 in g.find_all()))


def assert_field_in_error(doc: Element, field_id: str, message: str) -> None:
    """The GOV.UK pattern: the message above that field, in that field's form group only."""
    group = form_group_of(doc, field_id)
    assert "govuk-form-group--error" in group.classes
    assert [element.id for element in group.find_all("input")] == [field_id]  # this field's own
    assert error_for(doc, field_id) == message
    order = [element.id for element in group.iter() if element.id]
    assert order.index(f"{field_id}-error") < order.index(field_id)  # message above the input
    field = doc.by_id(field_id)
    assert "govuk-input--error" in field.classes
    assert f"{field_id}-error" in field.attrs["aria-describedby"].split()


def assert_field_not_in_error(doc: Element, field_id: str) -> None:
    assert "govuk-form-group--error" not in form_group_of(doc, field_id).classes
    assert "govuk-input--error" not in doc.by_id(field_id).classes
    assert not doc.has_id(f"{field_id}-error")
    assert f"{field_id}-error" not in doc.by_id(field_id).attrs.get("aria-describedby", "")


@pytest.mark.parametrize(
    ("hours", "staff", "wrong", "problem"),
    [
        ("two", "10", "hours", hours_problem("teachers")),
        ("600", "10", "hours", TOO_MANY),
        ("1.234", "10", "hours", hours_problem("teachers")),
        ("", "10", "hours", hours_problem("teachers")),
        ("2", "-1", "staff", staff_problem("teachers")),
        ("2", "many", "staff", staff_problem("teachers")),
        ("2", "1.5", "staff", staff_problem("teachers")),
        ("2", "", "staff", staff_problem("teachers")),
    ],
    ids=[
        *("hours-word", "hours-600", "hours-3dp", "hours-empty"),
        *("staff-minus", "staff-word", "staff-fraction", "staff-empty"),
    ],
)
def test_an_invalid_workload_number_is_shown_next_to_that_field_and_kept(
    client: TestClient,
    session: Session,
    draft: AssessmentVersion,
    hours: str,
    staff: str,
    wrong: str,
    problem: str,
) -> None:
    changes = {
        "hours-teachers": hours,
        "staff-teachers": staff,
        "hours-support-staff": "1",
        "staff-support-staff": "3",
    }

    response = submit(client, open_workload(client, draft), workload_url(draft), changes)

    assert response.status_code == 422
    doc = page(response)
    assert title(doc).startswith(f"Error: {RUBRIC.workload.title}")
    assert_field_in_error(doc, f"{wrong}-teachers", problem)
    assert error_summary(doc) == [(problem, f"#{wrong}-teachers")]
    right = {"hours": "staff", "staff": "hours"}[wrong]
    for field_id in (f"{right}-teachers", "note-teachers", "hours-support-staff"):
        assert_field_not_in_error(doc, field_id)
    assert field_value(doc, "hours-teachers") == hours
    assert field_value(doc, "staff-teachers") == staff
    assert field_value(doc, "hours-support-staff") == "1"
    assert estimate_rows(session, draft) == {"support-staff": (Decimal(1), 3)}


def test_workload_errors_name_their_staff_group_and_link_to_each_field_in_page_order(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    changes = {
        "hours-support-staff": "1",
        "staff-support-staff": "lots",
        "hours-teachers": "lots",
        "staff-teachers": "-3",
        "hours-early-career-teachers": "2",
        "staff-early-career-teachers": "4",
        "note-early-career-teachers": "x" * 2001,
    }

    response = submit(client, open_workload(client, draft), workload_url(draft), changes)

    assert response.status_code == 422
    doc = page(response)
    note = "The note about early-career teachers must be 2000 characters or fewer"
    expected = [
        (hours_problem("teachers"), "#hours-teachers"),
        (staff_problem("teachers"), "#staff-teachers"),
        (note, "#note-early-career-teachers"),
        (staff_problem("support staff"), "#staff-support-staff"),
    ]
    assert error_summary(doc) == expected
    for message, href in expected:
        assert_field_in_error(doc, href.removeprefix("#"), message)
    for field_id in ("hours-early-career-teachers", "hours-support-staff"):
        assert_field_not_in_error(doc, field_id)
    assert field_value(doc, "note-early-career-teachers") == "x" * 2001
    assert field_value(doc, "staff-support-staff") == "lots"
    assert estimate_rows(session, draft) == {}


def test_a_workload_row_changed_by_someone_else_meanwhile_is_not_overwritten(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2", 10)
    doc = open_workload(client, draft)
    save_estimate(session, draft, "teachers", "3", 12)  # someone else, after the page opened

    response = submit(client, doc, workload_url(draft), {"hours-teachers": "1"})

    assert response.status_code == 422
    page_ = page(response)
    message = error_for(page_, "hours-teachers")  # shown on the group's hours field
    assert STALE in message
    assert_field_in_error(page_, "hours-teachers", message)
    assert_field_not_in_error(page_, "staff-teachers")
    assert error_summary(page_) == [(message, "#hours-teachers")]
    assert field_value(page_, "hours-teachers") == "1"
    assert estimate_rows(session, draft) == {"teachers": (Decimal(3), 12)}


def test_emptying_a_row_someone_else_changed_meanwhile_keeps_their_estimate(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2", 10)
    doc = open_workload(client, draft)
    save_estimate(session, draft, "teachers", "3", 12)  # someone else, after the page opened

    response = submit(
        client, doc, workload_url(draft), {"hours-teachers": "", "staff-teachers": ""}
    )

    assert response.status_code == 422
    page_ = page(response)
    assert STALE in error_for(page_, "hours-teachers")
    assert [href for _, href in error_summary(page_)] == ["#hours-teachers"]
    assert estimate_rows(session, draft) == {"teachers": (Decimal(3), 12)}


@pytest.mark.parametrize(
    ("hours", "per", "per_term"),
    [
        ("2", "week", Decimal(26)),  # 39 teaching weeks, 3 terms
        ("246", "year", Decimal(82)),
        ("1,200", "year", Decimal(400)),  # thousands written with a comma
        ("\u22123", "term", Decimal(-3)),  # a real minus sign
        ("1.5", "week", Decimal("19.5")),
    ],
)
def test_hours_are_entered_per_week_term_or_year_as_people_count_them(
    client: TestClient,
    session: Session,
    draft: AssessmentVersion,
    hours: str,
    per: str,
    per_term: Decimal,
) -> None:
    doc = open_workload(client, draft)

    changes = {"hours-teachers": hours, "per-teachers": per, "staff-teachers": "10"}
    response = submit(client, doc, workload_url(draft), changes)

    assert response.status_code == 303
    assert estimate_rows(session, draft) == {"teachers": (per_term, 10)}
