"""The home page: each person's own work, what awaits their decision, what is overdue, and the
charts of the approved assessments, each limited to what the person may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.drafting import mitigation, workload
from assessments.drafting.mitigation import ActionSave
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ActionStatus, AssessmentVersion
from assessments.register.dashboard import dashboard
from assessments.workflow import transitions as workflow
from tests.app.pages import Element
from tests.factories.answers import HIGH_QUESTION
from tests.factories.decisions import Register, make_register, open_page, table_rows
from tests.factories.people import make_approver, make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, default_rubric
from tests.factories.versions import fill_in, make_draft, make_version

RETURN_REASON = "Say which staff groups were consulted"
LATE_ACTION = "Agree a marking timetable with the unions"


@dataclass(frozen=True)
class World:
    register: Register
    approver: Actor
    returned: AssessmentVersion  # RG-005, AUTHOR's, returned with RETURN_REASON
    south_approved: AssessmentVersion  # RG-006, South's: an action overdue, support staff save


@pytest.fixture
def world(session: Session, rubric_published: None, monkeypatch: pytest.MonkeyPatch) -> World:
    register = make_register(session, monkeypatch)
    approver = make_approver(session, "Ann Other")
    returned = make_version(session, "submitted", reference="RG-005", title="Homework policy")
    workflow.return_version(
        session=session, actor=approver, version_id=returned.id or 0, reason=RETURN_REASON
    )
    draft = make_draft(
        session, reference="RG-006", title="Marking policy", school_id=register.south.id
    )
    assert draft.id is not None
    fill_in(session, draft.id)
    late = ActionSave(
        description=LATE_ACTION,
        question_ids=[HIGH_QUESTION.id],
        owner="Headteacher",
        due_date=date(2021, 3, 31),
        status=ActionStatus.IN_PROGRESS,
        residual_impact=1,
    )
    mitigation.add_action(session=session, actor=AUTHOR, version_id=draft.id, data=late)
    saving = WorkloadEstimateSave(hours_per_term=Decimal("-2"), staff_count=10)
    workload.save_workload_estimate(
        session=session, actor=AUTHOR, version_id=draft.id, staff_group="support-staff", data=saving
    )
    workflow.submit(session=session, actor=AUTHOR, version_id=draft.id)
    approved = workflow.approve(session=session, actor=approver, version_id=draft.id)
    return World(register, approver, returned, approved)


def home(client: TestClient) -> Element:
    return open_page(client, "/")


def section_rows(doc: Element, heading_id: str) -> list[list[str]]:
    """The rows of the table under a heading (the table names the heading as its label)."""
    tables = [t for t in doc.find_all("table") if t.attrs.get("aria-labelledby") == heading_id]
    return table_rows(tables[0]) if tables else []


def chart(doc: Element, chart_id: str) -> Element:
    return doc.find("figure", **{"aria-labelledby": f"{chart_id}-caption"})


def chart_figures(doc: Element, chart_id: str) -> list[list[str]]:
    return table_rows(chart(doc, chart_id).find("table"))


def band_label(band_id: str) -> str:
    return next(b.label for b in default_rubric().rating_bands if b.id == band_id)


def test_an_author_sees_their_drafts_and_returned_assessments_with_what_to_do_next(
    client: TestClient, world: World
) -> None:
    doc = home(client)

    rows = section_rows(doc, "my-assessments")
    assert [row[:3] for row in rows] == [
        ["RG-004: Data policy", "1", "Draft"],
        ["RG-005: Homework policy", "1", "Returned"],
    ]  # Sol South's submitted RG-003 is not AUTHOR's
    assert RETURN_REASON in rows[1][3]
    link = doc.find("a", href=f"/assessments/{world.returned.id}/summary")
    assert link.text == "RG-005: Homework policy"
    assert not doc.has_id("awaiting")  # AUTHOR approves nowhere


def test_an_approver_sees_what_awaits_their_decision(
    anonymous_client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    sign_in_as(anonymous_client, session, settings, world.approver)

    doc = home(anonymous_client)

    rows = section_rows(doc, "awaiting")
    assert [row[:3] for row in rows] == [["RG-003: Curriculum policy", "1", "Sol South"]]
    review = f"/assessments/{world.register.submitted.id}/review"
    assert doc.find("a", href=review).text == "RG-003: Curriculum policy"
    assert not doc.has_id("my-assessments")  # an approver only: no drafts of their own


def test_overdue_reviews_and_overdue_actions_are_listed_for_everyone_who_sees_them(
    client: TestClient, world: World
) -> None:
    doc = home(client)

    assert section_rows(doc, "overdue-reviews") == [
        ["RG-001: Attendance policy", "Trust-wide", "15 Jan 2021"]
    ]
    assert doc.find("a", href="/register?overdue=yes&sort=review-due")
    assert section_rows(doc, "overdue-actions") == [
        [LATE_ACTION, "RG-006: Marking policy", "Headteacher", "31 Mar 2021", "In progress"]
    ]


def test_the_charts_count_the_approved_assessments_their_hours_and_their_actions(
    client: TestClient, world: World
) -> None:
    approved = [world.register.old, world.register.approved, world.south_approved]
    ratings = Counter(band_label(v.rating or "") for v in approved)

    doc = home(client)

    assert chart_figures(doc, "ratings") == [
        [band.label, str(ratings[band.label])] for band in default_rubric().rating_bands
    ]
    # Teachers: 1.5 hours a term, 12 staff, 3 terms, in each of the three; support staff at
    # RG-006 save 2 hours a term each, 10 of them.
    assert chart_figures(doc, "hours") == [
        ["Teachers", "+162 hours"],
        ["Support staff", "-60 hours"],
    ]
    assert chart_figures(doc, "actions") == [
        ["Planned", "3"],
        ["In progress", "1"],
        ["Done", "0"],
        ["Dropped", "0"],
    ]


def test_a_change_shows_on_the_next_home_page(
    client: TestClient, session: Session, world: World
) -> None:
    before = {status: int(count) for status, count in chart_figures(home(client), "actions")}

    make_version(
        session, "approved", approver=world.approver, reference="RG-007", title="Uniform policy"
    )
    session.commit()

    after = {status: int(count) for status, count in chart_figures(home(client), "actions")}
    assert after["Planned"] == before["Planned"] + 1  # the new version's action


def test_what_is_overdue_follows_the_day(session: Session, world: World) -> None:
    review_due = date(2021, 1, 15)  # RG-001's, approved a year before

    def overdue_on(day: date) -> list[str]:
        board = dashboard(session=session, actor=AUTHOR, today=day)
        return [row.policy_reference for row in board.overdue_reviews]

    assert overdue_on(review_due) == []
    assert overdue_on(review_due + timedelta(days=1)) == ["RG-001"]


def test_a_chart_is_an_image_that_reads_out_its_figures_and_draws_them_to_scale(
    client: TestClient, world: World
) -> None:
    drawing = chart(home(client), "hours").find("svg")

    assert drawing.attrs["role"] == "img"
    assert drawing.attrs["aria-labelledby"] == "hours-title hours-desc"
    assert drawing.find("title").text == "Net workload hours a year, by staff group"
    assert drawing.find("desc").text == "Teachers: +162 hours; Support staff: -60 hours"
    (axis,) = {float(line.attrs["x1"]) for line in drawing.find_all("line")}  # one zero
    teachers, support = (
        (float(bar.attrs["x"]), float(bar.attrs["width"]))
        for bar in drawing.find_all("rect", cls="app-chart__bar")
    )
    assert teachers[0] == axis and support[0] + support[1] == axis  # either side of zero
    assert teachers[1] / support[1] == pytest.approx(162 / 60, rel=0.01)


def test_a_school_author_sees_only_their_school_and_the_trust_wide_records(
    anonymous_client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    sign_in_as(anonymous_client, session, settings, world.register.north_author)

    doc = home(anonymous_client)

    assert section_rows(doc, "my-assessments") == []
    assert "You have no drafts" in doc.find("main").text
    assert section_rows(doc, "overdue-reviews") == [
        ["RG-001: Attendance policy", "Trust-wide", "15 Jan 2021"]
    ]
    assert section_rows(doc, "overdue-actions") == []  # RG-006 is South's
    assert chart_figures(doc, "hours") == [["Teachers", "+108 hours"]]
    assert "Marking policy" not in doc.text and "Curriculum policy" not in doc.text


def test_with_nothing_approved_there_is_nothing_to_chart(
    anonymous_client: TestClient, session: Session, settings: Settings, rubric_published: None
) -> None:
    sign_in_as(
        anonymous_client, session, settings, make_person(session, "Ida", Grant(Role.AUDITOR))
    )

    doc = home(anonymous_client)

    assert doc.find("main").find_all("svg") == []
    assert "There are no approved assessments to chart yet" in doc.text
    assert "No approved assessment is past its review date" in doc.text


def test_someone_not_signed_in_is_sent_to_sign_in(anonymous_client: TestClient) -> None:
    response = anonymous_client.get("/")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
