"""The tables, only, each concern in a module of its own: every one is re-exported here, so that
importing the package registers them all (Alembic does). The schema only changes through an
Alembic migration in migrations/."""

from assessments.models.actions import (
    ActionProgress as ActionProgress,
    ActionStatus as ActionStatus,
    MitigatingAction as MitigatingAction,
)
from assessments.models.assessments import (
    Answer as Answer,
    Assessment as Assessment,
    AssessmentKind as AssessmentKind,
    AssessmentVersion as AssessmentVersion,
    VersionContributor as VersionContributor,
    VersionStatus as VersionStatus,
    WorkloadEstimate as WorkloadEstimate,
)
from assessments.models.audit import (
    AuditEvent as AuditEvent,
    AuditHead as AuditHead,
)
from assessments.models.bodies import (
    ApprovingBody as ApprovingBody,
    BodyKind as BodyKind,
    BodyMember as BodyMember,
    DecisionRule as DecisionRule,
    MemberDecision as MemberDecision,
    MemberVote as MemberVote,
)
from assessments.models.columns import (
    HUNDREDTH as HUNDREDTH,
    EnumValue as EnumValue,
    UTCDateTime as UTCDateTime,
    timestamp as timestamp,
    utcnow as utcnow,
)
from assessments.models.consultations import (
    Consultation as Consultation,
    ConsultationAnswer as ConsultationAnswer,
    ConsultationInvitation as ConsultationInvitation,
    ConsultationTheme as ConsultationTheme,
    FormalConsultation as FormalConsultation,
)
from assessments.models.notifications import (
    Delivery as Delivery,
    MessageStatus as MessageStatus,
    Notification as Notification,
    NotificationChoice as NotificationChoice,
    NotificationKind as NotificationKind,
    OutboxMessage as OutboxMessage,
    SweepRun as SweepRun,
)
from assessments.models.people import (
    AccountLink as AccountLink,
    AccountLinkPurpose as AccountLinkPurpose,
    ApiToken as ApiToken,
    ResetRequest as ResetRequest,
    RoleGrant as RoleGrant,
    SignInFailure as SignInFailure,
    Trust as Trust,
    User as User,
    WebSession as WebSession,
)
from assessments.models.policies import (
    Policy as Policy,
    PolicyCategory as PolicyCategory,
    PolicyStatus as PolicyStatus,
    ScheduleUpload as ScheduleUpload,
    School as School,
)
from assessments.models.rubrics import (
    RubricVersion as RubricVersion,
)
