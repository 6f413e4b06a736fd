"""schemathesis against /openapi.json, in-process, as each kind of caller: no 5xx, and every
response's status, content type, headers and body are the ones the schema documents.

Marked `fuzz`: `make test` leaves it out, `.ci/run` runs it on SQLite and on PostgreSQL
(`pytest -m fuzz`). Derandomized and bounded, so a run is the same cases every time."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from tests.app.every_route.world import make_world
from tests.factories.trusts import RUBRIC

pytestmark = pytest.mark.fuzz

ROLES = ("author", "approver", "auditor", "admin", "another trust", "anonymous")
EXAMPLES = 40  # per operation and role, both generation modes together
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


def _fuzz(app: FastAPI, headers: dict[str, str], real: dict[str, Any]) -> tuple[int, list[str]]:
    """Every operation of the schema, in both generation modes; returns (cases, failures)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    cases, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails here
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @FUZZ_SETTINGS
        @given(case=strategy, use_real_ids=st.booleans())
        def run(case: schemathesis.Case[Any], use_real_ids: bool) -> None:
            nonlocal cases
            cases += 1
            # Half the cases name records that exist, so they reach past the 404s.
            if use_real_ids and case.path_parameters:
                for name in case.path_parameters:
                    if name in real:
                        case.path_parameters[name] = real[name]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        # One report for every operation, not the first alone (schemathesis raises groups).
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {exc}")
    return cases, failures


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_to_its_schema(
    role: str, app: FastAPI, session: Session, rubric_published: None
) -> None:
    world = make_world(session)
    assert world.draft.id is not None and world.policy.id is not None
    real = {
        "version_id": world.draft.id,
        "policy_id": world.policy.id,
        "action_id": world.action_id,
        "question_id": RUBRIC.sections[0].questions[0].id,
        "staff_group": "teachers",
        "rubric_id": RUBRIC.id,
        "version": 1,
    }
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}

    cases, failures = _fuzz(app, headers, real)

    print(f"schemathesis: {cases} cases as {role}, {len(failures)} failing operations")
    assert not failures, "\n\n".join(failures)
