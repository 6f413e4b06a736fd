"""The trust admin's pages of approving bodies, over HTTP: a body added and listed with its
rule, a problem shown next to its field (nothing saved), a correction saved and one made on a
stale page kept for another try, everyone but the trust's admins refused, and another trust's
bodies not found."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.flash import CONFIRMATIONS
from app.settings import Settings
from assessments.bodies import keeping
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ApprovingBody, BodyKind, School
from assessments.people import accounts
from tests.app.body_pages import (
    ADD,
    add_body,
    bodies_of_trust,
    body_url,
    committee,
    listed,
    north,
    pat,
    rule_said,
    user_id,
)
from tests.app.pages import (
    banner,
    error_for,
    error_summary,
    field_value,
    page,
    post_form,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import make_person, operator_of
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR

__all__ = ["committee", "north", "pat"]  # the fixtures


# Adding a body ---------------------------------------------------------------------------------


def test_an_admin_adds_a_body_and_sees_it_listed_with_its_rule(client: TestClient) -> None:
    doc = open_page(client, "/admin/bodies")
    assert "The trust has no approving bodies yet." in doc.text
    assert field_value(doc, "rule") == "one"  # what is asked most often, chosen already

    response = submit(
        client,
        doc,
        "/admin/bodies",
        {**ADD, "name": "  Standards   committee ", "rule": "number", "quorum": "3"},
    )

    assert response.status_code == 303, response.text[:500]
    body_page = open_page(client, response.headers["location"])
    assert banner(body_page) == CONFIRMATIONS["body-added"]
    assert body_page.find("h1").text == "Standards committee"
    assert body_page.find("span", cls="govuk-caption-l").text == "Committee, trust-wide"
    assert rule_said(body_page).startswith(
        "A version is approved once 3 members approve it; one member's return sends it back."
    )
    assert body_page.by_id("too-few").text.endswith(
        "It has fewer members than its rule needs, so nothing put to it can be approved until "
        "more are added."
    )
    assert listed(open_page(client, "/admin/bodies")) == [
        ["Standards committee", "Committee", "3 members", "0"]
    ]


def test_a_school_body_says_whose_it_is(client: TestClient, north: School) -> None:
    doc = open_page(client, "/admin/bodies")
    lgb = {**ADD, "name": "North LGB", "kind": "local-governing-body", "school_id": str(north.id)}

    response = submit(client, doc, "/admin/bodies", lgb)

    assert response.status_code == 303, response.text[:500]
    body_page = open_page(client, response.headers["location"])
    assert body_page.find("span", cls="govuk-caption-l").text == (
        "Local governing body, North School"
    )
    assert field_value(body_page, "school_id") == str(north.id)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter the body's name, up to 120 characters"),
        (
            {"name": " standards   COMMITTEE "},
            "name",
            "The trust already has an approving body called “standards COMMITTEE”",
        ),
        (
            {"kind": "local-governing-body", "school_id": ""},
            "school_id",
            "Select the school whose local governing body it is",
        ),
        (
            {"kind": "headteacher", "school_id": ""},
            "school_id",
            "Select the school whose headteacher it is",
        ),
        (
            {"kind": "board", "school_id": "north"},
            "school_id",
            "The trust board decides trust-wide: select trust-wide",
        ),
        (
            {"rule": "number", "quorum": "0"},
            "quorum",
            "Enter how many members must approve, a whole number from 1 to 50",
        ),
        (
            {"rule": "number", "quorum": "51"},
            "quorum",
            "Enter how many members must approve, a whole number from 1 to 50",
        ),
        (
            {"rule": "number", "quorum": "two"},
            "quorum",
            "Enter how many members must approve, a whole number from 1 to 50",
        ),
    ],
    ids=[
        "blank name",
        "taken name, spaced and capitalised otherwise",
        "a local governing body of no school",
        "a headteacher of no school",
        "a board of a school",
        "a quorum of none",
        "a quorum above 50",
        "a quorum in words",
    ],
)
@pytest.mark.usefixtures("committee")
def test_a_problem_with_a_new_body_is_shown_next_to_its_field_and_nothing_is_added(
    client: TestClient,
    session: Session,
    north: School,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    typed = {**ADD, "name": "Finance committee", **changes}
    if typed["school_id"] == "north":
        typed["school_id"] = str(north.id)

    response = submit(client, open_page(client, "/admin/bodies"), "/admin/bodies", typed)

    assert response.status_code == 422, response.text[:500]
    doc = page(response)
    assert error_for(doc, field) == message
    assert [href for _, href in error_summary(doc)] == [f"#{field}"]
    assert {name: field_value(doc, name) for name in typed} == typed  # all kept as typed
    assert bodies_of_trust(session) == ["Standards committee"]


def test_another_trusts_body_of_the_same_name_is_no_clash(
    client: TestClient, session: Session
) -> None:
    hillside = accounts.create_trust(session=session, name="Hillside trust")
    add_body(session, "Standards committee", actor=operator_of(hillside))

    response = submit(client, open_page(client, "/admin/bodies"), "/admin/bodies", ADD)

    assert response.status_code == 303, response.text[:500]
    assert listed(open_page(client, "/admin/bodies")) == [
        ["Standards committee", "Committee", "Any one member", "0"]
    ]


# Correcting a body -----------------------------------------------------------------------------


def test_a_correction_is_saved_and_one_made_on_a_stale_page_is_kept_to_save_again(
    client: TestClient, session: Session, committee: ApprovingBody
) -> None:
    mine, theirs = open_page(client, body_url(committee)), open_page(client, body_url(committee))
    assert field_value(mine, "revision") == "1"

    saved = submit(client, theirs, body_url(committee), {"name": "Curriculum committee"})

    assert (saved.status_code, saved.headers.get("location")) == (303, body_url(committee))
    after = open_page(client, body_url(committee))
    assert banner(after) == CONFIRMATIONS["body-changed"]
    assert after.find("h1").text == "Curriculum committee"

    stale = submit(client, mine, body_url(committee), {"rule": "number", "quorum": "2"})

    assert stale.status_code == 422, stale.text[:500]
    kept = page(stale)
    assert error_for(kept, "name").startswith("Someone else changed this after you opened it.")
    assert (field_value(kept, "rule"), field_value(kept, "quorum")) == ("number", "2")
    assert field_value(kept, "revision") == "2"  # the form now builds on theirs
    assert bodies_of_trust(session) == ["Curriculum committee"]

    resaved = submit(client, kept, body_url(committee), {"name": "Curriculum committee"})

    assert resaved.status_code == 303, resaved.text[:500]
    after_all = open_page(client, body_url(committee))
    assert rule_said(after_all).startswith("A version is approved once 2 members approve it")


def test_a_problem_with_a_correction_is_shown_next_to_its_field(
    client: TestClient, session: Session, committee: ApprovingBody, north: School
) -> None:
    add_body(session, "Finance committee")
    doc = open_page(client, body_url(committee))

    taken = submit(client, doc, body_url(committee), {"name": "FINANCE committee"})
    board = submit(client, doc, body_url(committee), {"kind": "board", "school_id": str(north.id)})

    assert (taken.status_code, board.status_code) == (422, 422)
    assert error_for(page(taken), "name") == (
        "The trust already has an approving body called “FINANCE committee”"
    )
    assert error_for(page(board), "school_id") == (
        "The trust board decides trust-wide: select trust-wide"
    )
    assert bodies_of_trust(session) == ["Finance committee", "Standards committee"]


# Who may see the pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "grant",
    [Grant(Role.APPROVER), Grant(Role.AUTHOR), Grant(Role.AUDITOR)],
    ids=["approver", "author", "auditor"],
)
def test_no_one_but_the_trusts_admins_opens_or_changes_its_bodies(
    client: TestClient,
    session: Session,
    settings: Settings,
    committee: ApprovingBody,
    pat: Actor,
    grant: Grant,
) -> None:
    sign_in_as(client, session, settings, make_person(session, "Nia Nonadmin", grant))

    opened = [client.get(url).status_code for url in ("/admin/bodies", body_url(committee))]
    sent = [
        post_form(client, "/admin/bodies", {**ADD, "name": "Finance committee"}).status_code,
        post_form(client, body_url(committee), {**ADD, "name": "Renamed"}).status_code,
        post_form(client, body_url(committee, "/members"), {"user_id": user_id(pat)}).status_code,
    ]

    assert (opened, sent) == ([403, 403], [403, 403, 403])
    assert bodies_of_trust(session) == ["Standards committee"]
    assert keeping.view_body(session=session, actor=AUTHOR, body_id=committee.id or 0).members == []


def test_a_school_admin_is_no_admin_of_the_trusts_bodies(
    client: TestClient, session: Session, settings: Settings, north: School
) -> None:
    sign_in_as(client, session, settings, make_person(session, "Sam", Grant(Role.ADMIN, north.id)))

    assert client.get("/admin/bodies").status_code == 403


def test_another_trusts_body_is_not_found(
    client: TestClient, session: Session, committee: ApprovingBody, pat: Actor
) -> None:
    hillside = accounts.create_trust(session=session, name="Hillside trust")
    theirs = add_body(session, "Hillside board", BodyKind.BOARD, actor=operator_of(hillside))

    opened = client.get(body_url(theirs))
    renamed = post_form(client, body_url(theirs), {**ADD, "name": "Ours now", "revision": "1"})
    joined = post_form(client, body_url(theirs, "/members"), {"user_id": user_id(pat)})
    left = post_form(client, body_url(theirs, "/members/remove"), {"user_id": user_id(pat)})

    statuses = [r.status_code for r in (opened, renamed, joined, left)]
    assert statuses == [404, 404, 404, 404]
    assert "Hillside board" not in opened.text
    assert [row[0] for row in listed(open_page(client, "/admin/bodies"))] == ["Standards committee"]
    assert keeping.list_bodies(session=session, actor=operator_of(hillside))[0].name == (
        "Hillside board"
    )


def test_a_number_typed_for_a_rule_that_needs_none_is_no_matter(
    client: TestClient, session: Session
) -> None:
    typed = {**ADD, "name": "Finance committee", "rule": "all", "quorum": "abc"}

    response = submit(client, open_page(client, "/admin/bodies"), "/admin/bodies", typed)

    assert response.status_code == 303, response.text[:500]
    assert bodies_of_trust(session) == ["Finance committee"]
