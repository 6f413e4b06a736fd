"""Shared by the page security tests: a policy and a draft for the pages to show and change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from assessments.models import AssessmentVersion, Policy
from tests.factories.trusts import make_policy
from tests.factories.versions import make_draft


@dataclass(frozen=True)
class Targets:
    """Things in the database for the pages to show and the forms to change."""

    policy: Policy  # no assessment yet
    draft: AssessmentVersion

    def url(self, template: str) -> str:
        return template.format(policy=self.policy.id, draft=self.draft.id)


def make_targets(session: Session) -> Targets:
    """A new policy with no assessment and a draft assessment of another policy."""
    return Targets(
        policy=make_policy(session, reference="NEW-001"),
        draft=make_draft(session, reference="DRAFT-001"),
    )
