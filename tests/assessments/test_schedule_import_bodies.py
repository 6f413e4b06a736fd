"""The schedule import's approving_body column: a row names one of the trust's bodies by name
(in any case and spacing), which must decide trust-wide or for the row's school; an empty cell,
or no column, leaves a policy's body as it is; and a row moving a policy to another school is
refused while the body it keeps decides for its present school only."""

from __future__ import annotations

import json

from sqlmodel import Session

from assessments.bodies import keeping
from assessments.bodies.schemas import BodyDetails
from assessments.models import ApprovingBody, BodyKind, DecisionRule, Policy
from assessments.policies import queries as policy_queries
from assessments.policies.schedule_files import Table, read_schedule
from assessments.policies.schedule_import import Applied, Change, apply_import, plan_import
from tests.factories.audit import events_since, last_seq
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_school

HEADER = "reference,title,category,review_cycle_months,school,owner,approving_body\r\n"


def table(*lines: str, header: str = HEADER) -> Table:
    return read_schedule((header + "\r\n".join(lines) + "\r\n").encode(), "schedule.csv")


def body(
    session: Session, name: str, kind: BodyKind, school_id: int | None = None
) -> ApprovingBody:
    details = BodyDetails(name=name, kind=kind, school_id=school_id, rule=DecisionRule.ONE)
    return keeping.create_body(session=session, actor=AUTHOR, data=details)


def policies(session: Session) -> dict[str, Policy]:
    session.expire_all()
    return {
        p.reference: p
        for p in policy_queries.policies_by_reference(session, LOCAL_TRUST_ID).values()
    }


def apply(session: Session, *lines: str, header: str = HEADER) -> Applied:
    return apply_import(
        session=session, actor=AUTHOR, table=table(*lines, header=header), source="s.csv"
    )


def test_a_row_names_its_body_in_any_case_and_spacing(session: Session) -> None:
    oak = make_school(session, "Oak Primary")
    board = body(session, "Trust board", BodyKind.BOARD)
    lgb = body(session, "Oak LGB", BodyKind.LOCAL_GOVERNING_BODY, oak.id)
    seq = last_seq(session)

    applied = apply(
        session,
        "TL-001,Marking,other,12,,Head,  TRUST   board ",
        "TL-002,Homework,other,12,Oak Primary,Head,oak lgb",
        "TL-003,Uniform,other,12,,Head,",
    )

    assert applied == Applied(added=3, updated=0, unchanged=0)
    found = policies(session)
    assert found["TL-001"].approving_body_id == board.id
    assert found["TL-002"].approving_body_id == lgb.id
    assert found["TL-003"].approving_body_id is None
    imported = events_since(session, seq, entity="policy")
    assert [json.loads(e.changes).get("approving_body_id") for e in imported] == [
        [None, board.id],
        [None, lgb.id],
        None,  # nothing to say of it
    ]


def test_an_unknown_body_or_another_schools_is_a_problem_of_its_row(session: Session) -> None:
    oak, elm = make_school(session, "Oak Primary"), make_school(session, "Elm Primary")
    body(session, "Oak LGB", BodyKind.LOCAL_GOVERNING_BODY, oak.id)
    assert elm.id is not None

    plan = plan_import(
        session=session,
        actor=AUTHOR,
        table=table(
            "TL-001,Marking,other,12,,Head,Finance committee",
            "TL-002,Homework,other,12,Elm Primary,Head,Oak LGB",
            "TL-003,Uniform,other,12,,Head,Oak LGB",
        ),
    )

    assert [(r.line, r.change, r.problems) for r in plan.rows] == [
        (
            2,
            Change.REFUSED,
            {"approving_body": "No approving body of the trust is called “Finance committee”"},
        ),
        (
            3,
            Change.REFUSED,
            {"approving_body": "Oak LGB decides for one school only, not this policy's"},
        ),
        (
            4,
            Change.REFUSED,
            {"approving_body": "Oak LGB decides for one school only, not this policy's"},
        ),
    ]
    assert not plan.importable


def test_an_empty_cell_or_no_column_keeps_the_body_and_a_named_one_replaces_it(
    session: Session,
) -> None:
    board = body(session, "Trust board", BodyKind.BOARD)
    standards = body(session, "Standards committee", BodyKind.COMMITTEE)
    apply(session, "TL-001,Marking,other,12,,Head,Trust board")

    again = apply(session, "TL-001,Marking,other,12,,Head,")
    without = apply(
        session,
        "TL-001,Marking,other,12,,Head",
        header="reference,title,category,review_cycle_months,school,owner\r\n",
    )

    assert again == without == Applied(added=0, updated=0, unchanged=1)
    assert policies(session)["TL-001"].approving_body_id == board.id
    assert apply(session, "TL-001,Marking,other,12,,Head,standards committee") == Applied(0, 1, 0)
    assert policies(session)["TL-001"].approving_body_id == standards.id


def test_a_policy_cannot_move_school_keeping_a_body_of_its_present_school(
    session: Session,
) -> None:
    oak, elm = make_school(session, "Oak Primary"), make_school(session, "Elm Primary")
    body(session, "Oak LGB", BodyKind.LOCAL_GOVERNING_BODY, oak.id)
    body(session, "Elm LGB", BodyKind.LOCAL_GOVERNING_BODY, elm.id)
    apply(session, "TL-001,Marking,other,12,Oak Primary,Head,Oak LGB")

    plan = plan_import(
        session=session, actor=AUTHOR, table=table("TL-001,Marking,other,12,Elm Primary,Head,")
    )
    moved = apply(session, "TL-001,Marking,other,12,Elm Primary,Head,Elm LGB")

    assert plan.rows[0].change is Change.REFUSED
    assert "name its new school's body" in plan.rows[0].problems["school"]
    assert moved == Applied(added=0, updated=1, unchanged=0)
    assert policies(session)["TL-001"].school_id == elm.id
