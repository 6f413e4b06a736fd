"""Importing the policy schedule through its pages: a good file previewed and imported (then
listed, audited, and never twice), the same file again changing nothing, and a file with
problems shown by line and column and never imported."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from assessments.kernel import audit
from assessments.models import (
    AuditEvent,
)
from tests.app.pages import (
    banner,
    error_summary,
    page,
    title,
)
from tests.app.schedule_pages import (
    IMPORTED,
    changes,
    counts,
    day,
    do_import,
    good_rows,
    import_buttons,
    nia,
    oak,
    policies,
    preview,
    problems,
    schedule_csv,
    schedule_page,
    schedule_rows,
    shown_day,
    uploaded,
)
from tests.factories.spreadsheets import xlsx
from tests.factories.trusts import make_policy

__all__ = ["nia", "oak"]  # the fixtures


@pytest.mark.usefixtures("nia")
def test_a_good_file_is_previewed_then_imported_and_listed_on_the_schedule(
    client: TestClient, session: Session
) -> None:
    url = uploaded(client, schedule_csv(*good_rows()))

    doc = preview(client, url)
    assert title(doc).startswith("Preview: schedule.csv")
    assert counts(doc) == {"add": 4, "update": 0, "unchanged": 0, "refused": 0}
    assert changes(doc) == [
        ("2", "TL-001", "Marking and feedback", "Added"),
        ("3", "TL-002", "Staff code of conduct", "Added"),
        ("4", "TL-003", "Home learning", "Added"),
        ("5", "TL-004", "Behaviour for learning", "Added"),
    ]
    assert not doc.has_id("refused")
    (button,) = import_buttons(doc)
    assert "4 policies added or changed" in button.text
    assert policies(session) == {}  # a preview writes nothing

    response = do_import(client, url)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/schedule"
    listed = schedule_page(client)
    assert banner(listed) == IMPORTED
    assert schedule_rows(listed) == [
        [
            "TL-001: Marking and feedback Every 12 months",
            "Oak Primary",
            "Nia Owner",
            "–",
            "Not started",
            f"{shown_day(day(-10))} Overdue",
        ],
        [
            "TL-002: Staff code of conduct Every 24 months",
            "Trust-wide",
            "Nia Owner",
            "–",
            "Not started",
            f"{shown_day(day(30))} Coming up",
        ],
        [
            "TL-004: Behaviour for learning Every 12 months",
            "Oak Primary",
            "Head of Year 7",
            "–",
            "Not started",
            shown_day(day(400)),
        ],
        [
            "TL-003: Home learning Every 36 months",
            "Trust-wide",
            "Deputy Head",
            "–",
            "Not started",
            "–",
        ],
    ]
    assert listed.by_id("schedule-count").text.startswith("4 policies.")
    assert banner(schedule_page(client)) is None  # shown once
    found = policies(session)
    assert set(found) == {"TL-001", "TL-002", "TL-003", "TL-004"}
    events = [e.action for e in audit.events_of(session, "policy", found["TL-001"].id or 0)]
    assert events == ["imported"]


def test_an_imported_upload_cannot_be_imported_twice(client: TestClient, session: Session) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,people-and-hr,12,,Head,"))
    assert do_import(client, url).status_code == 303

    again = preview(client, url)
    twice = do_import(client, url)

    assert counts(again) == {"add": 0, "update": 0, "unchanged": 1, "refused": 0}
    assert "It was imported on" in again.by_id("main-content").text
    assert import_buttons(again) == []
    assert twice.status_code == 409
    assert "schedule.csv was imported already" in page(twice).text
    assert list(policies(session)) == ["HR-01"]


@pytest.mark.usefixtures("nia")
def test_the_same_file_again_is_all_unchanged_and_adds_nothing(
    client: TestClient, session: Session
) -> None:
    content = schedule_csv(*good_rows())
    assert do_import(client, uploaded(client, content)).status_code == 303
    before = {ref: (p.id, p.revision) for ref, p in policies(session).items()}

    url = uploaded(client, content)  # a new upload of the same file
    doc = preview(client, url)
    response = do_import(client, url)

    assert counts(doc) == {"add": 0, "update": 0, "unchanged": 4, "refused": 0}
    assert {row[3] for row in changes(doc)} == {"Unchanged"}
    assert "0 policies added or changed" in import_buttons(doc)[0].text
    assert response.status_code == 303
    assert {ref: (p.id, p.revision) for ref, p in policies(session).items()} == before
    assert len(schedule_rows(schedule_page(client))) == 4


def test_a_changed_title_is_an_update_of_the_policy_with_that_reference(
    client: TestClient, session: Session
) -> None:
    existing = make_policy(session, reference="HR-01", title="Staff wellbeing", owner="Head")
    make_policy(session, reference="HR-02", title="Equality objectives", owner="Head")
    url = uploaded(
        client,
        schedule_csv(
            "hr-01,Staff wellbeing and workload,assessment-and-marking,12,,Head,",
            "HR-02,Equality objectives,assessment-and-marking,12,,Head,",
            "HR-03,Remote education,other,12,,Head,",
        ),
    )

    doc = preview(client, url)
    response = do_import(client, url)

    assert counts(doc) == {"add": 1, "update": 1, "unchanged": 1, "refused": 0}
    assert changes(doc) == [
        ("2", "hr-01", "Staff wellbeing and workload", "Updated: title"),
        ("3", "HR-02", "Equality objectives", "Unchanged"),
        ("4", "HR-03", "Remote education", "Added"),
    ]
    assert "2 policies added or changed" in import_buttons(doc)[0].text
    assert response.status_code == 303
    found = policies(session)
    assert set(found) == {"HR-01", "HR-02", "HR-03"}  # updated, not added again
    assert found["HR-01"].id == existing.id
    assert (found["HR-01"].title, found["HR-01"].revision) == ("Staff wellbeing and workload", 2)


def test_an_xlsx_file_is_imported_like_a_csv(client: TestClient, session: Session) -> None:
    content = xlsx(
        [
            [
                "Reference",
                "Title",
                "Category",
                "Review cycle (months)",
                "Owner",
                "Next review date",
            ],
            ["SG-01", "Child protection", "Safeguarding", 12, "Designated lead", day(5)],
        ]
    )

    url = uploaded(client, content, "schedule.xlsx")
    doc = preview(client, url)
    response = do_import(client, url)

    assert counts(doc)["add"] == 1
    assert response.status_code == 303
    (policy,) = policies(session).values()
    assert (policy.reference, policy.title, policy.next_review_date) == (
        "SG-01",
        "Child protection",
        day(5),
    )


def schedule_imports(session: Session) -> list[str]:
    """The audit trail's record of each import, as its canonical JSON."""
    session.expire_all()
    query = select(AuditEvent).where(col(AuditEvent.entity) == "policy_schedule")
    return [event.changes for event in session.exec(query)]


def test_an_import_is_audited_with_its_file_and_counts(
    client: TestClient, session: Session
) -> None:
    make_policy(session, reference="HR-02", title="Equality objectives", owner="Head")
    url = uploaded(
        client,
        schedule_csv(
            "HR-01,Staff wellbeing,people-and-hr,12,,Head,",
            "HR-02,Equality objectives,assessment-and-marking,12,,Head,",
        ),
        "trust schedule.csv",
    )
    assert do_import(client, url).status_code == 303

    (imported,) = schedule_imports(session)
    assert '"file":"trust schedule.csv"' in imported
    assert '"added":1' in imported and '"unchanged":1' in imported


# A file with problems: shown by line and column, never imported ----------------------------
@pytest.mark.usefixtures("oak")
def test_every_problem_is_shown_by_line_and_column_and_nothing_can_be_imported(
    client: TestClient, session: Session
) -> None:
    make_policy(session, reference="KEEP-1", title="Kept as it is", owner="Head")
    url = uploaded(
        client,
        schedule_csv(
            "OK-1,A fine policy,other,12,,Head,",
            "BAD-1,Unknown school,other,12,Elm Academy,Head,",
            "BAD-2,Unknown owner,other,12,,nobody@nowhere.example,",
            "BAD-3,Cycle zero,other,0,,Head,",
            "BAD-4,Cycle in words,other,twelve,,Head,",
            "BAD-5,Cycle too long,other,61,,Head,",
            "BAD-6,Unknown category,gardening,12,,Head,",
            "BAD-7,Bad date,other,12,,Head,31/02/2027",
            "BAD-8,,other,12,,Head,",
            "DUP-1,Twice,other,12,,Head,",
            "dup-1,Twice again,other,12,,Head,",
            "KEEP-1,Kept as it is but changed,other,12,,Head,",
        ),
    )

    doc = preview(client, url)

    assert counts(doc) == {"add": 1, "update": 1, "unchanged": 0, "refused": 10}
    shown = problems(doc)
    assert [(line, ref, column) for line, ref, column, _ in shown] == [
        ("3", "BAD-1", "school"),
        ("4", "BAD-2", "owner"),
        ("5", "BAD-3", "review_cycle_months"),
        ("6", "BAD-4", "review_cycle_months"),
        ("7", "BAD-5", "review_cycle_months"),
        ("8", "BAD-6", "category"),
        ("9", "BAD-7", "next_review_date"),
        ("10", "BAD-8", "title"),
        ("11", "DUP-1", "reference"),
        ("12", "dup-1", "reference"),
    ]
    said = {line: problem for line, _, _, problem in shown}
    assert said["3"] == "No school of the trust is called “Elm Academy”"
    assert said["4"] == "Nobody in the trust has the email address nobody@nowhere.example"
    cycle = "Enter the review cycle as a whole number of months from 1 to 60"
    assert said["5"] == said["6"] == said["7"] == cycle
    assert said["8"].startswith("Use one of the categories: Teaching and learning, ")
    assert said["9"] == "Enter a real date, like 2027-07-31 or 31/07/2027"
    assert said["10"] == "Enter a title of 3 to 200 characters"
    assert said["11"] == "DUP-1 is in the file more than once"
    assert said["12"] == "dup-1 is in the file more than once"
    assert changes(doc) == [
        ("2", "OK-1", "A fine policy", "Added"),
        ("13", "KEEP-1", "Kept as it is but changed", "Updated: title, category"),
    ]
    assert import_buttons(doc) == []

    refused = do_import(client, url)  # posted anyway

    assert refused.status_code == 422
    again = page(refused)
    ((message, href),) = error_summary(again)
    assert message == (
        "10 rows cannot be imported (the first, line 3: No school of the trust is called "
        "“Elm Academy”): nothing was imported"
    )
    assert href == "#problems" and again.has_id("problems")
    assert len(problems(again)) == 10 and import_buttons(again) == []
    found = policies(session)
    assert list(found) == ["KEEP-1"]
    assert (found["KEEP-1"].title, found["KEEP-1"].revision) == ("Kept as it is", 1)
    assert schedule_imports(session) == []


def test_a_file_without_a_required_column_says_which_and_cannot_be_imported(
    client: TestClient, session: Session
) -> None:
    url = uploaded(
        client,
        schedule_csv("HR-01,Staff wellbeing,Head", header="Reference,Title,Owner,Notes"),
    )

    doc = preview(client, url)
    refused = do_import(client, url)

    assert "Its header row has no column category, review_cycle_months." in (
        doc.by_id("missing-columns").text
    )
    assert "Not imported (the service keeps no such detail): notes." in (
        doc.by_id("ignored-columns").text
    )
    assert import_buttons(doc) == []
    assert refused.status_code == 422
    (summary,) = page(refused).find_all(cls="govuk-error-summary")  # the page's own, once
    assert "has no column category, review_cycle_months" in summary.text
    assert policies(session) == {}
    assert schedule_imports(session) == []


def test_a_refused_import_of_a_file_without_a_column_has_one_error_summary(
    client: TestClient,
) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing", header="Reference,Title"))

    refused = do_import(client, url)

    assert refused.status_code == 422
    doc = page(refused)
    assert len(doc.find_all(cls="govuk-error-summary")) == 1
    assert len(doc.find_all(role="alert")) == 1
