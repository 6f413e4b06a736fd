"""A body's members on its page: added from the trust's approvers where it decides and removed;
anyone else refused with the message next to the field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.flash import CONFIRMATIONS
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ApprovingBody, BodyKind, School
from assessments.people import accounts
from tests.app.body_pages import (
    add_body,
    body_url,
    candidates,
    committee,
    listed,
    members,
    north,
    pat,
    user_id,
)
from tests.app.pages import (
    banner,
    error_for,
    error_summary,
    page,
    submit,
)
from tests.factories.decisions import open_page
from tests.factories.people import make_person
from tests.factories.trusts import AUTHOR, make_school

__all__ = ["committee", "north", "pat"]  # the fixtures


# Members ---------------------------------------------------------------------------------------


def test_the_trusts_approvers_where_it_decides_are_added_and_removed(
    client: TestClient, session: Session, north: School, committee: ApprovingBody, pat: Actor
) -> None:
    make_person(session, "Sid School Approver", Grant(Role.APPROVER, north.id))
    make_person(session, "Nadia North", Grant(Role.AUTHOR, north.id))
    doc = open_page(client, body_url(committee))
    assert members(doc) == []
    assert "It has no members yet." in doc.text
    # Only trust-wide approvers decide for a trust-wide body: not a school's, nor an author.
    assert candidates(doc) == ["Pat Approver (pat.approver@accounts.example)"]

    added = submit(client, doc, body_url(committee, "/members"), {"user_id": user_id(pat)})

    assert (added.status_code, added.headers["location"]) == (
        303,
        body_url(committee, "#members"),
    )
    after = open_page(client, body_url(committee))
    assert banner(after) == CONFIRMATIONS["members-changed"]
    assert members(after) == ["Pat Approver"]
    assert candidates(after) == []
    assert after.by_id("no-candidates").text.startswith(
        "Everyone who may be a member is one: members are approvers trust-wide."
    )
    assert listed(open_page(client, "/admin/bodies"))[0][3] == "1"

    removed = submit(client, after, body_url(committee, "/members/remove"))

    assert removed.status_code == 303, removed.text[:500]
    again = open_page(client, body_url(committee))
    assert members(again) == []
    assert candidates(again) == ["Pat Approver (pat.approver@accounts.example)"]


def test_a_schools_approvers_and_the_trust_wide_ones_may_sit_on_its_local_governing_body(
    client: TestClient, session: Session, north: School, pat: Actor
) -> None:
    south = make_school(session, "South School")
    make_person(session, "Sid School Approver", Grant(Role.APPROVER, north.id))
    make_person(session, "Sol South", Grant(Role.APPROVER, south.id))
    lgb = add_body(session, "North LGB", BodyKind.LOCAL_GOVERNING_BODY, north)

    doc = open_page(client, body_url(lgb))

    assert [name.split(" (")[0] for name in candidates(doc)] == [
        "Pat Approver",
        "Sid School Approver",
    ]
    assert "Members are approvers of North School" in doc.text


def test_someone_who_is_no_approver_there_is_refused_with_the_message_next_to_the_field(
    client: TestClient, session: Session, committee: ApprovingBody, pat: Actor
) -> None:
    # Chosen while she was an approver; her role is taken away before the form is sent.
    ann = make_person(session, "Ann Approver", Grant(Role.APPROVER))
    doc = open_page(client, body_url(committee))
    accounts.set_grants(
        session=session, actor=AUTHOR, user_id=int(user_id(ann)), grants=[Grant(Role.AUTHOR)]
    )

    response = submit(client, doc, body_url(committee, "/members"), {"user_id": user_id(ann)})

    assert response.status_code == 422, response.text[:500]
    refused = page(response)
    assert error_for(refused, "user_id") == (
        "Ann Approver is not an approver trust-wide: give them that role first"
    )
    assert error_summary(refused) == [(error_for(refused, "user_id"), "#user_id")]
    assert members(refused) == []
    assert members(open_page(client, body_url(committee))) == []


def test_someone_of_another_trust_or_no_one_chosen_is_refused_next_to_the_field(
    client: TestClient, session: Session, committee: ApprovingBody, pat: Actor
) -> None:
    hillside = accounts.create_trust(session=session, name="Hillside trust")
    assert hillside.id is not None
    otto = make_person(session, "Otto Other", Grant(Role.APPROVER), trust_id=hillside.id)
    doc = open_page(client, body_url(committee))

    outsider = submit(client, doc, body_url(committee, "/members"), {"user_id": user_id(otto)})
    no_one = submit(client, doc, body_url(committee, "/members"), {"user_id": ""})

    assert (outsider.status_code, no_one.status_code) == (422, 422)
    assert error_for(page(outsider), "user_id") == "Select one of the trust's people"
    assert error_for(page(no_one), "user_id") == "Select who to add"
    assert members(open_page(client, body_url(committee))) == []


def test_a_member_added_twice_is_refused(
    client: TestClient, session: Session, committee: ApprovingBody, pat: Actor
) -> None:
    make_person(session, "Quinn Approver", Grant(Role.APPROVER))  # so the form is still shown
    doc = open_page(client, body_url(committee))
    assert submit(
        client, doc, body_url(committee, "/members"), {"user_id": user_id(pat)}
    ).is_redirect

    again = submit(client, doc, body_url(committee, "/members"), {"user_id": user_id(pat)})

    assert again.status_code == 422
    assert error_for(page(again), "user_id") == "Pat Approver is a member already"
    assert members(open_page(client, body_url(committee))) == ["Pat Approver"]


def test_no_two_elements_of_a_bodys_page_share_an_id(
    client: TestClient, committee: ApprovingBody, pat: Actor
) -> None:
    """An error summary's link (#rule, #name …) and a label's `for` reach the one field."""
    doc = open_page(client, body_url(committee))

    ids = [element.id for element in doc.iter() if element.id]

    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert doc.find(id="rule").tag == "input"  # the first of the rule's radios
