"""The wizard's summary, pages that do not exist, and a version that has left draft."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.models import AssessmentVersion, VersionStatus
from tests.app.pages import Element, page, post_form, submit, title
from tests.factories.answers import answer
from tests.factories.trusts import RUBRIC
from tests.factories.wizard import (
    SECTIONS,
    STEP_COUNT,
    TEXT_QUESTION,
    autosave,
    base_url,
    estimate_rows,
    open_section,
    progress,
    save_estimate,
    saved_answers,
    section_url,
    workload_url,
)

# The summary --------------------------------------------------------------------------------


def table_rows(table: Element) -> list[list[str]]:
    return [
        [cell.text for cell in row.find_all() if cell.tag in {"th", "td"}]
        for row in table.find("tbody").find_all("tr")
    ]


def test_summary_shows_scores_rating_and_the_answers_needing_mitigation(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    # weight 2 x impact 4, weight 1 x impact 0 (about the change); weight 1 x impact 3 (flexible)
    answer(session, draft, "change-and-offset", "nothing-stopped")
    answer(session, draft, "staff-groups-affected", "none")
    answer(session, draft, "holiday-deadlines", "yes")

    response = client.get(f"{base_url(draft)}/summary")

    assert response.status_code == 200
    doc = page(response)
    assert title(doc) == "Summary: Homework policy – Workload Impact Register"
    overall = doc.by_id("overall")
    assert overall.find_all(cls="app-rating")[0].text == "High impact"
    assert doc.by_id("overall-score").text == "Score 68.8 out of 100"
    scores = {row[0]: row[1:] for row in table_rows(doc.by_id("section-scores"))}
    assert scores["About the change"] == ["2 of 8", "66.7", "High impact"]
    flexible = RUBRIC.section("flexible-working")
    assert flexible is not None
    assert scores[flexible.title] == [f"1 of {len(flexible.questions)}", "75.0", "Very high impact"]
    assert scores[SECTIONS[-1].title] == [
        f"0 of {len(SECTIONS[-1].questions)}",
        "–",
        "Not yet rated",
    ]
    flagged_table = doc.find_all("table")[1]
    change = RUBRIC.question("change-and-offset")
    holiday = RUBRIC.question("holiday-deadlines")
    assert change is not None and holiday is not None
    assert [row[:3] for row in table_rows(flagged_table)] == [
        [" ".join(change.text.split()), change.label_for("nothing-stopped"), "4"],
        [" ".join(holiday.text.split()), "Yes", "3"],
    ]
    for question in (change, holiday):  # neither mitigated yet
        mitigation = doc.by_id(f"mitigation-{question.id}").text
        assert mitigation.startswith("Needs an action or a justification")
    link = flagged_table.find(
        "a", href=f"{base_url(draft)}/sections/about-the-change#question-change-and-offset"
    )
    assert link.text == change.text
    required = sum(1 for q in RUBRIC.questions() if q.required)
    missing = doc.by_id("missing").find_all("li")
    assert len(missing) == required - 3
    assert f"{required - 3} required questions still to answer" in doc.find("main").text


def test_summary_shows_net_hours_per_staff_group_per_year(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    save_estimate(session, draft, "teachers", "2.5", 10)
    save_estimate(session, draft, "support-staff", "-1", 4)

    doc = page(client.get(f"{base_url(draft)}/summary"))

    assert table_rows(doc.by_id("workload")) == [
        ["Teachers", "2.5", "10", "7.5", "75.0"],
        ["Support staff", "-1", "4", "-3.0", "-12.0"],
        ["All staff groups", "63.0"],
    ]


def test_summary_of_an_assessment_with_nothing_answered(
    client: TestClient, draft: AssessmentVersion
) -> None:
    doc = page(client.get(f"{base_url(draft)}/summary"))

    assert doc.by_id("overall").find_all(cls="app-rating")[0].text == "Not yet rated"
    assert doc.by_id("overall-after").find(cls="app-rating").text == "Not yet rated"
    assert not doc.find_all(id="overall-score")
    assert "No answer so far is at or above the mitigation threshold" in doc.find("main").text
    assert doc.by_id("workload").find("a", href=workload_url(draft))
    heading, current, _ = progress(doc)
    assert heading == f"Step {STEP_COUNT} of {STEP_COUNT}"
    assert current == [f"{base_url(draft)}/summary"]


# What does not exist -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/assessments/999999"),
        ("GET", "/assessments/999999/sections/about-the-change"),
        ("GET", "/assessments/999999/workload"),
        ("GET", "/assessments/999999/summary"),
        ("POST", "/assessments/999999/sections/about-the-change"),
        ("POST", "/assessments/999999/answers/change-and-offset"),
        ("POST", "/assessments/999999/workload"),
        ("GET", "{draft}/sections/no-such-section"),
        ("POST", "{draft}/sections/no-such-section"),
        ("POST", "{draft}/answers/no-such-question"),
    ],
)
def test_an_unknown_version_section_or_question_is_page_not_found(
    client: TestClient, session: Session, draft: AssessmentVersion, method: str, path: str
) -> None:
    url = path.format(draft=base_url(draft))
    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, {"answer-no-such-question": "x"})

    assert response.status_code == 404
    doc = page(response)
    assert doc.find("h1").text == "Page not found"
    assert saved_answers(session, draft) == {}


# A version that has left draft ---------------------------------------------------------------


@pytest.fixture
def submitted(session: Session, draft: AssessmentVersion) -> AssessmentVersion:
    """A version sent for approval (set directly: submitting is not built yet)."""
    answer(session, draft, TEXT_QUESTION.id, "As submitted")
    draft.status = VersionStatus.SUBMITTED
    session.add(draft)
    session.flush()
    return draft


def test_a_submitted_version_cannot_be_changed(
    client: TestClient, session: Session, submitted: AssessmentVersion
) -> None:
    doc = open_section(client, submitted, SECTIONS[0])
    attempts: Mapping[str, httpx2.Response] = {
        "section": submit(
            client,
            doc,
            section_url(submitted, SECTIONS[0]),
            {f"answer-{TEXT_QUESTION.id}": "Changed after submission"},
        ),
        "autosave": autosave(client, doc, submitted, TEXT_QUESTION, "Changed after submission"),
        "workload": post_form(
            client, workload_url(submitted), {"hours-teachers": "1", "staff-teachers": "1"}
        ),
    }

    for name, response in attempts.items():
        assert response.status_code == 409, name
        assert "Version 1 is submitted and can no longer be changed" in response.text, name
    # The refused autosave replaces the whole page, not the one question it was sent from.
    assert attempts["autosave"].headers["HX-Retarget"] == "body"
    # ...all of it, not the part the question block selects from its own responses.
    assert attempts["autosave"].headers["HX-Reselect"] == ".app-page"
    assert "HX-Retarget" not in attempts["section"].headers
    assert saved_answers(session, submitted) == {TEXT_QUESTION.id: "As submitted"}
    assert estimate_rows(session, submitted) == {}


def test_a_submitted_version_can_still_be_read(
    client: TestClient, session: Session, submitted: AssessmentVersion
) -> None:
    assert client.get(f"{base_url(submitted)}/summary").status_code == 200
    policy = version_queries.policy_of_version(session, submitted)
    row = page(client.get(f"/policies/{policy.id}")).find("tbody").find("tr")
    assert "Submitted" in row.text
    assert not row.find_all("a", href=base_url(submitted))  # no "Continue"
    assert row.find_all("a", href=f"{base_url(submitted)}/summary")


def test_a_submitted_version_reads_as_read_only(
    client: TestClient, submitted: AssessmentVersion
) -> None:
    for url in (section_url(submitted, SECTIONS[0]), workload_url(submitted)):
        doc = page(client.get(url))
        assert "it can be read but no longer changed" in doc.by_id("read-only").text, url
        form = doc.by_id("main-content").find("form", method="post")
        outer = next(
            child
            for child in form.children
            if isinstance(child, Element) and child.tag == "fieldset"
        )
        assert "disabled" in outer.attrs, url  # every field inside is disabled with it
        assert not doc.by_id("main-content").find_all("button"), url  # no "Save and continue"
        assert "hx-post" not in client.get(url).text, url
