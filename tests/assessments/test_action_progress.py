"""After approval an action is carried out: its owner and the policy's authors record where it
stands without a new version; the version's content stays as approved, and the register, the
home page and the next version follow the progress."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from assessments.drafting import mitigation, workload
from assessments.kernel import audit
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from assessments.models import ActionStatus, AssessmentVersion, MitigatingAction, VersionStatus
from assessments.progress import recording
from assessments.progress.recording import ProgressSave
from assessments.register.dashboard import dashboard
from assessments.workflow import transitions as workflow
from tests.factories.answers import (
    HIGH_QUESTION,
    HIGH_VALUE,
    MITIGATION,
    WORKLOAD,
    answer_page,
    low_answer,
)
from tests.factories.people import make_approver, make_person
from tests.factories.trusts import AUTHOR, RUBRIC, make_school
from tests.factories.versions import make_version, view

pytestmark = pytest.mark.usefixtures("rubric_published")
TODAY = date(2027, 5, 10)
WAS_DUE = TODAY - timedelta(days=30)


class Approved:
    """An approved North version whose one action is owned by Olu, who holds no role."""

    def __init__(self, session: Session) -> None:
        self.north = make_school(session, "North School")
        self.owner = make_person(session, "Olu Owner")
        self.north_author = make_person(session, "Nadia North", Grant(Role.AUTHOR, self.north.id))
        self.approver = make_approver(session)
        self.version = make_version(
            session, "approved", approver=self.approver, fill=self._fill, school_id=self.north.id
        )
        assert self.version.id is not None
        (self.action,) = view(session, self.version.id).actions

    def _fill(self, session: Session, version_id: int, actor: Actor) -> None:
        answers = {q.id: low_answer(q) for q in RUBRIC.questions() if q.required}
        answer_page(session, version_id, {**answers, HIGH_QUESTION.id: HIGH_VALUE}, actor=actor)
        workload.save_workload_estimate(
            session=session,
            actor=actor,
            version_id=version_id,
            staff_group="teachers",
            data=WORKLOAD,
        )
        owned = MITIGATION.model_copy(
            update={"owner": "", "owner_user_id": self.owner.user_id, "due_date": WAS_DUE}
        )
        mitigation.add_action(session=session, actor=actor, version_id=version_id, data=owned)

    @property
    def action_id(self) -> int:
        assert self.action.id is not None
        return self.action.id


@pytest.fixture
def approved(session: Session) -> Approved:
    return Approved(session)


def record(
    session: Session, actor: Actor, action_id: int, *, today: date = TODAY, **fields: object
) -> None:
    data = ProgressSave.model_validate({"status": "in-progress", **fields})
    recording.record_progress(
        session=session, actor=actor, action_id=action_id, data=data, today=today
    )


def stored(session: Session, version: AssessmentVersion) -> AssessmentVersion:
    session.refresh(version)
    return version


def test_approval_starts_each_action_where_it_stood(session: Session, approved: Approved) -> None:
    shown = recording.view_action(
        session=session, actor=approved.owner, action_id=approved.action_id
    )

    assert shown.progress is not None and shown.status is ActionStatus.PLANNED
    assert shown.may_update and shown.is_owner and shown.history == []
    version = stored(session, approved.version)
    assert version.open_actions == 1
    assert version.rating_done == version.rating  # nothing done yet


def test_the_owner_records_it_done_and_the_version_follows_without_changing(
    session: Session, approved: Approved
) -> None:
    hash_before = stored(session, approved.version).content_hash
    record(
        session,
        approved.owner,
        approved.action_id,
        status="done",
        done_on=WAS_DUE.isoformat(),
        note="Whole-class feedback sheets in use in every department",
        evidence_url="https://intranet.example/minutes/2027-04",
    )

    version = stored(session, approved.version)
    assert version.status is VersionStatus.APPROVED and version.content_hash == hash_before
    assert (version.open_actions, version.rating_done) == (0, version.rating_after)
    assert version.id is not None
    now = view(session, version.id)
    assert now.results_done.overall_score == now.results_after.overall_score
    assert now.results_done.overall_score < now.results.overall_score  # type: ignore[operator]
    (action,) = now.actions
    assert action.status is ActionStatus.PLANNED  # the commitment, as approved
    shown = recording.view_action(
        session=session, actor=approved.owner, action_id=approved.action_id
    )
    assert shown.status is ActionStatus.DONE
    (entry,) = shown.history
    assert entry.by == "Olu Owner"
    assert ("Status", ActionStatus.PLANNED, ActionStatus.DONE) in entry.changes
    assert ("Date done", None, WAS_DUE) in entry.changes
    assert audit.check(session=session, actor=AUTHOR).intact


def test_the_home_page_stops_counting_a_done_action_as_overdue(
    session: Session, approved: Approved
) -> None:
    before = dashboard(session=session, actor=AUTHOR, today=TODAY)
    assert [a.action_id for a in before.overdue_actions] == [approved.action_id]
    owners = dashboard(session=session, actor=approved.owner, today=TODAY)
    assert [a.action_id for a in owners.my_actions] == [approved.action_id]

    record(session, approved.owner, approved.action_id, status="done", done_on=TODAY.isoformat())

    after = dashboard(session=session, actor=AUTHOR, today=TODAY)
    assert after.overdue_actions == [] and after.overdue_action_total == 0
    assert dashboard(session=session, actor=approved.owner, today=TODAY).my_actions == []


@pytest.mark.parametrize("who", ["owner", "author at the school", "trust-wide author"])
def test_the_owner_and_the_policys_authors_may_record_progress(
    session: Session, approved: Approved, who: str
) -> None:
    actor = {
        "owner": approved.owner,
        "author at the school": approved.north_author,
        "trust-wide author": AUTHOR,
    }[who]
    record(session, actor, approved.action_id, note="Started in Year 7")

    shown = recording.view_action(session=session, actor=actor, action_id=approved.action_id)
    assert shown.progress is not None and shown.progress.note == "Started in Year 7"
    assert shown.progress.updated_by == actor.name


def test_an_approver_or_an_auditor_reads_it_but_may_not_record_progress(
    session: Session, approved: Approved
) -> None:
    auditor = make_person(session, "Aud Auditor", Grant(Role.AUDITOR))
    for actor in (approved.approver, auditor):
        shown = recording.view_action(session=session, actor=actor, action_id=approved.action_id)
        assert not shown.may_update
        with pytest.raises(NotAllowed):
            record(session, actor, approved.action_id)


def test_nobody_else_learns_the_action_exists(session: Session, approved: Approved) -> None:
    south = make_school(session, "South School")
    outsiders = [
        make_person(session, "Sol South", Grant(Role.AUTHOR, south.id)),
        make_person(session, "Nobody Atall"),  # in the trust, no role, owns nothing
    ]
    for actor in outsiders:
        with pytest.raises(NotFound):
            recording.view_action(session=session, actor=actor, action_id=approved.action_id)
        with pytest.raises(NotFound):
            record(session, actor, approved.action_id)
    with pytest.raises(NotFound):
        recording.view_action(session=session, actor=AUTHOR, action_id=10**6)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "done"}, "done_on", "Enter the date it was done"),
        ({"status": "done", "done_on": "2027-05-11"}, "done_on", "cannot be in the future"),
        ({"status": "in-progress", "done_on": "2027-05-01"}, "done_on", "until it is done"),
        ({"status": "dropped"}, "note", "Say why it was dropped"),
    ],
)
def test_progress_that_does_not_add_up_is_refused_and_nothing_changes(
    session: Session, approved: Approved, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record(session, approved.owner, approved.action_id, **fields)

    assert message in refused.value.errors[field]
    shown = recording.view_action(session=session, actor=AUTHOR, action_id=approved.action_id)
    assert shown.status is ActionStatus.PLANNED and shown.history == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "intranet/minutes", "https://"]
)
def test_evidence_is_a_web_address_or_nothing(url: str) -> None:
    with pytest.raises(ValueError, match="web address"):
        ProgressSave.model_validate({"status": "done", "evidence_url": url})


def test_progress_based_on_an_older_reading_is_refused(
    session: Session, approved: Approved
) -> None:
    record(session, approved.owner, approved.action_id, note="First", expected_revision=1)

    with pytest.raises(StaleVersion):
        record(session, AUTHOR, approved.action_id, note="Second", expected_revision=1)
    shown = recording.view_action(session=session, actor=AUTHOR, action_id=approved.action_id)
    assert shown.progress is not None and shown.progress.note == "First"


def test_saving_the_same_progress_again_records_nothing(
    session: Session, approved: Approved
) -> None:
    record(session, approved.owner, approved.action_id, note="Started")
    record(session, approved.owner, approved.action_id, note="Started")

    shown = recording.view_action(session=session, actor=AUTHOR, action_id=approved.action_id)
    assert len(shown.history) == 1 and shown.progress is not None
    assert shown.progress.revision == 2


def test_a_drafts_action_changes_with_the_draft_not_as_progress(session: Session) -> None:
    draft = make_version(session, "draft")
    assert draft.id is not None
    action = mitigation.add_action(
        session=session, actor=AUTHOR, version_id=draft.id, data=MITIGATION
    )
    assert action.id is not None

    with pytest.raises(InvalidTransition, match="on its summary"):
        record(session, AUTHOR, action.id)
    shown = recording.view_action(session=session, actor=AUTHOR, action_id=action.id)
    assert shown.progress is None and not shown.may_update


def test_a_review_starts_from_where_each_action_stands_and_the_old_one_is_closed(
    session: Session, approved: Approved
) -> None:
    record(session, approved.owner, approved.action_id, status="done", done_on=TODAY.isoformat())
    assert approved.version.id is not None

    revision = workflow.revise(session=session, actor=AUTHOR, version_id=approved.version.id)

    assert revision.id is not None
    (copied,) = view(session, revision.id).actions
    assert copied.status is ActionStatus.DONE
    assert copied.owner_user_id == approved.owner.user_id
    workflow.submit(session=session, actor=AUTHOR, version_id=revision.id)
    workflow.approve(session=session, actor=approved.approver, version_id=revision.id)
    assert stored(session, approved.version).status is VersionStatus.SUPERSEDED
    with pytest.raises(InvalidTransition, match="version in force"):
        record(session, approved.owner, approved.action_id, status="planned")


def test_the_database_lets_only_the_living_columns_of_an_approved_version_change(
    session: Session, approved: Approved
) -> None:
    ids = {"v": approved.version.id, "a": approved.action_id}
    living = "UPDATE assessment_version SET open_actions = 0, rating_done = 'low' WHERE id = :v"
    session.execute(sa.text(living), ids)
    for frozen in (
        "UPDATE assessment_version SET rating = 'tampered' WHERE id = :v",
        "UPDATE assessment_version SET open_actions = 0, review_due = NULL WHERE id = :v",
        "UPDATE mitigating_action SET status = 'done' WHERE id = :a",
    ):
        with (
            pytest.raises(sa.exc.DatabaseError, match="cannot be changed"),
            session.begin_nested(),
        ):
            session.execute(sa.text(frozen), ids)


def test_an_owner_is_one_of_the_trusts_people_or_named(session: Session) -> None:
    draft = make_version(session, "draft")
    assert draft.id is not None
    other_trust = make_person(session, "Otto Other", trust_id=_other_trust(session))
    cases: dict[str, tuple[dict[str, object], str]] = {
        "nobody": ({"owner": ""}, "Choose who owns it"),
        "both": ({"owner": "Deputy Head", "owner_user_id": 1}, "not both"),
        "another trust's": ({"owner_user_id": other_trust.user_id}, "Choose one of the trust's"),
        "unknown": ({"owner_user_id": 10**6}, "Choose one of the trust's"),
    }
    for given, message in cases.values():
        data = MITIGATION.model_copy(update={"owner": "", **given})
        with pytest.raises(ValidationFailed) as refused:
            mitigation.add_action(session=session, actor=AUTHOR, version_id=draft.id, data=data)
        assert message in refused.value.errors["owner"]

    chosen = MITIGATION.model_copy(update={"owner": "", "owner_user_id": 1})
    action = mitigation.add_action(session=session, actor=AUTHOR, version_id=draft.id, data=chosen)
    assert (action.owner, action.owner_user_id) == (AUTHOR.name, 1)


def _other_trust(session: Session) -> int:
    from assessments.people import accounts

    trust = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert trust.id is not None
    return trust.id


def test_a_version_whose_owners_are_accounts_is_approved_as_submitted(
    session: Session, approved: Approved
) -> None:
    # The content's hash covers the owners' accounts, and still matches at approval.
    assert stored(session, approved.version).status is VersionStatus.APPROVED
    assert isinstance(approved.action, MitigatingAction)
    assert approved.action.owner == "Olu Owner"
