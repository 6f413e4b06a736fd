"""The Audit page and the exports speak of the signed-in person's trust only: its chain, its
signed head, its problems; and a row that cannot be read is shown as broken, never a 500."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.forms import DATE_FIELDS
from app.settings import Settings
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.register.audit_trail import CSV_COLUMNS, ID_WITHOUT_KIND, REVERSED_RANGE
from assessments.register.csv_cells import original_text
from tests.app.pages import Element, page
from tests.factories.audit import events_after, sql
from tests.factories.decisions import LONG_AGO, open_page, other_trusts_draft
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_school
from tests.factories.versions import make_draft


@pytest.fixture
def auditor(
    client: TestClient, session: Session, settings: Settings, rubric_published: None
) -> None:
    make_draft(session, reference="AP-001")
    make_draft(session, reference="AP-002")
    sign_in_as(client, session, settings, make_person(session, "Aud Auditor", Grant(Role.AUDITOR)))


def test_an_unreadable_event_shows_the_page_broken_at_it_not_a_500(
    client: TestClient, session: Session, auditor: None
) -> None:
    sql(session, "UPDATE audit_event SET changes = 'null}' WHERE chain = 1 AND seq = 2")

    doc = open_page(client, "/audit")

    verdict = doc.by_id("verdict")
    assert verdict.find("h2").text == "The audit trail has been tampered with"
    assert "Event 2: unreadable: its changes are not valid JSON" in verdict.text


def test_another_trusts_activity_and_tampering_leave_this_trusts_page_and_exports(
    client: TestClient, session: Session, auditor: None
) -> None:
    before = client.get("/register.csv").headers["x-audit-chain-head"]
    events = audit.verify(session, chain=LOCAL_TRUST_ID).events

    theirs = other_trusts_draft(session, "OT-001")
    sql(session, "UPDATE audit_event SET actor_name = 'Forger' WHERE chain = :c", c=theirs.trust_id)

    doc = open_page(client, "/audit")
    assert doc.by_id("verdict").find("h2").text == "Intact"
    assert f"All {events} events check out" in doc.by_id("verdict").text
    assert doc.by_id("head-hash").text == before
    assert client.get("/register.csv").headers["x-audit-chain-head"] == before
    assert before.startswith(f"wia-audit-v1:trust-{LOCAL_TRUST_ID}:{events}:")


# Browsing the trail: filters, pages, the export, and who may.


def _event_rows(doc: Element) -> list[Element]:
    return [row for row in doc.by_id("results").find("tbody").find_all("tr") if row.id]


def _seqs(doc: Element) -> list[int]:
    return [int((row.id or "").removeprefix("event-")) for row in _event_rows(doc)]


def _cells(doc: Element, column: int) -> list[str]:
    return [row.find_all("td")[column].text for row in _event_rows(doc)]


def _count(session: Session, where: str = "1 = 1", **params: object) -> int:
    query = f"SELECT count(*) FROM audit_event WHERE chain = {LOCAL_TRUST_ID} AND {where}"
    return int(sql(session, query, **params).scalar_one())


def _total(doc: Element) -> int:
    return int(doc.by_id("events-total").text.split()[0])


def _record(session: Session, actor: Actor, count: int = 1, **details: object) -> None:
    """Events of the actor's, appended to the trust's chain as every use-case appends them."""
    for number in range(count):
        audit.record(
            session, actor, entity="policy", entity_id=number + 1, action="noted", details=details
        )


def _field_error(doc: Element, field: str) -> str:
    """The error message shown next to a filter's field."""
    group = next(
        g for g in doc.find_all(cls="govuk-form-group") if any(e.id == field for e in g.iter())
    )
    return group.find(cls="govuk-error-message").text


def test_the_page_lists_the_trusts_events_newest_first_with_who_what_and_links(
    client: TestClient, session: Session, auditor: None
) -> None:
    doc = open_page(client, "/audit")

    seqs = _seqs(doc)
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == _count(session)
    assert _total(doc) == _count(session)
    newest = _event_rows(doc)[0].find_all("td")
    (version_id,) = sql(session, "SELECT max(id) FROM assessment_version").one()
    assert [newest[1].text, newest[3].text] == ["Alex Author", "Started"]
    assert newest[2].find("a").attrs["href"] == f"/assessments/{version_id}/summary"
    assert newest[0].find("span").text == f"Event {seqs[0]}" and " UTC" in newest[0].text
    assert "number: 1" in newest[4].text
    policy_rows = [r for r in _event_rows(doc) if r.find_all("td")[2].text.startswith("Policy ")]
    (policy_id,) = sql(session, "SELECT max(id) FROM policy").one()
    assert policy_rows[0].find("a").attrs["href"] == f"/policies/{policy_id}"
    assert "title: none → Marking and feedback policy" in policy_rows[0].find_all("td")[4].text
    assert doc.find("a", href="/audit.csv?").text == "Download these events as CSV"


def test_each_filter_narrows_the_events(
    client: TestClient, session: Session, auditor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as then:
        then.setattr(audit, "utcnow", lambda: LONG_AGO)
        old = make_draft(session, reference="AP-OLD")
    pat = make_person(session, "Pat Person", Grant(Role.AUTHOR))
    _record(session, pat, 3, note="by Pat")

    started = open_page(client, "/audit?kind=started")
    assert started.by_id("kind").find("option", selected="").attrs["value"] == "started"
    assert started.find("a", href="/audit.csv?kind=started")  # the same events as a file
    assert set(_cells(started, 3)) == {"Started"}
    assert _total(started) == _count(session, "action = 'started'") == 3

    by_pat = open_page(client, f"/audit?person={pat.user_id}")
    assert set(_cells(by_pat, 1)) == {"Pat Person"} and _total(by_pat) == 3
    by_the_command_line = open_page(client, "/audit?person=name%3Acommand+line")
    assert set(_cells(by_the_command_line, 1)) == {"command line (no account)"}
    assert _total(by_the_command_line) == _count(session, "actor_user_id IS NULL")

    policies = open_page(client, "/audit?entity=policy")
    assert all(cell.startswith("Policy ") for cell in _cells(policies, 2))
    assert _total(policies) == _count(session, "entity = 'policy'")
    one_version = open_page(client, f"/audit?entity=assessment_version&record={old.id}")
    assert _cells(one_version, 2) == [f"Assessment version {old.id}"]

    that_day = open_page(client, "/audit?from=2020-01-15&to=15/01/2020")
    assert all(cell.startswith("15 Jan 2020 10:30 UTC") for cell in _cells(that_day, 0))
    assert _total(that_day) == 2  # the old policy created, its assessment started
    assert _total(open_page(client, "/audit?to=2020-01-14")) == 0
    after = open_page(client, "/audit?from=2020-01-16")
    assert _total(after) == _count(session) - 2

    both = open_page(client, f"/audit?person={pat.user_id}&kind=started")
    assert _total(both) == 0

    choices = open_page(client, "/audit")
    people = [o.text for o in choices.by_id("person").find_all("option")]
    assert {"Anyone", "Alex Author", "Pat Person", "command line (no account)"} <= set(people)
    kinds = [o.attrs["value"] for o in choices.by_id("kind").find_all("option")]
    assert {"started", "created", "noted"} <= set(kinds) and kinds[0] == ""
    entities = [o.attrs["value"] for o in choices.by_id("entity").find_all("option")]
    assert {"assessment_version", "policy"} <= set(entities)


def test_the_events_come_in_pages_of_fifty(
    client: TestClient, session: Session, auditor: None
) -> None:
    pat = make_person(session, "Pat Pager", Grant(Role.AUTHOR))
    _record(session, pat, 55)

    first = open_page(client, f"/audit?person={pat.user_id}")
    assert len(_seqs(first)) == 50 and _total(first) == 55
    pages = first.find("nav", cls="govuk-pagination")
    assert "Page 1 of 2" in pages.text
    following = pages.find("a", rel="next").attrs["href"]
    assert following == f"/audit?person={pat.user_id}&page=2"

    second = open_page(client, following)
    assert len(_seqs(second)) == 5
    assert min(_seqs(first)) > max(_seqs(second))
    assert second.find("nav", cls="govuk-pagination").find("a", rel="prev")
    assert _seqs(open_page(client, f"/audit?person={pat.user_id}&page=9")) == _seqs(second)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-05-02&to=2026-05-01", "to", REVERSED_RANGE),
        ("from=2026-02-30", "from", "like 31/03/2027"),
        ("to=31/13/2026", "to", "like 31/03/2027"),
        ("record=12", "record", ID_WITHOUT_KIND),
        ("entity=policy&record=x", "record", "whole number"),
        ("person=nobody", "person", "Choose a person from the list"),
    ],
)
def test_a_filter_that_means_nothing_is_an_error_next_to_its_field(
    client: TestClient, auditor: None, query: str, field: str, message: str
) -> None:
    doc = open_page(client, f"/audit?{query}", status=422)

    assert message in _field_error(doc, field)
    summary = doc.find(cls="govuk-error-summary__list")
    href = f"#{field}-day" if field in DATE_FIELDS else f"#{field}"
    assert summary.find("a").attrs["href"] == href and message in summary.text
    assert doc.by_id("verdict").find("h2").text == "Intact"
    assert client.get(f"/audit.csv?{query}").status_code == 422  # no file of it either


def test_another_trusts_events_never_appear(
    client: TestClient, session: Session, auditor: None
) -> None:
    theirs = other_trusts_draft(session, "OT-001")
    (outsider,) = sql(session, "SELECT id FROM user_account WHERE name = 'Otto Other'").one()

    doc = open_page(client, "/audit")
    assert _total(doc) == _count(session)
    assert "Otto Other" not in doc.by_id("results").text
    assert "Otto Other" not in doc.by_id("person").text
    assert _total(open_page(client, f"/audit?person={outsider}")) == 0
    version = open_page(client, f"/audit?entity=assessment_version&record={theirs.id}")
    assert _total(version) == 0
    assert "Otto Other" not in client.get("/audit.csv").text


@pytest.mark.parametrize(
    "grant",
    [
        Grant(Role.AUTHOR, None),
        Grant(Role.APPROVER, None),
        "author at a school",
        "approver at a school",
        "auditor at a school",
    ],
)
def test_only_trust_wide_auditors_and_admins_read_the_trail(
    client: TestClient, session: Session, settings: Settings, auditor: None, grant: object
) -> None:
    if isinstance(grant, str):
        role = Role(grant.split()[0])
        school = make_school(session)
        grant = Grant(role, school.id)
    assert isinstance(grant, Grant)
    sign_in_as(client, session, settings, make_person(session, "Sam Someone", grant))

    assert client.get("/audit").status_code == 403
    assert client.get("/audit.csv").status_code == 403
    assert client.get("/audit", headers={"HX-Request": "true"}).status_code == 403
    assert not open_page(client, "/").find_all("a", href="/audit")  # not in their menu


def test_the_menu_offers_the_audit_page_to_auditors_and_admins(
    client: TestClient, session: Session, settings: Settings, auditor: None
) -> None:
    assert open_page(client, "/").find("a", href="/audit").text == "Audit"
    sign_in_as(client, session, settings, make_person(session, "Adi Admin", Grant(Role.ADMIN)))
    assert open_page(client, "/").find("a", href="/audit").text == "Audit"


def test_no_one_signed_in_is_sent_to_sign_in(anonymous_client: TestClient) -> None:
    for address in ("/audit", "/audit.csv"):
        response = anonymous_client.get(address)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")


def _csv_rows(response: httpx2.Response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200, response.text[:300]
    text = response.text
    assert text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return header, rows


def test_the_export_is_an_attachment_of_the_filtered_events_with_safe_cells(
    client: TestClient, session: Session, auditor: None
) -> None:
    cmd = make_person(session, "=cmd", Grant(Role.AUTHOR))
    make_draft(session, actor=cmd, reference="AP-003", title='=HYPERLINK("x"),-2+3')
    stored = {event.seq: event.changes for event in events_after(session, 0)}

    response = client.get(f"/audit.csv?kind=started&person={cmd.user_id}")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="audit-') and disposition.endswith('.csv"')
    header, rows = _csv_rows(response)
    assert header == list(CSV_COLUMNS)
    (row,) = rows
    seq, when, actor, entity, entity_id, action, details, hash_ = row
    assert (actor, entity, action) == ("'=cmd", "assessment_version", "started")
    assert entity_id.isdigit()
    assert datetime.fromisoformat(when).utcoffset() == timedelta(0)
    assert details == stored[int(seq)] and len(hash_) == 64

    everything = _csv_rows(client.get("/audit.csv"))[1]
    assert [int(r[0]) for r in everything] == sorted(stored, reverse=True)
    created = next(r for r in everything if r[5] == "created" and "HYPERLINK" in r[6])
    assert original_text(created[6]) == stored[int(created[0])]
    assert ',"=HYPERLINK' not in created[6] and ",'\"=HYPERLINK" in created[6]
    policies = _csv_rows(client.get("/audit.csv?entity=policy"))[1]
    assert {r[3] for r in policies} == {"policy"}
    assert len(policies) == _count(session, "entity = 'policy'")


def test_details_are_escaped_and_long_values_truncated_with_the_full_text_at_hand(
    client: TestClient, session: Session, auditor: None
) -> None:
    long_note = "A very long explanation. " * 12
    _record(session, AUTHOR, note=long_note.strip(), title="<script>alert('x')</script>")

    response = client.get("/audit?kind=noted")

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    cell = _event_rows(page(response))[0].find_all("td")[4]
    more = cell.find("details")
    assert more.find("summary").text.endswith("…") and len(more.find("summary").text) == 80
    assert more.find(cls="govuk-details__text").text == long_note.strip()


def test_an_htmx_request_gets_the_results_alone(
    client: TestClient, session: Session, auditor: None
) -> None:
    response = client.get("/audit?kind=started", headers={"HX-Request": "true"})

    assert response.status_code == 200 and response.headers["vary"] == "HX-Request"
    doc = page(response)
    assert not doc.has_id("verdict") and _total(doc) == 2
    errors = client.get("/audit?from=2026-05-02&to=2026-05-01", headers={"HX-Request": "true"})
    assert errors.status_code == 422
    assert REVERSED_RANGE in page(errors).by_id("results").find(cls="govuk-error-summary").text
