"""You said, we did (issue 18), through the use-cases: the policy's authors group what staff said
into themes, each with its answer (what changed, or why nothing did), correcting one only at the
revision they read, and removing one; each audited on the consultation. Refused to approvers,
to other schools' authors and other trusts, for a theme of another consultation, beyond
MAX_THEMES, and for text out of bounds. Once the consultation has closed and has a theme, its
authors tell staff, once: everyone asked is emailed at their address, their link shows the
themes from then on, and the themes stay as they were told. The results show the themes always,
and whether the reader may keep them or tell staff.

Formal consultations (with a body that speaks for staff, met on a day not to come) are recorded
on a draft by its authors, audited on the version, listed by the day they met to anyone who may
see it, and removed by its authors while it is a draft. The helpers (Keeper, Records) are in
consultation_cases.py."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pydantic
import pytest
from sqlmodel import Session

from assessments.consultations import queries
from assessments.consultations.answering import give_answer, link_view
from assessments.consultations.schemas import AnswerGive
from assessments.consultations.themes import MAX_THEMES, TOLD
from assessments.kernel import audit
from assessments.kernel.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from assessments.models import Consultation
from assessments.workflow import transitions as workflow
from tests.assessments.consultation_cases import (
    CLOSES,
    JCC,
    MARKING,
    TODAY,
    VIEWS,
    Keeper,
    Records,
    cast,
    consult,
    formal,
    id_of,
    invited,
    responses,
    saving,
    someone,
    theme_id,
)
from tests.factories.people import Cast
from tests.factories.versions import complete_draft, draft_for, submitted

__all__ = ["cast"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")

DAY = timedelta(days=1)
REFUSED = [("approver", NotAllowed), ("other_author", NotFound), ("outsider", NotFound)]
WAS_TOLD = re.escape(TOLD)


@pytest.fixture
def consultation(session: Session, cast: Cast) -> Consultation:
    """Open today on a draft of the cast's school, asking three of its teachers."""
    return consult(session, cast.author, draft_for(session, cast))


@pytest.fixture
def author(session: Session, cast: Cast, consultation: Consultation) -> Keeper:
    """The cast's author, keeping the consultation's themes."""
    return Keeper(session, cast.author, consultation)


# --- keeping the themes


def test_the_author_adds_a_theme_and_its_answer_audited(session: Session, author: Keeper) -> None:
    theme = author.add()

    assert (theme.title, theme.changed, theme.revision) == (MARKING, True, 1)
    assert queries.themes_of(session, id_of(author.consultation)) == [theme]
    assert author.trail()[-1] == (
        "theme-added",
        {"theme_id": theme.id, "title": MARKING, "changed": True},
    )


def test_an_author_corrects_a_theme_at_the_revision_read(cast: Cast, author: Keeper) -> None:
    theme = theme_id(author.add())
    second = author.by(cast.second_author)
    read = second.read(theme)
    corrected = second.change(theme, changed=False, expected_revision=read.revision)

    assert (corrected.title, corrected.changed, corrected.revision) == ("Rewritten", False, 2)
    assert author.trail()[-1] == (
        "theme-changed",
        {"theme_id": theme, "title": "Rewritten", "changed": False},
    )


def test_a_correction_made_on_a_stale_revision_is_refused(cast: Cast, author: Keeper) -> None:
    theme = theme_id(author.add())
    author.change(theme, "First", expected_revision=1)
    with pytest.raises(StaleVersion):
        author.by(cast.second_author).change(theme, expected_revision=1)
    assert author.titles() == ["First"]
    assert [action for action, _ in author.trail()].count("theme-changed") == 1


def test_the_author_removes_a_theme_audited(session: Session, author: Keeper) -> None:
    kept, gone = author.add("Kept"), author.add("Gone", changed=False)
    author.remove(theme_id(gone))

    assert queries.themes_of(session, id_of(author.consultation)) == [kept]
    assert author.trail()[-1] == (
        "theme-removed",
        {"theme_id": gone.id, "title": "Gone", "changed": False},
    )


@pytest.mark.parametrize(("who", "refusal"), REFUSED)
def test_only_the_policys_authors_keep_its_themes(
    session: Session, cast: Cast, author: Keeper, who: str, refusal: type[Exception]
) -> None:
    theme = theme_id(author.add())
    them = author.by(someone(session, cast, who))
    with pytest.raises(refusal):
        them.add("Theirs")
    with pytest.raises(refusal):
        them.read(theme)
    with pytest.raises(refusal):
        them.change(theme)
    with pytest.raises(refusal):
        them.remove(theme)
    assert author.titles() == [MARKING]


def test_a_theme_of_another_consultation_is_not_found_through_this_one(
    session: Session, cast: Cast, author: Keeper
) -> None:
    elsewhere = Keeper(
        session, cast.author, consult(session, cast.author, draft_for(session, cast))
    )
    theirs = theme_id(elsewhere.add("Theirs"))
    for missing in (theirs, 2**31 - 1):
        with pytest.raises(NotFound):
            author.read(missing)
        with pytest.raises(NotFound):
            author.change(missing)
        with pytest.raises(NotFound):
            author.remove(missing)
    assert elsewhere.titles() == ["Theirs"]


def test_a_consultation_has_at_most_max_themes(author: Keeper) -> None:
    for n in range(MAX_THEMES):
        author.add(f"Theme {n}")
    with pytest.raises(InvalidTransition, match=f"at most {MAX_THEMES} themes"):
        author.add("One too many")
    assert len(author.titles()) == MAX_THEMES


@pytest.mark.parametrize(
    "wrong",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"response": ""},
        {"response": "x" * 4001},
        {"staff_said": "x" * 4001},
        {"changed": None},
    ],
)
def test_a_theme_out_of_bounds_is_refused(wrong: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        saving(**wrong)


def test_a_theme_at_the_bounds_is_taken() -> None:
    data = saving("x" * 200, response="y" * 4000, staff_said="")
    assert (len(data.title), len(data.response), data.staff_said) == (200, 4000, "")


# --- telling staff


def test_staff_are_told_only_once_it_has_closed_and_has_a_theme(
    session: Session, author: Keeper
) -> None:
    for today in (TODAY, CLOSES):  # its last day is open to the end
        with pytest.raises(InvalidTransition, match="once the consultation has closed"):
            author.tell(today)
    author.close()
    assert author.may() == (False, True, False)  # closed, with nothing to tell
    with pytest.raises(InvalidTransition, match="Add a theme"):
        author.tell()
    assert (author.consultation.responded_at, responses(session)) == (None, [])


def test_telling_staff_emails_everyone_asked_and_is_audited_with_counts(
    session: Session, author: Keeper
) -> None:
    invitations = invited(session, author.consultation)
    answer = AnswerGive.model_validate({"hours_per_week": "1", "agreement": 2})
    give_answer(session=session, invitation_id=invitations[0].id or 0, data=answer, today=TODAY)
    author.close()
    author.add()
    author.add("Deadlines", changed=False)

    assert author.tell().responded_at is not None

    letters = responses(session)
    invitation_of = {i.email: i.id for i in invitations}
    assert sorted(m.to_address for _, m in letters) == sorted(invitation_of)
    for notification, message in letters:
        assert (notification.user_id, message.user_id) == (None, None)
        assert (notification.facts["invited"], notification.facts["answered"]) == (3, 1)
        assert notification.facts["invitation_id"] == invitation_of[message.to_address]
    assert author.trail()[-1] == ("staff-told", {"themes": 2, "changed": 1, "told": 3})
    told = audit.events_of(session, "consultation", id_of(author.consultation))[-1]
    assert "@" not in told.changes


def test_staff_are_told_once_its_last_day_has_passed(session: Session, author: Keeper) -> None:
    author.add()
    assert author.tell(CLOSES + DAY).responded_at is not None
    assert len(responses(session)) == 3


def test_staff_are_told_once_and_the_themes_stay_as_they_were_told(
    session: Session, cast: Cast, author: Keeper
) -> None:
    author.close()
    theme = theme_id(author.add())
    author.tell()
    with pytest.raises(InvalidTransition, match=WAS_TOLD):
        author.by(cast.second_author).tell()
    with pytest.raises(InvalidTransition, match=WAS_TOLD):
        author.add("Afterthought")
    with pytest.raises(InvalidTransition, match=WAS_TOLD):
        author.change(theme)
    with pytest.raises(InvalidTransition, match=WAS_TOLD):
        author.remove(theme)
    assert (author.titles(), len(responses(session))) == ([MARKING], 3)
    assert [action for action, _ in author.trail()].count("staff-told") == 1


@pytest.mark.parametrize(("who", "refusal"), REFUSED)
def test_only_the_policys_authors_tell_staff(
    session: Session, cast: Cast, author: Keeper, who: str, refusal: type[Exception]
) -> None:
    author.close()
    author.add()
    with pytest.raises(refusal):
        author.by(someone(session, cast, who)).tell()
    assert (author.consultation.responded_at, responses(session)) == (None, [])


def test_the_link_shows_the_themes_once_staff_are_told(session: Session, author: Keeper) -> None:
    author.close()
    author.add()
    author.add("Deadlines")
    link = invited(session, author.consultation)[0].id or 0

    assert link_view(session=session, invitation_id=link, today=TODAY).themes == []
    author.tell()
    shown = link_view(session=session, invitation_id=link, today=CLOSES + DAY).themes
    assert [theme.title for theme in shown] == [MARKING, "Deadlines"]


def test_the_results_show_the_themes_before_and_after_staff_are_told(
    cast: Cast, author: Keeper
) -> None:
    readers = [author.by(actor) for actor in (cast.author, cast.approver, cast.auditor)]
    author.add()
    assert [[t.title for t in r.results().themes] for r in readers] == [[MARKING]] * 3
    author.close()
    author.tell()
    assert [[t.title for t in r.results().themes] for r in readers] == [[MARKING]] * 3


def test_the_results_let_an_author_keep_the_themes_and_tell_staff_in_turn(
    cast: Cast, author: Keeper
) -> None:
    assert author.may() == (True, True, False)
    author.add()
    assert author.may() == (True, True, False)  # staff are told once it has closed
    author.close()
    assert author.may() == (False, True, True)
    assert author.by(cast.author_approver).may() == (False, True, True)
    assert author.by(cast.approver).may() == (False, False, False)
    author.tell()
    assert author.may() == (False, False, False)


# --- formal consultations


@pytest.fixture
def records(session: Session, cast: Cast) -> Records:
    """The cast's author, recording formal consultations on a draft of a new policy."""
    return Records(session, cast.author, draft_for(session, cast))


def test_an_author_records_a_formal_consultation_on_a_draft_audited(
    session: Session, cast: Cast, records: Records
) -> None:
    second = Records(session, cast.second_author, records.version_id)
    recorded = second.record()

    met_on = TODAY - 3 * DAY
    assert (recorded.body, recorded.met_on, recorded.recorded_by) == (JCC, met_on, "Sam Second")
    assert (recorded.views, recorded.agreed) == (VIEWS, "A term's trial.")
    assert second.last_event() == (
        "formal-consultation-recorded",
        {"formal_id": recorded.id, "body": JCC, "met_on": str(met_on)},
    )


def test_a_formal_consultation_met_today_but_not_on_a_day_to_come(records: Records) -> None:
    records.record(formal(met_on=TODAY))
    with pytest.raises(ValidationFailed) as refused:
        records.record(formal(met_on=TODAY + 2 * DAY))
    assert set(refused.value.errors) == {"met_on"}
    assert len(records.listed()) == 1


def test_a_formal_consultation_is_recorded_on_a_draft_only(session: Session, cast: Cast) -> None:
    with pytest.raises(InvalidTransition):
        Records(session, cast.author, submitted(session, cast)).record()


@pytest.mark.parametrize(("who", "refusal"), REFUSED)
def test_only_the_policys_authors_record_or_remove_one(
    session: Session, cast: Cast, records: Records, who: str, refusal: type[Exception]
) -> None:
    recorded = records.record()
    them = Records(session, someone(session, cast, who), records.version_id)
    with pytest.raises(refusal):
        them.record()
    with pytest.raises(refusal):
        them.remove(recorded.id)
    assert records.listed() == [recorded]


def test_formal_consultations_are_listed_by_the_day_they_met_to_whoever_sees_the_policy(
    session: Session, cast: Cast, records: Records
) -> None:
    for body, ago in (("Unions", 2), ("Wellbeing champions", 30), ("JCC", 9)):
        records.record(formal(body, TODAY - ago * DAY))
    for actor in (cast.author, cast.approver, cast.auditor):
        listed = Records(session, actor, records.version_id).listed()
        assert [f.body for f in listed] == ["Wellbeing champions", "JCC", "Unions"]
    with pytest.raises(NotFound):
        Records(session, cast.other_author, records.version_id).listed()


def test_the_author_removes_one_recorded_in_error_audited(records: Records) -> None:
    kept, wrong = records.record(), records.record(formal("The unions"))
    records.remove(wrong.id)

    assert records.listed() == [kept]
    assert records.last_event() == (
        "formal-consultation-removed",
        {"formal_id": wrong.id, "body": "The unions", "met_on": str(wrong.met_on)},
    )


def test_a_formal_consultation_of_another_version_is_not_found_through_this_one(
    session: Session, cast: Cast, records: Records
) -> None:
    elsewhere = Records(session, cast.author, draft_for(session, cast))
    theirs = elsewhere.record()
    for missing in (theirs.id, 2**31 - 1):
        with pytest.raises(NotFound):
            records.remove(missing)
    assert elsewhere.listed() == [theirs]


def test_a_submitted_versions_formal_consultations_stay_on_its_record(
    session: Session, cast: Cast, records: Records
) -> None:
    recorded = records.record()
    complete_draft(session, cast.author, records.version_id)
    workflow.submit(session=session, actor=cast.author, version_id=records.version_id)
    with pytest.raises(InvalidTransition):
        records.remove(recorded.id)
    assert Records(session, cast.approver, records.version_id).listed() == [recorded]
