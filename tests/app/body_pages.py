"""What the approving bodies' page tests share: a body added as the trust's admin adds one, the
body pages read, and a school, a committee and an approver to work with."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.bodies import keeping
from assessments.bodies.schemas import BodyDetails
from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ApprovingBody, BodyKind, DecisionRule, School
from tests.app.pages import (
    Element,
)
from tests.factories.people import make_person
from tests.factories.trusts import AUTHOR, make_school

ADD = {"name": "Standards committee", "kind": "committee", "school_id": "", "rule": "one"}
SCRIPT = "<script>alert('body')</script> committee"


def add_body(
    session: Session,
    name: str,
    kind: BodyKind = BodyKind.COMMITTEE,
    school: School | None = None,
    rule: DecisionRule = DecisionRule.ONE,
    quorum: int = 2,
    actor: Actor = AUTHOR,
) -> ApprovingBody:
    """A body added as the trust's admin adds one (AUTHOR is a trust-wide admin)."""
    data = BodyDetails(
        name=name, kind=kind, school_id=school.id if school else None, rule=rule, quorum=quorum
    )
    return keeping.create_body(session=session, actor=actor, data=data)


def body_url(body: ApprovingBody, path: str = "") -> str:
    return f"/admin/bodies/{body.id}{path}"


def bodies_of_trust(session: Session) -> list[str]:
    session.expire_all()  # as the pages left them
    return [body.name for body in keeping.list_bodies(session=session, actor=AUTHOR)]


def listed(doc: Element) -> list[list[str]]:
    """The bodies page's table: each body's name, kind, who approves, and members."""
    rows = doc.by_id("bodies").find("tbody").find_all("tr")
    cells = [row.find_all("td") for row in rows]
    return [
        [body.find("a").text, body.find("span").text, rule.text, count.text]
        for body, rule, count in cells
    ]


def rule_said(doc: Element) -> str:
    """What a body's page says of its rule."""
    return doc.find("p", id="body-rule").text


def members(doc: Element) -> list[str]:
    """The members a body's page lists (each with its Remove button's text dropped)."""
    if not doc.has_id("member-list"):
        return []
    items = doc.by_id("member-list").find_all("li")
    return [item.text.removesuffix(item.find("button").text).strip() for item in items]


def candidates(doc: Element) -> list[str]:
    """Whom the page offers to add as members."""
    if not doc.has_id("user_id"):
        return []
    return [option.text for option in doc.by_id("user_id").find_all("option")[1:]]


def user_id(actor: Actor) -> str:
    assert actor.user_id is not None
    return str(actor.user_id)


@pytest.fixture
def north(session: Session) -> School:
    return make_school(session, "North School")


@pytest.fixture
def committee(session: Session) -> ApprovingBody:
    return add_body(session, "Standards committee")


@pytest.fixture
def pat(session: Session) -> Actor:
    """A trust-wide approver, who may be a member of any trust-wide body."""
    return make_person(session, "Pat Approver", Grant(Role.APPROVER))
