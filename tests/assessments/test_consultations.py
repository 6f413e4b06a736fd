"""Opening and closing a staff consultation on a draft (issue 18), through the use-cases: the
school's authors open one, inviting the staff they list (each address once, lower-case), and
each invitee is emailed a link of their own, with no account; the audit trail counts them and
names nobody. Refused: people who are not the policy's authors, a version past drafting, a
second consultation while one is open or to come, dates out of bounds, and invitee lists that
cannot be read (naming the line). Closing is the authors' too, once.

The answers and what they add up to are in test_consultation_answers.py, and what the authors
did about them in test_consultation_themes.py; the helpers they share are in
consultation_cases.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from assessments.consultations import queries
from assessments.consultations.opening import Standing, standing
from assessments.kernel import audit
from assessments.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from assessments.models import Notification, NotificationKind, OutboxMessage
from tests.assessments.consultation_cases import (
    CLOSES,
    TODAY,
    cast,
    close,
    consult,
    id_of,
    invited,
    trail,
)
from tests.factories.people import Cast
from tests.factories.trusts import AUTHOR, make_school
from tests.factories.versions import draft_for, make_draft, submitted

__all__ = ["cast"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")


# --- opening


def test_the_schools_author_invites_each_listed_address_once_in_lower_case(
    session: Session, cast: Cast
) -> None:
    listed = (
        "Ann@Oak.Example, Teachers\n"
        "\n"
        "  ann@oak.example , Teachers\n"
        "BOB@oak.example, Support staff\n"
    )
    consultation = consult(session, cast.author, draft_for(session, cast), listed)

    assert [(i.email, i.staff_group, i.answered) for i in invited(session, consultation)] == [
        ("ann@oak.example", "teachers", False),
        ("bob@oak.example", "support-staff", False),
    ]
    assert consultation.staff_groups == ["support-staff", "teachers"]
    assert standing(consultation, TODAY) is Standing.OPEN


def test_each_invitee_is_emailed_their_own_link_with_no_account(
    session: Session, cast: Cast
) -> None:
    consultation = consult(session, cast.author, draft_for(session, cast))
    invitations = {i.email: i.id for i in invited(session, consultation)}

    query = (
        select(Notification, OutboxMessage)
        .join(OutboxMessage, col(Notification.message_id) == col(OutboxMessage.id))
        .where(Notification.kind == NotificationKind.CONSULTATION)
    )
    letters = session.exec(query).all()

    assert sorted(m.to_address for _, m in letters) == sorted(invitations)
    for notification, message in letters:
        assert (notification.user_id, message.user_id) == (None, None)
        assert notification.facts["purpose"] == "invitation"
        assert notification.facts["invitation_id"] == invitations[message.to_address]


def test_opening_is_audited_with_counts_and_no_address(session: Session, cast: Cast) -> None:
    version_id = draft_for(session, cast)
    consultation = consult(session, cast.author, version_id)

    [(action, details)] = trail(session, consultation)
    assert action == "opened"
    assert details == {
        "version_id": version_id,
        "opens_on": str(TODAY),
        "closes_on": str(CLOSES),
        "invited": 3,
        "staff_groups": ["teachers"],
    }
    changes = audit.events_of(session, "consultation", id_of(consultation))[0].changes
    assert "@" not in changes


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("approver", NotAllowed), ("auditor", NotAllowed), ("other_author", NotFound)],
)
def test_only_an_author_of_the_policys_school_opens_one(
    session: Session, cast: Cast, who: str, refusal: type[Exception]
) -> None:
    version_id = draft_for(session, cast)
    with pytest.raises(refusal):
        consult(session, getattr(cast, who), version_id)
    assert queries.consultations_of_version(session, version_id) == []


def test_staff_are_consulted_on_a_draft_not_a_submitted_version(
    session: Session, cast: Cast
) -> None:
    with pytest.raises(InvalidTransition):
        consult(session, cast.author, submitted(session, cast))


@pytest.mark.parametrize("opens_on", [TODAY, TODAY + timedelta(days=7)])
def test_a_second_consultation_waits_until_the_first_is_closed(
    session: Session, cast: Cast, opens_on: date
) -> None:
    version_id = draft_for(session, cast)
    first = consult(session, cast.author, version_id, opens_on=opens_on)
    with pytest.raises(Conflict):
        consult(session, cast.second_author, version_id)

    close(session, cast.author, first)
    second = consult(session, cast.second_author, version_id)
    assert second.id != first.id


@pytest.mark.parametrize(
    ("opens_on", "closes_on", "field"),
    [
        (TODAY - timedelta(days=1), CLOSES, "opens_on"),
        (TODAY + timedelta(days=367), TODAY + timedelta(days=370), "opens_on"),
        (TODAY + timedelta(days=10), TODAY + timedelta(days=9), "closes_on"),
        (TODAY, TODAY + timedelta(days=93), "closes_on"),
    ],
    ids=["opens-in-the-past", "opens-over-a-year-ahead", "closes-before-it-opens", "too-long"],
)
def test_dates_out_of_bounds_are_refused(
    session: Session, cast: Cast, opens_on: date, closes_on: date, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        consult(
            session, cast.author, draft_for(session, cast), opens_on=opens_on, closes_on=closes_on
        )
    assert set(refused.value.errors) == {field}


def test_a_consultation_may_last_92_days(session: Session, cast: Cast) -> None:
    longest = TODAY + timedelta(days=92)
    consultation = consult(session, cast.author, draft_for(session, cast), closes_on=longest)
    assert consultation.closes_on == longest


@pytest.mark.parametrize(
    ("invitees", "says"),
    [
        pytest.param(
            ",,\n,,\n",
            "List the staff to ask",
            id="only-empty-cells",  # a spreadsheet's blank rows
        ),
        pytest.param(
            "ann@oak.example, Teachers\nnot-an-address, Teachers",
            "Line 2: 'not-an-address' is not an email address",
            id="bad-address",
        ),
        pytest.param(
            "ann@oak.example, Dinner staff",
            "Line 1: 'Dinner staff' is not a staff group",
            id="unknown-group",
        ),
        pytest.param("ann@oak.example", "Line 1: write a line", id="one-column"),
        pytest.param("a@oak.example, Teachers, Oak, Extra", "Line 1: write a line", id="four"),
        pytest.param(
            "ann@oak.example, Teachers\n\nbob@, Teachers", "Line 3: 'bob@'", id="blank-counted"
        ),
        pytest.param(
            "\nann@oak.example, Teachers\nbob@, Teachers",
            "Line 3: 'bob@'",
            id="leading-blank-counted",
        ),
        pytest.param(
            "ann@oak.example, Teachers\nANN@oak.example, Support staff",
            "Line 2: ann@oak.example is listed already, with another group or school",
            id="one-person-two-groups",
        ),
    ],
)
def test_an_unreadable_invitee_list_is_refused_naming_the_line(
    session: Session, cast: Cast, invitees: str, says: str
) -> None:
    version_id = draft_for(session, cast)
    with pytest.raises(ValidationFailed) as refused:
        consult(session, cast.author, version_id, invitees)
    assert set(refused.value.errors) == {"invitees"}
    assert refused.value.errors["invitees"].startswith(says)
    assert queries.consultations_of_version(session, version_id) == []


def test_an_empty_list_is_refused(session: Session, cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as refused:
        consult(session, cast.author, draft_for(session, cast), "\n \n")
    assert refused.value.errors["invitees"].startswith("List the staff to ask")


def test_a_staff_group_is_named_by_id_or_label_in_any_case(session: Session, cast: Cast) -> None:
    listed = "a@oak.example, TEACHING ASSISTANTS\nb@oak.example, Early-Career-Teachers\n"
    consultation = consult(session, cast.author, draft_for(session, cast), listed)
    assert [i.staff_group for i in invited(session, consultation)] == [
        "teaching-assistants",
        "early-career-teachers",
    ]


def test_a_schools_policy_asks_its_own_staff_whatever_school_is_written(
    session: Session, cast: Cast
) -> None:
    listed = "a@oak.example, Teachers, Nowhere Academy\nb@oak.example, Teachers\n"
    consultation = consult(session, cast.author, draft_for(session, cast), listed)
    assert {i.school_id for i in invited(session, consultation)} == {cast.school.id}


def test_a_trust_wide_policy_asks_staff_of_the_schools_named_or_central_staff(
    session: Session,
) -> None:
    oak = make_school(session, "Oak Primary")
    draft = make_draft(session)  # a trust-wide policy, by the trust-wide AUTHOR
    assert draft.id is not None
    listed = (
        "a@trust.example, Teachers, oak   PRIMARY\n"
        "b@trust.example, Support staff,  \n"
        "c@trust.example, Support staff\n"
    )

    consultation = consult(session, AUTHOR, draft.id, listed)

    assert [(i.email, i.school_id) for i in invited(session, consultation)] == [
        ("a@trust.example", oak.id),
        ("b@trust.example", None),
        ("c@trust.example", None),
    ]


def test_a_trust_wide_policy_refuses_a_school_the_trust_does_not_have(session: Session) -> None:
    draft = make_draft(session)
    assert draft.id is not None
    with pytest.raises(ValidationFailed) as refused:
        consult(session, AUTHOR, draft.id, "a@trust.example, Teachers, Nowhere Academy")
    assert refused.value.errors == {
        "invitees": "Line 1: 'Nowhere Academy' is not one of the trust's schools"
    }


# --- closing


def test_the_author_closes_it_early_and_the_trail_counts_the_answers(
    session: Session, cast: Cast
) -> None:
    consultation = consult(session, cast.author, draft_for(session, cast))
    close(session, cast.author, consultation)

    assert standing(consultation, TODAY) is Standing.CLOSED
    assert trail(session, consultation)[-1] == ("closed", {"invited": 3, "answered": 0})


def test_a_closed_consultation_cannot_be_closed_again(session: Session, cast: Cast) -> None:
    consultation = consult(session, cast.author, draft_for(session, cast))
    close(session, cast.author, consultation)
    with pytest.raises(InvalidTransition):
        close(session, cast.author, consultation)
    assert [action for action, _ in trail(session, consultation)] == ["opened", "closed"]


def test_a_consultation_past_its_last_day_cannot_be_closed(session: Session, cast: Cast) -> None:
    consultation = consult(session, cast.author, draft_for(session, cast))
    with pytest.raises(InvalidTransition):
        close(session, cast.author, consultation, CLOSES + timedelta(days=1))


@pytest.mark.parametrize(("who", "refusal"), [("approver", NotAllowed), ("other_author", NotFound)])
def test_only_the_policys_authors_close_it(
    session: Session, cast: Cast, who: str, refusal: type[Exception]
) -> None:
    consultation = consult(session, cast.author, draft_for(session, cast))
    with pytest.raises(refusal):
        close(session, getattr(cast, who), consultation)
    assert standing(consultation, TODAY) is Standing.OPEN
