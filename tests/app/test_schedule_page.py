"""The policy schedule itself: reviews marked overdue or coming up by today's date, soonest
first; its filters and their CSV; only what the viewer may see; the CSV's columns."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.kernel.clock import today
from assessments.models import (
    Policy,
    School,
)
from assessments.people import accounts
from assessments.policies.schedule import SCHEDULE_COLUMNS
from tests.app.pages import (
    Element,
    error_for,
    error_summary,
    page,
)
from tests.app.schedule_pages import (
    csv_of,
    day,
    do_import,
    elm,
    oak,
    schedule_csv,
    schedule_page,
    schedule_rows,
    shown_day,
    uploaded,
)
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import make_policy

__all__ = ["elm", "oak"]  # the fixtures


# The schedule ------------------------------------------------------------------------------
@pytest.fixture
def spread(session: Session, oak: School, elm: School) -> dict[str, Policy]:
    """Policies whose reviews fall before, around and long after today."""
    made = [
        make_policy(session, reference="P-LATE", title="Late review"),
        make_policy(session, reference="P-SOON", title="Soon review", school_id=oak.id),
        make_policy(session, reference="P-EDGE", title="Edge review", school_id=elm.id),
        make_policy(session, reference="P-TODAY", title="Review today", owner="Business manager"),
        make_policy(session, reference="P-FAR", title="Distant review", school_id=oak.id),
        make_policy(session, reference="P-NONE", title="Never reviewed"),
    ]
    dates = [day(-1), day(89), day(90), day(0), day(400), None]
    for policy, when in zip(made, dates, strict=True):
        policy.next_review_date = when
        session.add(policy)
    session.commit()
    return {policy.reference: policy for policy in made}


def review_column(doc: Element) -> dict[str, str]:
    """Each listed policy's reference and its review column ("No policy matches." is none)."""
    rows = schedule_rows(doc)
    if rows == [["No policy matches."]]:
        return {}
    return {row[0].split(":")[0]: row[5] for row in rows}


@pytest.mark.usefixtures("spread")
def test_reviews_are_marked_overdue_or_coming_up_by_today_soonest_first(
    client: TestClient,
) -> None:
    doc = schedule_page(client)

    assert review_column(doc) == {
        "P-LATE": f"{shown_day(day(-1))} Overdue",
        "P-TODAY": f"{shown_day(day(0))} Coming up",
        "P-SOON": f"{shown_day(day(89))} Coming up",
        "P-EDGE": shown_day(day(90)),
        "P-FAR": shown_day(day(400)),
        "P-NONE": "–",
    }
    assert list(review_column(doc)) == ["P-LATE", "P-TODAY", "P-SOON", "P-EDGE", "P-FAR", "P-NONE"]
    assert doc.find("strong", cls="govuk-tag--red").text == "Overdue"


@pytest.mark.usefixtures("spread")
@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("?due=overdue", ["P-LATE"]),
        ("?due=coming-up", ["P-LATE", "P-TODAY", "P-SOON"]),
        ("?school={oak}", ["P-SOON", "P-FAR"]),
        ("?school={oak}&due=coming-up", ["P-SOON"]),
        ("?q=review", ["P-LATE", "P-TODAY", "P-SOON", "P-EDGE", "P-FAR", "P-NONE"]),
        ("?q=p-far", ["P-FAR"]),
        ("?q=business", ["P-TODAY"]),
        ("?q=%25", []),
        ("?q=_", []),
        ("?school=&due=&q=", ["P-LATE", "P-TODAY", "P-SOON", "P-EDGE", "P-FAR", "P-NONE"]),
    ],
)
def test_the_schedule_is_filtered_and_its_csv_follows_the_filter(
    client: TestClient, oak: School, query: str, listed: list[str]
) -> None:
    query = query.format(oak=oak.id)

    doc = schedule_page(client, query)
    exported = client.get(f"/schedule.csv{query}")

    assert list(review_column(doc)) == listed
    assert exported.status_code == 200
    assert [row[0] for row in csv_of(exported)[1:]] == listed
    download = doc.find("a", href=f"/schedule.csv?{query.removeprefix('?')}")
    assert download.text == "Download as CSV"


@pytest.mark.usefixtures("spread")
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?due=soon", "due", "Choose overdue, or overdue and coming up"),
        ("?school=oak", "school", "Choose a school from the list"),
    ],
)
def test_a_filter_that_is_not_valid_is_shown_by_its_field_and_refused_by_the_csv(
    client: TestClient, query: str, field: str, message: str
) -> None:
    doc = schedule_page(client, query, status=422)
    exported = client.get(f"/schedule.csv{query}")

    assert error_for(doc, field) == message
    assert error_summary(doc) == [(message, f"#{field}")]
    assert len(schedule_rows(doc)) == 6  # the rest of the filter still applies
    assert exported.status_code == 422
    assert message in page(exported).text


def test_a_school_author_sees_their_school_and_the_trust_wide_policies_only(
    client: TestClient, session: Session, settings: Settings, spread: dict[str, Policy]
) -> None:
    oak_id = spread["P-SOON"].school_id
    elm_id = spread["P-EDGE"].school_id
    ann = make_person(session, "Ann Author", Grant(Role.AUTHOR, oak_id))
    sign_in_as(client, session, settings, ann)

    everything = schedule_page(client)
    asked_for_elm = schedule_page(client, f"?school={elm_id}")
    exported = csv_of(client.get("/schedule.csv"))

    assert list(review_column(everything)) == ["P-LATE", "P-TODAY", "P-SOON", "P-FAR", "P-NONE"]
    assert schedule_rows(asked_for_elm) == [["No policy matches."]]
    assert [row[0] for row in exported[1:]] == ["P-LATE", "P-TODAY", "P-SOON", "P-FAR", "P-NONE"]
    assert "Edge review" not in everything.text


def test_another_trust_sees_none_of_the_schedule(
    client: TestClient, session: Session, settings: Settings, spread: dict[str, Policy]
) -> None:
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other.id is not None
    sign_in_as(
        client,
        session,
        settings,
        make_person(session, "Otto Other", Grant(Role.ADMIN), trust_id=other.id),
    )

    doc = schedule_page(client, f"?school={spread['P-SOON'].school_id}")
    exported = csv_of(client.get("/schedule.csv"))

    assert schedule_rows(doc) == [["No policy matches."]]
    assert exported == [list(SCHEDULE_COLUMNS)]


def test_the_csv_has_the_documented_columns_and_neutralises_formulas(
    client: TestClient, session: Session, oak: School
) -> None:
    url = uploaded(
        client,
        schedule_csv(
            f'HR-01,"=HYPERLINK(""http://evil.example"")",people-and-hr,12,Oak Primary,'
            f"+44 Head,{day(10).isoformat()}",
            "HR-02,@SUM(A1:A2) policy,other,24,,-1 Deputy,",
        ),
    )
    assert do_import(client, url).status_code == 303

    response = client.get("/schedule.csv")

    assert response.status_code == 200
    assert f"policy-schedule-{today().isoformat()}.csv" in response.headers["content-disposition"]
    header, first, second = csv_of(response)
    assert header == list(SCHEDULE_COLUMNS)
    assert dict(zip(header, first, strict=True)) == {
        "reference": "HR-01",
        "title": '\'=HYPERLINK("http://evil.example")',
        "category": "people-and-hr",
        "school": "Oak Primary",
        "owner": "'+44 Head",
        "approving_body": "",
        "review_cycle_months": "12",
        "next_review_date": day(10).isoformat(),
        "statutory": "false",
        "review": "coming-up",
        "last_approved_at": "",
        "last_approved_by": "",
        "assessment": "",
    }
    review = SCHEDULE_COLUMNS.index("review")
    assert (second[1], second[4], second[review]) == ("'@SUM(A1:A2) policy", "'-1 Deputy", "")


def test_a_retired_policy_has_no_review_overdue(client: TestClient, session: Session) -> None:
    retired = make_policy(session, reference="OLD-1", title="Retired policy", status="retired")
    retired.next_review_date = day(-30)
    session.add(retired)
    session.commit()

    everything = review_column(schedule_page(client))
    overdue = review_column(schedule_page(client, "?due=overdue"))

    assert "Overdue" not in everything["OLD-1"]
    assert overdue == {}
