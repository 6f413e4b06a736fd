"""The draft assessment that the wizard page tests work on."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from assessments.models import AssessmentVersion
from tests.factories import make_draft


@pytest.fixture
def draft(session: Session, rubric_published: None) -> AssessmentVersion:
    """Version 1 of a policy's assessment, just started."""
    return make_draft(session, reference="TL-004", title="Homework policy")
