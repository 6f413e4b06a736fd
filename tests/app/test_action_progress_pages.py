"""An approved version's mitigating action, carried out: its page and its API, who sees them and
who records progress there (and how a refused, stale or forged form is answered), and where
the progress shows afterwards (the summary, the register and its CSV, the home page)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.forms import DATE_FIELDS
from app.settings import Settings
from assessments.drafting import mitigation, queries as version_queries, workload
from assessments.kernel import clock
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ActionStatus, AssessmentVersion, User
from assessments.people import accounts
from assessments.people.directory import OWNER_MESSAGE
from assessments.people.passwords import hash_password
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from tests.app.pages import (
    Element,
    csrf_cookie,
    error_for,
    error_summary,
    field_value,
    form_fields,
    page,
    post_form,
    submit,
)
from tests.factories.answers import (
    THRESHOLD,
    WORKLOAD,
    answer_page,
    high_answer,
    impact,
    low_answer,
)
from tests.factories.decisions import GOOD_ACTION, actions_shown, flagged_draft, open_page
from tests.factories.people import PASSWORD, make_api_token, make_approver, make_person
from tests.factories.sign_in import sign_in, sign_in_as
from tests.factories.trusts import AUTHOR, RUBRIC, make_school
from tests.factories.versions import make_version, view

pytestmark = pytest.mark.usefixtures("rubric_published")
API = "/api/v1/actions"
# Eight answers at their highest impact rate the assessment Medium (25.3); the action, once
# done, takes the first of them to no impact at all, which rates it Low (20.4).
HIGH = [
    question.id
    for question in RUBRIC.questions()
    if question.required and impact(question, high_answer(question)) >= THRESHOLD
][:8]
ACTION = "Stop the weekly written report to parents"
TYPED = {"status": "in-progress", "note": "Started in Year 7", "done_on": "", "evidence_url": ""}
SAVED_MESSAGE = "Progress saved. The register and the home page show it now."


class Carried:
    """An approved North version rated Medium, whose one action (due a month ago, so overdue)
    is owned by Olu, an account of the trust with no role: done, it rates the version Low."""

    def __init__(self, session: Session) -> None:
        self.today = clock.today()  # what the pages date by
        self.due = self.today - timedelta(days=30)
        self.north = make_school(session, "North School")
        self.owner = make_person(session, "Olu Owner")
        self.approver = make_approver(session, "Ama Approver")
        self.auditor = make_person(session, "Aud Auditor", Grant(Role.AUDITOR))
        self.version = make_version(
            session,
            "approved",
            approver=self.approver,
            fill=self._fill,
            reference="CA-001",
            title="Reporting policy",
            school_id=self.north.id,
        )
        assert self.version.id is not None
        self.version_id = self.version.id
        (action,) = view(session, self.version_id).actions
        assert action.id is not None
        self.action_id = action.id
        session.commit()

    def _fill(self, session: Session, version_id: int, actor: Actor) -> None:
        answers = {q.id: low_answer(q) for q in RUBRIC.questions() if q.required}
        high = {qid: high_answer(q) for qid in HIGH if (q := RUBRIC.question(qid))}
        answer_page(session, version_id, {**answers, **high}, actor=actor)
        workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group="teachers",
            data=WORKLOAD,
        )
        action = mitigation.ActionSave(
            description=ACTION,
            question_ids=[HIGH[0]],
            owner_user_id=self.owner.user_id,
            due_date=self.due,
            residual_impact=0,
        )
        mitigation.add_action(session=session, actor=actor, version_id=version_id, data=action)
        for question_id in HIGH[1:]:
            mitigation.save_justification(
                session=session,
                actor=actor,
                version_id=version_id,
                question_id=question_id,
                text="Required by the exam board; nothing we can remove.",
            )

    @property
    def page(self) -> str:
        return f"/actions/{self.action_id}"

    @property
    def form(self) -> str:
        return f"/actions/{self.action_id}/progress"

    def record(self, session: Session, actor: Actor, **fields: object) -> None:
        """Progress recorded meanwhile (by someone else, in another browser)."""
        recording.record_progress(
            session=session,
            actor=actor,
            action_id=self.action_id,
            data=ProgressSave.model_validate({"status": "in-progress", **fields}),
            today=self.today,
        )
        session.commit()

    def done(self, session: Session) -> None:
        self.record(session, self.owner, status="done", done_on=self.today.isoformat())


@pytest.fixture
def carried(session: Session) -> Carried:
    return Carried(session)


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


def banner(doc: Element) -> str | None:
    found = doc.find_all(cls="govuk-notification-banner")
    return found[0].find(cls="govuk-notification-banner__heading").text if found else None


def stored_progress(session: Session, carried: Carried) -> tuple[ActionStatus, str, int]:
    """(status, note, revision) as saved."""
    session.expire_all()
    shown = recording.view_action(session=session, actor=AUTHOR, action_id=carried.action_id)
    assert shown.progress is not None
    return shown.progress.status, shown.progress.note, shown.progress.revision


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


# Where the progress shows -------------------------------------------------------------------


def test_the_summary_links_each_action_to_its_page_and_shows_where_it_stands_now(
    client: TestClient, session: Session, carried: Carried
) -> None:
    summary = f"/assessments/{carried.version_id}/summary"
    doc = open_page(client, summary)
    table = next(t for t in doc.find_all("table") if "Owner" in [h.text for h in t.find_all("th")])
    assert [h.text for h in table.find_all("th")][4] == "Status now"
    assert table.find("a").attrs["href"] == carried.page
    ((description, _, owner, _, status, _),) = actions_shown(doc)
    assert (description, owner, status) == (ACTION, "Olu Owner", "Planned")

    carried.done(session)

    ((_, _, _, _, status, _),) = actions_shown(open_page(client, summary))
    assert status.startswith("Done") and status.endswith(f"{carried.today:%-d %b %Y}")


def register_row(client: TestClient) -> dict[str, str]:
    doc = open_page(client, "/register?q=CA-001")
    table = doc.by_id("results").find("table")
    headers = [th.text for th in table.find("thead").find_all("th")]
    (row,) = table.find("tbody").find_all("tr")
    cells = [cell.text for cell in row.find_all() if cell.tag in {"th", "td"}]
    return dict(zip(headers, cells, strict=True))


def register_csv(client: TestClient) -> dict[str, str]:
    response = client.get("/register.csv?q=CA-001")
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    assert list(row)[-1] == "rating_after_actions_done"
    return row


def test_the_register_and_its_csv_show_the_rating_after_the_actions_done_once_it_is_done(
    client: TestClient, session: Session, carried: Carried
) -> None:
    before = register_row(client)
    assert (before["After planned actions"], before["After actions done"]) == (
        "Low impact",
        "Medium impact",  # nothing done yet: as answered
    )
    assert before["Open actions"] == "1"
    exported = register_csv(client)
    assert (exported["rating"], exported["rating_after_actions_done"]) == ("medium", "medium")

    carried.done(session)

    after = register_row(client)
    assert (after["After actions done"], after["Open actions"]) == ("Low impact", "0")
    exported = register_csv(client)
    assert (exported["rating"], exported["rating_after_actions_done"]) == ("medium", "low")
    assert exported["open_actions"] == "0"


def overdue_actions(doc: Element) -> list[str]:
    tables = [
        t for t in doc.find_all("table") if t.attrs.get("aria-labelledby") == "overdue-actions"
    ]
    if not tables:
        return []
    return [row.find_all("td")[0].text for row in tables[0].find("tbody").find_all("tr")]


def test_the_home_page_stops_listing_an_action_as_overdue_once_it_is_done(
    client: TestClient, session: Session, carried: Carried
) -> None:
    doc = open_page(client, "/")
    assert overdue_actions(doc) == [ACTION]
    assert doc.find("a", href=carried.page).text == ACTION

    carried.done(session)

    assert overdue_actions(open_page(client, "/")) == []


# The owner, who holds no role ----------------------------------------------------------------


def test_the_owner_without_a_role_signs_in_and_records_progress_but_cannot_open_the_assessment(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    user = session.get(User, carried.owner.user_id)
    assert user is not None
    user.password_hash = hash_password(PASSWORD)
    session.add(user)
    session.commit()
    client = anonymous_client

    signed_in = sign_in(client, user.email, PASSWORD)

    assert signed_in.status_code == 303, signed_in.text[:500]
    home = open_page(client, "/")
    assert home.find("h2", id="my-actions").text == "Your mitigating actions"
    assert home.find("a", href=carried.page).text == ACTION
    doc = open_page(client, carried.page)
    # Every link on it opens: none leads to the assessment or the policy, which they may not see.
    links = {a.attrs["href"] for a in doc.find_all("a") if a.attrs["href"].startswith("/")}
    assert {href: client.get(href).status_code for href in links} == dict.fromkeys(links, 200)
    assert "See the whole assessment" not in doc.text
    response = submit(
        client, doc, carried.form, {"status": "done", "done_on": carried.today.isoformat()}
    )
    assert (response.status_code, response.headers["location"]) == (303, carried.page)
    assert banner(open_page(client, carried.page)) == SAVED_MESSAGE
    assert stored_progress(session, carried)[0] is ActionStatus.DONE
    assert not open_page(client, "/").has_id("my-actions")  # done: nothing left for them
    assert client.get(f"/assessments/{carried.version_id}/summary").status_code == 404
    assert client.get(f"/api/v1/assessment-versions/{carried.version_id}").status_code == 404


# The API --------------------------------------------------------------------------------------


def bearer(session: Session, actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_api_token(session, actor)}"}


def put(
    client: TestClient, carried: Carried, headers: dict[str, str], **body: object
) -> httpx2.Response:
    return client.put(f"{API}/{carried.action_id}/progress", json=body, headers=headers)


def test_the_api_reads_an_action_with_where_it_stands_its_progress_and_its_history(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    carried.record(session, carried.owner, note="Timetable drafted")

    response = anonymous_client.get(f"{API}/{carried.action_id}", headers=bearer(session, AUTHOR))

    assert response.status_code == 200
    body = response.json()
    assert body["action"]["description"] == ACTION
    assert body["action"]["owner_user_id"] == carried.owner.user_id
    assert body["action"]["status"] == "planned"  # as approved
    assert body["status"] == "in-progress"  # now
    progress = body["progress"]
    assert (progress["note"], progress["revision"], progress["updated_by"]) == (
        "Timetable drafted",
        2,
        "Olu Owner",
    )
    (entry,) = body["history"]
    assert entry["by"] == "Olu Owner"
    assert ["Status", "planned", "in-progress"] in entry["changes"]


def test_the_api_records_progress_only_on_the_revision_it_read(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    client, owner = anonymous_client, bearer(session, carried.owner)
    body = {"status": "in-progress", "note": "Started"}

    assert put(client, carried, owner, **body).status_code == 428  # no revision named
    stale = put(client, carried, {**owner, "If-Match": '"7"'}, **body)
    assert stale.status_code == 412
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)

    saved = put(client, carried, {**owner, "If-Match": '"1"'}, **body)

    assert saved.status_code == 200
    assert saved.headers["etag"] == '"2"'
    assert (saved.json()["status"], saved.json()["note"], saved.json()["revision"]) == (
        "in-progress",
        "Started",
        2,
    )
    assert put(client, carried, {**owner, "If-Match": '"1"'}, **body).status_code == 412
    by_body = put(client, carried, owner, status="in-progress", note="Halfway", expected_revision=2)
    assert (by_body.status_code, by_body.headers["etag"]) == (200, '"3"')
    assert stored_progress(session, carried) == (ActionStatus.IN_PROGRESS, "Halfway", 3)


def test_the_api_refuses_an_auditor_and_does_not_show_another_trust_the_action(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    other_trust = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other_trust.id is not None
    outsider = make_person(session, "Otto Other", Grant(Role.AUTHOR), trust_id=other_trust.id)
    client, body = anonymous_client, {"status": "in-progress", "expected_revision": 1}

    auditor = bearer(session, carried.auditor)
    assert client.get(f"{API}/{carried.action_id}", headers=auditor).status_code == 200
    assert put(client, carried, auditor, **body).status_code == 403
    others = bearer(session, outsider)
    assert client.get(f"{API}/{carried.action_id}", headers=others).status_code == 404
    assert put(client, carried, others, **body).status_code == 404
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"status": "finished"}, ["body", "status"]),
        ({"status": "done", "evidence_url": "javascript:alert(1)"}, ["body", "evidence_url"]),
        ({"status": "done", "note": "x" * 3000}, ["body", "note"]),
        ({"status": "done"}, ["body", "done_on"]),  # the use-case's rule
        ({"status": "dropped"}, ["body", "note"]),
    ],
)
def test_the_api_names_the_field_it_refuses(
    anonymous_client: TestClient,
    session: Session,
    carried: Carried,
    body: dict[str, object],
    loc: list[str],
) -> None:
    response = put(anonymous_client, carried, bearer(session, AUTHOR), **body, expected_revision=1)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)


# Choosing an action's owner on a draft ----------------------------------------------------------


@pytest.fixture
def draft(session: Session) -> AssessmentVersion:
    draft = flagged_draft(session, reference="OW-001")
    session.commit()
    return draft


def test_the_action_form_offers_the_trusts_people_or_a_name_and_stores_the_person_chosen(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    olu = make_person(session, "Olu Owner")
    session.commit()
    form_page = open_page(client, f"/assessments/{draft.id}/actions/new")
    options = form_page.by_id("owner_user_id").find_all("option")
    people = {o.text: o.attrs["value"] for o in options}
    assert people["No one chosen"] == ""
    assert people["Olu Owner"] == str(olu.user_id) and people[AUTHOR.name] == "1"
    assert form_page.by_id("owner").attrs["type"] == "text"

    chosen = {**GOOD_ACTION, "question_ids": "change-and-offset", "owner": ""}
    response = post_form(
        client, f"/assessments/{draft.id}/actions", {**chosen, "owner_user_id": str(olu.user_id)}
    )

    assert response.status_code == 303
    (action,) = version_queries.actions_of_version(session, draft.id or 0)
    assert (action.owner, action.owner_user_id) == ("Olu Owner", olu.user_id)
    ((_, _, owner, *_),) = actions_shown(open_page(client, f"/assessments/{draft.id}/summary"))
    assert owner == "Olu Owner"  # an account: no "(no account)"
    named = {**chosen, "owner": "Deputy Head", "description": "Cancel one meeting"}
    assert post_form(client, f"/assessments/{draft.id}/actions", named).status_code == 303
    rows = actions_shown(open_page(client, f"/assessments/{draft.id}/summary"))
    assert sorted(row[2] for row in rows) == ["Deputy Head (no account)", "Olu Owner"]


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ({"owner": "Deputy Head", "owner_user_id": "1"}, "not both"),
        ({"owner": "", "owner_user_id": ""}, OWNER_MESSAGE),
    ],
)
def test_an_owner_given_twice_or_not_at_all_is_refused_next_to_the_owner_fields(
    client: TestClient,
    session: Session,
    draft: AssessmentVersion,
    owner: dict[str, str],
    message: str,
) -> None:
    data = {**GOOD_ACTION, "question_ids": "change-and-offset", **owner}

    response = post_form(client, f"/assessments/{draft.id}/actions", data)

    assert response.status_code == 422
    doc = page(response)
    assert message in error_for(doc, "owner")
    assert [href for _, href in error_summary(doc)] == ["#owner"]
    assert doc.by_id("owner").attrs["value"] == owner["owner"]
    chosen = [o for o in doc.by_id("owner_user_id").find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in chosen] == (
        [owner["owner_user_id"]] if owner["owner_user_id"] else []
    )
    assert version_queries.actions_of_version(session, draft.id or 0) == []
