"""An approved version's mitigating action, carried out, on its page: who sees it and who
records progress there, and how a refused, stale or forged form is answered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.forms import DATE_FIELDS
from app.settings import Settings
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ActionStatus
from assessments.people import accounts
from tests.app.carried_action import (
    ACTION,
    HIGH,
    SAVED_MESSAGE,
    Carried,
    carried,
    stored_progress,
)
from tests.app.pages import (
    Element,
    banner,
    csrf_cookie,
    error_for,
    error_summary,
    field_value,
    form_fields,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC, make_school

__all__ = ["carried"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")
TYPED = {"status": "in-progress", "note": "Started in Year 7", "done_on": "", "evidence_url": ""}


def as_person(client: TestClient, session: Session, settings: Settings, actor: Actor) -> None:
    client.cookies.clear()
    sign_in_as(client, session, settings, actor)


def summary_rows(doc: Element, list_id: str) -> dict[str, str]:
    """A GOV.UK summary list's rows, key → value, as shown."""
    rows = doc.by_id(list_id).find_all(cls="govuk-summary-list__row")
    return {
        row.find(cls="govuk-summary-list__key").text: row.find(cls="govuk-summary-list__value").text
        for row in rows
    }


def history(doc: Element) -> list[list[str]]:
    """Each entry of the action's history, top to bottom: who, then each change."""
    entries = doc.find("ol", cls="app-history").find_all("li", cls="govuk-!-margin-bottom-4")
    return [
        [
            entry.find("p").text.split(", ", 1)[1],
            *(li.text for li in entry.find("ul").find_all("li")),
        ]
        for entry in entries
    ]


# The action's page --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "school author", "trust-wide author"])
def test_the_action_page_shows_the_commitment_where_it_stands_and_the_form_to_who_may_update(
    client: TestClient, session: Session, settings: Settings, carried: Carried, who: str
) -> None:
    if who != "trust-wide author":
        author = make_person(session, "Nadia North", Grant(Role.AUTHOR, carried.north.id))
        as_person(client, session, settings, carried.owner if who == "owner" else author)

    doc = open_page(client, carried.page)

    assert doc.by_id("action-description").text == ACTION
    question = RUBRIC.question(HIGH[0])
    assert question is not None
    assert summary_rows(doc, "commitment") == {
        "For the answers to": " ".join(question.text.split()),
        "Owner": "Olu Owner",  # an account: not marked "(no account)"
        "Due": f"{carried.due:%-d %B %Y}",
        "Impact expected once done": "None",
        "Status when approved": "Planned",
    }
    assert "Where it stands: Planned" in doc.find("main").text
    assert summary_rows(doc, "progress")["Status"] == "Planned"
    form = doc.by_id("progress-form")
    assert form.attrs["action"] == carried.form
    assert form_fields(form)["status"] == "planned" and form_fields(form)["revision"] == "1"
    assert "No progress has been recorded since the assessment was approved" in doc.text
    whole = doc.find_all("a", href=f"/assessments/{carried.version_id}/summary#actions")
    # The owner holds no role at the school: no link to the assessment, which they may not see.
    assert [a.text for a in whole] == ([] if who == "owner" else ["See the whole assessment"])


def test_an_approver_or_an_auditor_reads_the_action_but_is_offered_no_form_and_is_refused(
    client: TestClient, session: Session, settings: Settings, carried: Carried
) -> None:
    for reader in (carried.approver, carried.auditor):
        as_person(client, session, settings, reader)

        doc = open_page(client, carried.page)

        assert doc.by_id("action-description").text == ACTION
        assert summary_rows(doc, "progress")["Status"] == "Planned"
        assert not doc.has_id("progress-form") and "Save progress" not in doc.text
        forged = post_form(client, carried.form, {**TYPED, "revision": "1"})
        assert forged.status_code == 403
        assert "Only the action's owner or the policy's authors" in page(forged).text
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)


def test_nobody_outside_the_schools_people_learns_the_action_exists(
    client: TestClient, session: Session, settings: Settings, carried: Carried
) -> None:
    south = make_school(session, "South School")
    other_trust = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other_trust.id is not None
    outsiders = [
        make_person(session, "Sol South", Grant(Role.AUTHOR, south.id)),
        make_person(session, "Nobody Atall"),  # in the trust, owns nothing, holds no role
        make_person(session, "Otto Other", Grant(Role.AUTHOR), trust_id=other_trust.id),
    ]
    for outsider in outsiders:
        as_person(client, session, settings, outsider)

        assert client.get(carried.page).status_code == 404
        assert post_form(client, carried.form, {**TYPED, "revision": "1"}).status_code == 404
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)


# Recording progress with the form -----------------------------------------------------------


def test_a_form_sent_without_javascript_goes_back_to_the_page_which_confirms_it_once(
    client: TestClient, session: Session, carried: Carried
) -> None:
    doc = open_page(client, carried.page)

    response = submit(client, doc, carried.form, {"status": "in-progress", "note": "Drafted"})

    assert (response.status_code, response.headers["location"]) == (303, carried.page)
    shown = open_page(client, response.headers["location"])
    assert banner(shown) == SAVED_MESSAGE
    assert summary_rows(shown, "progress")["Status"] == "In progress"
    assert summary_rows(shown, "progress")["Progress note"] == "Drafted"
    assert "Where it stands: In progress" in shown.find("main").text
    assert field_value(shown, "revision") == "2"  # the form now builds on what was saved
    again = open_page(client, carried.page)
    assert banner(again) is None
    assert banner(open_page(client, "/")) is None  # nor on any other page


def test_the_history_lists_each_change_newest_first_with_who_made_it(
    client: TestClient, session: Session, carried: Carried
) -> None:
    carried.record(session, carried.owner, note="Timetable drafted")
    doc = open_page(client, carried.page)
    today = carried.today.isoformat()
    submit(client, doc, carried.form, {"status": "done", "done_on": today})

    entries = history(open_page(client, carried.page))

    assert entries == [
        [
            AUTHOR.name,
            "Status: In progress → Done",
            f"Date done: none → {carried.today:%-d %B %Y}",
        ],
        ["Olu Owner", "Status: Planned → In progress", "Progress note: none → Timetable drafted"],
    ]
    assert summary_rows(open_page(client, carried.page), "progress")["Last updated"].startswith(
        AUTHOR.name
    )


REFUSED = {
    "done without a date": ({"status": "done"}, "done_on", "Enter the date it was done"),
    "dropped without a reason": (
        {"status": "dropped", "note": ""},
        "note",
        "Say why it was dropped",
    ),
    "a date in the future": (
        {"status": "done", "done_on": "{tomorrow}"},
        "done_on",
        "The date done cannot be in the future",
    ),
    "a javascript: link": (
        {"evidence_url": "javascript:alert(document.cookie)"},
        "evidence_url",
        "Enter a web address starting https://, or leave it empty",
    ),
    "a data: link": (
        {"evidence_url": "data:text/html,<script>alert(1)</script>"},
        "evidence_url",
        "Enter a web address starting https://, or leave it empty",
    ),
    "a 3000-character note": (
        {"note": "Long " * 600},
        "note",
        "Keep the note to 2000 characters",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_form_says_what_is_wrong_next_to_its_field_keeps_the_input_and_saves_nothing(
    client: TestClient, session: Session, carried: Carried, case: str
) -> None:
    changes, field, message = REFUSED[case]
    tomorrow = (carried.today + timedelta(days=1)).isoformat()
    typed = {**TYPED, **{k: v.format(tomorrow=tomorrow) for k, v in changes.items()}}

    response = submit(client, open_page(client, carried.page), carried.form, typed)

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, field) == message
    assert error_summary(doc) == [(message, f"#{field}{'-day' if field in DATE_FIELDS else ''}")]
    assert doc.has_id(field)  # the summary's link goes to the field
    fields = form_fields(doc.by_id("progress-form"))
    kept = {name: value for name, value in typed.items() if name != "done_on"}
    assert {name: fields[name] for name in kept} == kept  # as typed, even when refused
    parts = [fields[f"done_on-{part}"] for part in ("year", "month", "day")]  # its 3 fields
    shown = date(*map(int, parts)).isoformat() if any(parts) else ""
    assert shown == typed["done_on"]
    assert banner(doc) is None and doc.find("main").find_all("script") == []
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)
    assert "No progress has been recorded" in doc.text


def test_a_form_based_on_an_older_reading_shows_the_saved_progress_and_keeps_what_was_typed(
    client: TestClient, session: Session, carried: Carried
) -> None:
    stale = open_page(client, carried.page)  # revision 1
    carried.record(session, carried.owner, note="Olu's own update")

    response = submit(client, stale, carried.form, {"status": "in-progress", "note": "Mine"})

    assert response.status_code == 409
    doc = page(response)
    assert "Someone else changed this after you opened it" in error_for(doc, "status")
    assert summary_rows(doc, "progress")["Progress note"] == "Olu's own update"
    assert history(doc)[0][0] == "Olu Owner"
    assert field_value(doc, "note") == "Mine" and field_value(doc, "status") == "in-progress"
    assert field_value(doc, "revision") == "2"
    assert stored_progress(session, carried) == (ActionStatus.IN_PROGRESS, "Olu's own update", 2)
    # Sent again, having seen theirs, it is saved.
    assert submit(client, doc, carried.form).status_code == 303
    assert stored_progress(session, carried) == (ActionStatus.IN_PROGRESS, "Mine", 3)


MARKUP_NOTE = '<script>alert("note")</script><b>bold</b>'
MARKUP_URL = 'https://evidence.example/minutes?x="><img src=x onerror=alert(1)>'


def test_markup_in_the_note_and_the_evidence_shows_as_text_and_the_link_stays_a_web_address(
    client: TestClient, session: Session, carried: Carried
) -> None:
    doc = open_page(client, carried.page)
    changes = {"status": "in-progress", "note": MARKUP_NOTE, "evidence_url": MARKUP_URL}
    assert submit(client, doc, carried.form, changes).status_code == 303

    response = client.get(carried.page)

    main = page(response).find("main")
    assert main.find_all("script") == [] and main.find_all("img") == []
    assert main.find_all("b") == []
    assert "<script>alert" not in response.text and "<img src=x" not in response.text
    progress = summary_rows(main, "progress")
    assert progress["Progress note"] == MARKUP_NOTE
    (link,) = main.by_id("progress").find_all("a")
    assert link.attrs["href"] == MARKUP_URL and link.text == MARKUP_URL
    (entry,) = history(main)
    assert f"Progress note: none → {MARKUP_NOTE}" in entry
    assert f"Evidence: none → {MARKUP_URL}" in entry
    links = [a.attrs.get("href", "") for a in main.find_all("a")]
    assert all(href.startswith(("/", "#", "https://", "http://")) for href in links), links


def test_a_form_without_this_browsers_token_is_refused(
    client: TestClient, session: Session, carried: Carried
) -> None:
    csrf_cookie(client)  # the browser has its token, but the forged form does not carry it
    with TestClient(client.app, base_url="https://testserver") as other_browser:
        someone_elses = csrf_cookie(other_browser)

    for token in (None, someone_elses):
        data = {**TYPED, "revision": "1", **({"csrf_token": token} if token else {})}
        response = client.post(carried.form, data=data)

        assert response.status_code == 403
        assert "This form has expired or did not come from this service" in page(response).text
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)
