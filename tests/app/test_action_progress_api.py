"""An approved version's mitigating action through the JSON API: reading it with where it stands,
its progress and its history; recording progress only on the revision read; an auditor refused
and another trust not shown it; and each refused field named."""

from __future__ import annotations

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.kernel.actors import Actor, Grant, Role
from assessments.models import ActionStatus
from assessments.people import accounts
from tests.app.carried_action import ACTION, Carried, carried, stored_progress
from tests.factories.people import make_api_token, make_person
from tests.factories.trusts import AUTHOR

__all__ = ["carried"]  # the fixture

pytestmark = pytest.mark.usefixtures("rubric_published")
API = "/api/v1/actions"


def bearer(session: Session, actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_api_token(session, actor)}"}


def put(
    client: TestClient, carried: Carried, headers: dict[str, str], **body: object
) -> httpx2.Response:
    return client.put(f"{API}/{carried.action_id}/progress", json=body, headers=headers)


def test_the_api_reads_an_action_with_where_it_stands_its_progress_and_its_history(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    carried.record(session, carried.owner, note="Timetable drafted")

    response = anonymous_client.get(f"{API}/{carried.action_id}", headers=bearer(session, AUTHOR))

    assert response.status_code == 200
    body = response.json()
    assert body["action"]["description"] == ACTION
    assert body["action"]["owner_user_id"] == carried.owner.user_id
    assert body["action"]["status"] == "planned"  # as approved
    assert body["status"] == "in-progress"  # now
    progress = body["progress"]
    assert (progress["note"], progress["revision"], progress["updated_by"]) == (
        "Timetable drafted",
        2,
        "Olu Owner",
    )
    (entry,) = body["history"]
    assert entry["by"] == "Olu Owner"
    assert ["Status", "planned", "in-progress"] in entry["changes"]


def test_the_api_records_progress_only_on_the_revision_it_read(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    client, owner = anonymous_client, bearer(session, carried.owner)
    body = {"status": "in-progress", "note": "Started"}

    assert put(client, carried, owner, **body).status_code == 428  # no revision named
    stale = put(client, carried, {**owner, "If-Match": '"7"'}, **body)
    assert stale.status_code == 412
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)

    saved = put(client, carried, {**owner, "If-Match": '"1"'}, **body)

    assert saved.status_code == 200
    assert saved.headers["etag"] == '"2"'
    assert (saved.json()["status"], saved.json()["note"], saved.json()["revision"]) == (
        "in-progress",
        "Started",
        2,
    )
    assert put(client, carried, {**owner, "If-Match": '"1"'}, **body).status_code == 412
    by_body = put(client, carried, owner, status="in-progress", note="Halfway", expected_revision=2)
    assert (by_body.status_code, by_body.headers["etag"]) == (200, '"3"')
    assert stored_progress(session, carried) == (ActionStatus.IN_PROGRESS, "Halfway", 3)


def test_the_api_refuses_an_auditor_and_does_not_show_another_trust_the_action(
    anonymous_client: TestClient, session: Session, carried: Carried
) -> None:
    other_trust = accounts.create_trust(session=session, name="Riverside Schools Trust")
    assert other_trust.id is not None
    outsider = make_person(session, "Otto Other", Grant(Role.AUTHOR), trust_id=other_trust.id)
    client, body = anonymous_client, {"status": "in-progress", "expected_revision": 1}

    auditor = bearer(session, carried.auditor)
    assert client.get(f"{API}/{carried.action_id}", headers=auditor).status_code == 200
    assert put(client, carried, auditor, **body).status_code == 403
    others = bearer(session, outsider)
    assert client.get(f"{API}/{carried.action_id}", headers=others).status_code == 404
    assert put(client, carried, others, **body).status_code == 404
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"status": "finished"}, ["body", "status"]),
        ({"status": "done", "evidence_url": "javascript:alert(1)"}, ["body", "evidence_url"]),
        ({"status": "done", "note": "x" * 3000}, ["body", "note"]),
        ({"status": "done"}, ["body", "done_on"]),  # the use-case's rule
        ({"status": "dropped"}, ["body", "note"]),
    ],
)
def test_the_api_names_the_field_it_refuses(
    anonymous_client: TestClient,
    session: Session,
    carried: Carried,
    body: dict[str, object],
    loc: list[str],
) -> None:
    response = put(anonymous_client, carried, bearer(session, AUTHOR), **body, expected_revision=1)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]
    assert stored_progress(session, carried) == (ActionStatus.PLANNED, "", 1)
