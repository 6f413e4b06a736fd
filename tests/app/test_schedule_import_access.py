"""Who may import the policy schedule (trust-wide authors and admins; nobody else, and never
another trust's upload), the form's columns and template, and what a file says shown only as
text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.settings import Settings
from assessments.kernel.actors import Grant, Role
from assessments.models import (
    Policy,
    School,
)
from assessments.people import accounts
from assessments.policies.schedule_rows import COLUMNS
from tests.app.pages import (
    page,
    title,
)
from tests.app.schedule_pages import (
    changes,
    counts,
    csv_of,
    do_import,
    oak,
    policies,
    preview,
    schedule_csv,
    schedule_page,
    schedule_rows,
    upload,
    upload_count,
    uploaded,
)
from tests.factories.people import make_person
from tests.factories.sign_in import sign_in_as

__all__ = ["oak"]  # the fixtures


# Who may import ----------------------------------------------------------------------------
KEEPERS_ONLY = "Importing the policy schedule is for trust-wide authors and admins"


@pytest.mark.parametrize(
    ("role", "at_school"),
    [
        (Role.AUTHOR, True),
        (Role.ADMIN, True),
        (Role.APPROVER, False),
        (Role.AUDITOR, False),
    ],
    ids=["author at a school", "admin at a school", "trust-wide approver", "trust-wide auditor"],
)
def test_someone_who_does_not_keep_the_schedule_is_refused_every_import_page(
    client: TestClient,
    session: Session,
    settings: Settings,
    oak: School,
    role: Role,
    at_school: bool,
) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))  # as AUTHOR
    before = upload_count(session)
    someone = make_person(session, "Sam Someone", Grant(role, oak.id if at_school else None))
    sign_in_as(client, session, settings, someone)

    refused = [
        client.get("/schedule/import"),
        upload(client, schedule_csv("HR-02,Equality objectives,other,12,,Head,")),
        client.get(url),
        do_import(client, url),
        client.get("/schedule/template.csv"),
    ]

    assert [response.status_code for response in refused] == [403] * 5
    assert KEEPERS_ONLY in page(refused[0]).text
    assert upload_count(session) == before
    assert policies(session) == {}
    listed = schedule_page(client)  # the schedule they may see, without the import link
    assert not listed.find_all("a", href="/schedule/import")


@pytest.mark.parametrize(
    "grants",
    [(Grant(Role.ADMIN),), (Grant(Role.AUTHOR),)],
    ids=["trust-wide admin", "trust-wide author"],
)
def test_a_trust_wide_author_or_admin_may_import(
    client: TestClient, session: Session, settings: Settings, grants: tuple[Grant, ...]
) -> None:
    sign_in_as(client, session, settings, make_person(session, "Kim Keeper", *grants))

    assert client.get("/schedule/import").status_code == 200
    assert schedule_page(client).find_all("a", href="/schedule/import")
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))
    assert do_import(client, url).status_code == 303
    assert list(policies(session)) == ["HR-01"]


def test_a_visitor_is_sent_to_sign_in(anonymous_client: TestClient) -> None:
    for url in ("/schedule", "/schedule/import", "/schedule.csv", "/schedule/template.csv"):
        response = anonymous_client.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/sign-in"), url


def test_another_trusts_upload_is_not_found(
    client: TestClient, session: Session, settings: Settings
) -> None:
    url = uploaded(client, schedule_csv("HR-01,Staff wellbeing,other,12,,Head,"))
    other = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other.id is not None
    outsider = make_person(
        session, "Otto Other", Grant(Role.AUTHOR), Grant(Role.ADMIN), trust_id=other.id
    )
    sign_in_as(client, session, settings, outsider)

    seen = client.get(url)
    imported = do_import(client, url)

    assert (seen.status_code, imported.status_code) == (404, 404)
    assert "schedule.csv" not in seen.text
    assert policies(session) == {}
    assert session.exec(select(Policy).where(col(Policy.trust_id) == other.id)).all() == []


@pytest.mark.parametrize("upload_id", ["999999", "0", "abc", "99999999999999999999"])
def test_an_upload_that_is_not_there_is_not_found(client: TestClient, upload_id: str) -> None:
    assert client.get(f"/schedule/import/{upload_id}").status_code == 404
    assert do_import(client, f"/schedule/import/{upload_id}").status_code == 404


def test_the_form_lists_the_columns_and_the_template_has_them(client: TestClient) -> None:
    doc = page(client.get("/schedule/import"))
    template = client.get("/schedule/template.csv")

    assert title(doc).startswith("Import the policy schedule")
    listed = [code.text for code in doc.by_id("columns").find_all("code")]
    assert listed == list(COLUMNS)
    assert template.status_code == 200
    assert "policy-schedule.csv" in template.headers["content-disposition"]
    header, example = csv_of(template)
    assert header == list(COLUMNS)
    assert example[0] == "TL-004"


def test_the_template_as_filled_in_is_accepted(client: TestClient) -> None:
    """The template's example row, uploaded as it comes, can be imported."""
    template = client.get("/schedule/template.csv").content

    doc = preview(client, uploaded(client, template))

    assert counts(doc) == {"add": 1, "update": 0, "unchanged": 0, "refused": 0}


# What is shown as it was typed, never run ---------------------------------------------------
def test_what_the_file_says_is_shown_as_text(client: TestClient, session: Session) -> None:
    script = "<script>alert(1)</script>"
    url = uploaded(
        client,
        schedule_csv(f'HR-01,"{script} policy",other,12,,"<b>Head</b>",'),
        f"{script}.csv",
    )

    shown = client.get(url)
    assert do_import(client, url).status_code == 303
    listed = client.get("/schedule")

    for response in (shown, listed):
        assert script not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert changes(page(shown))[0][2] == f"{script} policy"
    assert schedule_rows(page(listed))[0][2] == "<b>Head</b>"


def test_the_search_is_shown_back_as_text(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'

    response = client.get("/schedule", params={"q": hostile})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    doc = page(response)
    assert doc.by_id("q").attrs["value"] == hostile
    (download,) = [a for a in doc.find_all("a") if a.attrs["href"].startswith("/schedule.csv?")]
    assert "<" not in download.attrs["href"] and '"' not in download.attrs["href"]
