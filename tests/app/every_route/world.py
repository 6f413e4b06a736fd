"""The world the authorization matrix runs in: a trust with two schools, one person per role,
and another trust whose people hold every role there; and two of the trust's approving bodies
with a submitted version put to each (the world's approver a member of the first only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from app.mail.links import consultation_path
from app.settings import Environment, Settings
from assessments.bodies import keeping
from assessments.bodies.schemas import BodyDetails
from assessments.consultations import formal, opening, queries as consultation_queries, themes
from assessments.consultations.schemas import ConsultationOpen, FormalSave, ThemeSave
from assessments.drafting import mitigation, version_view, workload
from assessments.drafting.schemas import WorkloadEstimateSave
from assessments.kernel.actors import Actor, Grant, Role
from assessments.kernel.clock import today
from assessments.models import AssessmentVersion, BodyKind, DecisionRule, Policy, School
from assessments.people import accounts, api_tokens
from assessments.policies import schedule_uploads
from tests.factories.people import make_api_token, make_person
from tests.factories.trusts import (
    AUTHOR,
    TEST_AUDIT_KEY,
    TEST_SECRET_KEY,
    make_policy,
    make_school,
)
from tests.factories.versions import make_draft, make_version

# Who asks. The author holds the role at the school whose records are asked for.
SCHEDULE = (
    b"reference,title,category,review_cycle_months,owner\r\nMX-100,Imported,other,12,Head\r\n"
)
ROLES = (
    "author",
    "author at another school",
    "approver",
    "auditor",
    "admin",
    "anonymous",
    "another trust",
)


@dataclass(frozen=True)
class World:
    north: School  # the records' school
    policy: Policy  # North's, with a draft assessment
    fresh_policy: Policy  # North's, not assessed yet
    draft: AssessmentVersion
    actors: dict[str, Actor]  # role → actor (no "anonymous")
    authors_token_id: int  # one of the author's API tokens
    action_id: int  # a mitigating action of the draft
    approved_action_id: int  # a mitigating action of an approved North version
    tokens: dict[str, str]  # role → an API token secret of theirs
    upload_id: int  # a policy schedule uploaded by the admin, to preview and import
    body_id: int  # the Governance committee: trust-wide, 2 members must approve (the approver
    # and a second trust-wide approver)
    body_version_id: int  # a submitted version of a North policy that names that committee
    other_body_id: int  # the Finance committee: any one member, not the world's approver
    other_body_version_id: int  # a submitted version of a North policy naming that one
    consultation_id: int  # open, on the draft, asking one teacher at North
    consult_link: str  # that teacher's link (a path)
    theme_id: int  # a theme of that consultation, answered by the author
    formal_id: int  # a formal consultation recorded on the draft

    @property
    def author_user_id(self) -> int:
        user_id = self.actors["author"].user_id
        assert user_id is not None
        return user_id

    @property
    def approver_user_id(self) -> int:
        user_id = self.actors["approver"].user_id
        assert user_id is not None
        return user_id


def _body(
    session: Session, admin: Actor, name: str, rule: DecisionRule, members: list[Actor]
) -> int:
    """A trust-wide committee of the trust with these members, added as its admin adds one."""
    data = BodyDetails(name=name, kind=BodyKind.COMMITTEE, rule=rule, quorum=2)
    body = keeping.create_body(session=session, actor=admin, data=data)
    assert body.id is not None
    for member in members:
        assert member.user_id is not None
        keeping.add_member(session=session, actor=admin, body_id=body.id, user_id=member.user_id)
    return body.id


def _put_to(session: Session, body_id: int, reference: str, school: School) -> int:
    """A submitted version of a new policy of the school that names the body."""
    version = make_version(
        session, "submitted", reference=reference, school_id=school.id, approving_body_id=body_id
    )
    assert version.id is not None
    return version.id


def _consultation(session: Session, version_id: int) -> tuple[int, str]:
    """An open consultation on the draft, and its one invitee's link."""
    data = ConsultationOpen(
        opens_on=today(),
        closes_on=today() + timedelta(days=14),
        summary="Weekly marking moves to fortnightly",
        invitees="teacher@north.example, Teachers",
    )
    consultation = opening.open_consultation(
        session=session, actor=AUTHOR, version_id=version_id, data=data, today=today()
    )
    assert consultation.id is not None
    (invitation,) = consultation_queries.invitations_of(session, consultation.id)
    assert invitation.id is not None
    signing_only = Settings(
        environment=Environment.TEST, secret_key=TEST_SECRET_KEY, audit_key=TEST_AUDIT_KEY
    )
    return consultation.id, consultation_path(signing_only, invitation.id)


def make_world(session: Session) -> World:
    north, south = make_school(session, "North School"), make_school(session, "South School")
    draft = make_draft(session, reference="MX-001", school_id=north.id)
    assert draft.id is not None
    workload.save_workload_estimate(
        session=session,
        actor=AUTHOR,
        version_id=draft.id,
        staff_group="teachers",
        data=WorkloadEstimateSave(hours_per_term=Decimal(1), staff_count=10),
    )
    action = mitigation.add_action(
        session=session,
        actor=AUTHOR,
        version_id=draft.id,
        data=mitigation.ActionSave(
            description="Stop the weekly report",
            question_ids=["what-is-stopped"],
            owner="Deputy Head",
            residual_impact=1,
        ),
    )
    assert action.id is not None
    other_trust = accounts.create_trust(session=session, name="Another Trust")
    assert other_trust.id is not None
    actors = {
        "author": make_person(session, "Nadia North", Grant(Role.AUTHOR, north.id)),
        "author at another school": make_person(session, "Sol South", Grant(Role.AUTHOR, south.id)),
        "approver": make_person(session, "Ama Approver", Grant(Role.APPROVER)),
        "auditor": make_person(session, "Aud Auditor", Grant(Role.AUDITOR)),
        "admin": make_person(session, "Adi Admin", Grant(Role.ADMIN)),
        "another trust": make_person(
            session, "Otto Other", *(Grant(role) for role in Role), trust_id=other_trust.id
        ),
    }
    tokens = {role: make_api_token(session, actor) for role, actor in actors.items()}
    authors_tokens = api_tokens.list_api_tokens(session=session, actor=actors["author"])
    assert authors_tokens[0].id is not None
    fresh_policy = make_policy(session, reference="MX-002", school_id=north.id)
    approved = make_version(session, "approved", reference="MX-003", school_id=north.id)
    assert approved.id is not None
    (approved_action,) = version_view.view_assessment(
        session=session, actor=AUTHOR, version_id=approved.id
    ).actions
    assert approved_action.id is not None
    upload = schedule_uploads.keep_upload(
        session=session, actor=actors["admin"], filename="schedule.csv", data=SCHEDULE
    )
    assert upload.id is not None
    second_approver = make_person(session, "Bo Second Approver", Grant(Role.APPROVER))
    body_id = _body(
        session,
        actors["admin"],
        "Governance committee",
        DecisionRule.NUMBER,
        [actors["approver"], second_approver],
    )
    other_body_id = _body(
        session, actors["admin"], "Finance committee", DecisionRule.ONE, [second_approver]
    )
    body_version_id = _put_to(session, body_id, "MX-004", north)
    other_body_version_id = _put_to(session, other_body_id, "MX-005", north)
    consultation_id, consult_link = _consultation(session, draft.id)
    theme = themes.add_theme(
        session=session,
        actor=AUTHOR,
        consultation_id=consultation_id,
        data=ThemeSave(title="Friday marking", changed=True, response="Moved to Mondays"),
    )
    assert theme.id is not None
    recorded = formal.record_formal(
        session=session,
        actor=AUTHOR,
        version_id=draft.id,
        data=FormalSave(body="Joint committee", met_on=today(), views="Welcome it"),
        today=today(),
    )
    assert recorded.id is not None
    session.commit()
    return World(
        north=north,
        policy=version_view.view_assessment(
            session=session, actor=AUTHOR, version_id=draft.id
        ).policy,
        fresh_policy=fresh_policy,
        draft=draft,
        actors=actors,
        authors_token_id=authors_tokens[0].id,
        action_id=action.id,
        approved_action_id=approved_action.id,
        tokens=tokens,
        upload_id=upload.id,
        body_id=body_id,
        body_version_id=body_version_id,
        other_body_id=other_body_id,
        other_body_version_id=other_body_version_id,
        consultation_id=consultation_id,
        consult_link=consult_link,
        theme_id=theme.id,
        formal_id=recorded.id,
    )
