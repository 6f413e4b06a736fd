"""Importing a policy schedule through the use-cases: each row adds a policy or updates the one
with its reference (matched in any case), every problem is found by line and column before
anything is written, the import is all or nothing, audited, and the same file again changes
nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import NotAllowed, ValidationFailed
from assessments.models import Policy, PolicyCategory, PolicyStatus
from assessments.policies import queries as policy_queries
from assessments.policies.schedule_files import Table, read_schedule
from assessments.policies.schedule_import import Applied, Change, apply_import, plan_import
from tests.factories.people import make_person
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID, make_policy, make_school
from tests.factories.versions import make_version, version

KEPT_TITLE = "Marking and feedback policy"  # make_policy's
HEADER = "reference,title,category,review_cycle_months,school,owner,next_review_date\r\n"


def table(*lines: str, header: str = HEADER) -> Table:
    return read_schedule((header + "\r\n".join(lines) + "\r\n").encode(), "schedule.csv")


def policies(session: Session) -> dict[str, Policy]:
    session.expire_all()
    return {
        p.reference: p
        for p in policy_queries.policies_by_reference(session, LOCAL_TRUST_ID).values()
    }


def apply(session: Session, *lines: str, actor: Actor = AUTHOR) -> Applied:
    return apply_import(session=session, actor=actor, table=table(*lines), source="s.csv")


def test_rows_add_policies_with_their_school_owner_and_review_date(session: Session) -> None:
    school = make_school(session, "Oak Primary")
    owner = make_person(session, "Nia Owner", Grant(Role.AUTHOR, school.id))

    applied = apply(
        session,
        "TL-001,Marking and feedback,Assessment and marking,12,oak primary,Nia Owner,2027-07-31",
        "TL-002,Staff code of conduct,people-and-hr,24,,nia.owner@accounts.example,31/08/2027",
        "TL-003,Home learning,Teaching and learning,36,,Deputy Head,",
    )

    assert applied == Applied(added=3, updated=0, unchanged=0)
    found = policies(session)
    first, second, third = found["TL-001"], found["TL-002"], found["TL-003"]
    assert (first.school_id, first.owner_user_id, first.owner) == (
        school.id,
        owner.user_id,
        "Nia Owner",
    )
    assert first.category is PolicyCategory.ASSESSMENT_AND_MARKING
    assert first.next_review_date == date(2027, 7, 31) and first.status is PolicyStatus.IN_FORCE
    assert (second.school_id, second.owner_user_id) == (None, owner.user_id)
    assert second.next_review_date == date(2027, 8, 31)
    assert (third.owner, third.owner_user_id, third.review_cycle_months) == (
        "Deputy Head",
        None,
        36,
    )
    events = audit.events_of(session, "policy", first.id or 0)
    assert [e.action for e in events] == ["imported"]


def test_the_same_file_again_changes_nothing_and_a_changed_row_updates(session: Session) -> None:
    row = "HR-01,Staff wellbeing,people-and-hr,12,,Headteacher,2027-01-31"
    apply(session, row)
    assert apply(session, row) == Applied(added=0, updated=0, unchanged=1)

    changed = apply(session, "hr-01,Staff wellbeing and workload,people-and-hr,24,,Headteacher,")

    assert changed == Applied(added=0, updated=1, unchanged=0)
    (policy,) = policies(session).values()
    assert (policy.title, policy.review_cycle_months) == ("Staff wellbeing and workload", 24)
    assert policy.next_review_date == date(2027, 1, 31)  # an empty cell leaves it as it is
    assert policy.revision == 2
    (updated,) = [
        e for e in audit.events_of(session, "policy", policy.id or 0) if e.action != "imported"
    ]
    assert updated.action == "updated by import"
    assert "Staff wellbeing and workload" in updated.changes


def test_every_problem_is_found_by_line_and_column_and_nothing_is_imported(
    session: Session,
) -> None:
    make_school(session, "Oak Primary")
    lines = (
        "OK-1,A fine policy,other,12,,Head,",
        "BAD-1,Unknown school,other,12,Elm Academy,Head,",
        "BAD-2,Unknown email,other,12,,nobody@nowhere.example,",
        "BAD-3,Cycle zero,other,0,,Head,",
        "BAD-4,Cycle in words,other,twelve,,Head,",
        "BAD-5,Unknown category,gardening,12,,Head,",
        "BAD-6,Bad date,other,12,,Head,31/02/2027",
        "BAD-7,,other,12,,Head,",
        "DUP-1,Twice,other,12,,Head,",
        "dup-1,Twice again,other,12,,Head,",
        "no spaces allowed,Bad reference,other,12,,Head,",
    )

    plan = plan_import(session=session, actor=AUTHOR, table=table(*lines))

    problems = {(row.line, column) for row in plan.refused for column in row.problems}
    assert problems == {
        (3, "school"),
        (4, "owner"),
        (5, "review_cycle_months"),
        (6, "review_cycle_months"),
        (7, "category"),
        (8, "next_review_date"),
        (9, "title"),
        (10, "reference"),
        (11, "reference"),
        (12, "reference"),
    }
    assert plan.count(Change.ADD) == 1 and not plan.importable
    with pytest.raises(ValidationFailed) as refused:
        apply(session, *lines)
    assert (
        "10 rows cannot be imported (the first, line 3: No school" in refused.value.errors["file"]
    )
    assert "nothing was imported" in refused.value.errors["file"]
    assert policies(session) == {}


def test_a_file_without_a_required_column_is_refused(session: Session) -> None:
    plan = plan_import(
        session=session,
        actor=AUTHOR,
        table=table("TL-1,Title,12", header="Reference,Title,Cycle\r\n"),
    )

    assert plan.missing_columns == ["category", "review_cycle_months", "owner"]
    assert plan.ignored_columns == ["cycle"]
    assert not plan.importable


def test_headers_are_read_in_any_case_with_spaces(session: Session) -> None:
    header = "Reference,Title,Category,Review cycle (months),Owner,Notes\r\n"
    plan = plan_import(
        session=session, actor=AUTHOR, table=table("TL-9,Title here,Other,6,Head,x", header=header)
    )
    assert plan.importable and plan.count(Change.ADD) == 1
    assert plan.ignored_columns == ["notes"]


def test_only_trust_wide_authors_and_admins_may_import(session: Session) -> None:
    school = make_school(session)
    for grant in (Grant(Role.AUTHOR, school.id), Grant(Role.APPROVER), Grant(Role.AUDITOR)):
        person = make_person(session, f"Not Allowed {grant.role.value}", grant)
        with pytest.raises(NotAllowed):
            plan_import(session=session, actor=person, table=table("X-1,Title,other,12,,Head,"))
    admin = make_person(session, "Ada Admin", Grant(Role.ADMIN))
    assert apply(session, "X-1,Title,other,12,,Head,", actor=admin).added == 1


def test_a_policy_approved_for_its_school_keeps_it(
    session: Session, rubric_published: None
) -> None:
    oak = make_school(session, "Oak Primary")
    make_school(session, "Elm Academy")
    approved = make_version(session, "approved", reference="AP-1", school_id=oak.id)
    assert approved.school_id == oak.id

    moved = table(f"AP-1,{KEPT_TITLE},assessment-and-marking,12,Elm Academy,Deputy Headteacher,")
    plan = plan_import(session=session, actor=AUTHOR, table=moved)

    (row,) = plan.refused
    assert "approved for another school" in row.problems["school"]


def test_a_draft_s_school_moves_with_its_policy(session: Session, rubric_published: None) -> None:
    make_school(session, "Oak Primary")
    elm = make_school(session, "Elm Academy")
    draft = make_version(session, "draft", reference="DR-1")
    assert draft.school_id is None

    apply(session, f"DR-1,{KEPT_TITLE},assessment-and-marking,12,Elm Academy,Deputy Headteacher,")

    assert policies(session)["DR-1"].school_id == elm.id  # (read afresh)
    assert version(session, draft.id or 0).school_id == elm.id  # the register follows it


def test_an_existing_policy_is_matched_by_reference_in_any_case(session: Session) -> None:
    make_policy(session, reference="MK-07", title="Old title")
    assert apply(session, "mk-07,New title,other,12,,Head,").updated == 1
    assert policies(session)["MK-07"].title == "New title"
