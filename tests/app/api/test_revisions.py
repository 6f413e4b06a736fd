"""An API write of existing content names the revision it is based on: If-Match with the ETag it
read, or expected_revision. Without either it is refused (428); a stale If-Match gets 412, a
stale expected_revision 409; nothing is changed by any of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.factories.api import API, Json, put_answer, put_workload, start
from tests.factories.trusts import RUBRIC

pytestmark = pytest.mark.usefixtures("rubric_published")
QUESTION = "what-is-stopped"  # free text
GROUP = RUBRIC.staff_groups[0].id
ACTION = {
    "description": "Stop the weekly report",
    "question_ids": [QUESTION],
    "owner": "Deputy Head",
    "residual_impact": 1,
}


def _version(client: TestClient, version: Json) -> Json:
    body: Json = client.get(f"{API}/assessment-versions/{version['id']}").json()
    return body


def _answer_saved(client: TestClient) -> tuple[Json, str]:
    version = start(client)
    first = put_answer(client, version["id"], QUESTION, value="The weekly report")
    assert first.status_code == 200, first.text
    return version, f"{API}/assessment-versions/{version['id']}/answers/{QUESTION}"


def test_a_new_answer_needs_no_revision_and_comes_back_with_its_etag(
    client: TestClient,
) -> None:
    version = start(client)

    response = put_answer(client, version["id"], QUESTION, value="The weekly report")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'


def test_changing_a_saved_answer_without_a_revision_is_428(client: TestClient) -> None:
    version, url = _answer_saved(client)

    changed = client.put(url, json={"value": "Something else"})
    cleared = client.put(url, json={"value": ""})

    for response in (changed, cleared):
        assert response.status_code == 428, response.text
        assert "If-Match" in response.json()["detail"]
    [kept] = _version(client, version)["answers"]
    assert (kept["value"], kept["revision"]) == ("The weekly report", 1)


def test_if_match_with_the_current_etag_saves_and_a_stale_one_is_412(client: TestClient) -> None:
    version, url = _answer_saved(client)

    saved = client.put(url, json={"value": "Second"}, headers={"If-Match": '"1"'})
    stale = client.put(url, json={"value": "Third"}, headers={"If-Match": '"1"'})

    assert (saved.status_code, saved.headers["ETag"]) == (200, '"2"')
    assert stale.status_code == 412
    assert "Someone else changed this" in stale.json()["detail"]
    [kept] = _version(client, version)["answers"]
    assert (kept["value"], kept["revision"]) == ("Second", 2)


@pytest.mark.parametrize("if_match", ["*", "1", 'W/"1"', '"-1"', '"1", "2"', ""])
def test_an_if_match_that_is_not_one_of_our_etags_is_412(client: TestClient, if_match: str) -> None:
    version, url = _answer_saved(client)

    response = client.put(url, json={"value": "Second"}, headers={"If-Match": if_match})

    assert response.status_code == 412
    assert _version(client, version)["answers"][0]["value"] == "The weekly report"


def test_if_match_and_expected_revision_that_disagree_are_400(client: TestClient) -> None:
    _, url = _answer_saved(client)

    response = client.put(
        url, json={"value": "Second", "expected_revision": 2}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 400
    assert "disagree" in response.json()["detail"] or "different" in response.json()["detail"]


Write = Callable[[TestClient, Json, dict[str, str], Json], Response]


def _put_estimate(
    client: TestClient, version: Json, headers: dict[str, str], extra: Json
) -> Response:
    url = f"{API}/assessment-versions/{version['id']}/workload/{GROUP}"
    return client.put(url, json={"hours_per_term": "3", "staff_count": 4, **extra}, headers=headers)


def _delete_estimate(
    client: TestClient, version: Json, headers: dict[str, str], extra: Json
) -> Response:
    url = f"{API}/assessment-versions/{version['id']}/workload/{GROUP}"
    return client.delete(url, params=extra, headers=headers)


def _action_url(version: Json) -> str:
    return f"{API}/assessment-versions/{version['id']}/actions/{version['action']}"


def _put_action(
    client: TestClient, version: Json, headers: dict[str, str], extra: Json
) -> Response:
    return client.put(
        _action_url(version), json={**ACTION, "owner": "Head", **extra}, headers=headers
    )


def _delete_action(
    client: TestClient, version: Json, headers: dict[str, str], extra: Json
) -> Response:
    return client.delete(_action_url(version), params=extra, headers=headers)


def _move(name: str, **body: str) -> Write:
    def write(client: TestClient, version: Json, headers: dict[str, str], extra: Json) -> Response:
        url = f"{API}/assessment-versions/{version['id']}/{name}"
        return client.post(url, json={**body, **extra}, headers=headers)

    return write


WRITES: dict[str, Write] = {
    "PUT workload": _put_estimate,
    "DELETE workload": _delete_estimate,
    "PUT action": _put_action,
    "DELETE action": _delete_action,
    "withdraw": _move("withdraw", reason="Replaced by the trust's new policy"),
    "submit": _move("submit"),
}


def _draft_with_content(client: TestClient) -> Json:
    """A draft with an estimate and an action, each at revision 1; the version at revision 1."""
    version = start(client)
    assert (
        put_workload(client, version["id"], GROUP, hours_per_term=1, staff_count=2).status_code
        == 200
    )
    added = client.post(f"{API}/assessment-versions/{version['id']}/actions", json=ACTION)
    assert added.status_code == 201, added.text
    assert added.headers["ETag"] == '"1"'
    return {**version, "action": added.json()["id"]}


def _unchanged(client: TestClient, write: Write, before: Json, version: Json) -> bool:
    """Nothing changed: the version reads the same, and the write based on revision 1 (what
    everything was made at) is still accepted."""
    if _version(client, version) != before:
        return False
    based_on_1 = write(client, version, {}, {"expected_revision": 1})
    # submit then finds the draft incomplete (422): the revision check had passed.
    return based_on_1.status_code in {200, 204, 422}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_of_existing_content_without_a_revision_is_428(
    client: TestClient, write: Write
) -> None:
    version = _draft_with_content(client)
    before = _version(client, version)

    response = write(client, version, {}, {})

    assert response.status_code == 428, response.text
    assert _unchanged(client, write, before, version)


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_with_a_stale_if_match_is_412_and_a_stale_expected_revision_409(
    client: TestClient, write: Write
) -> None:
    version = _draft_with_content(client)
    before = _version(client, version)

    by_header = write(client, version, {"If-Match": '"7"'}, {})
    by_field = write(client, version, {}, {"expected_revision": 7})

    assert (by_header.status_code, by_field.status_code) == (412, 409), by_field.text
    assert _unchanged(client, write, before, version)


def test_a_decision_is_based_on_the_etag_of_the_versions_get(client: TestClient) -> None:
    version = start(client)
    shown = client.get(f"{API}/assessment-versions/{version['id']}")
    assert shown.headers["ETag"] == f'"{shown.json()["revision"]}"'
    url = f"{API}/assessment-versions/{version['id']}/withdraw"

    reason = {"reason": "Replaced by the trust's new policy"}
    withdrawn = client.post(url, json=reason, headers={"If-Match": shown.headers["ETag"]})
    again = client.post(url, json=reason, headers={"If-Match": shown.headers["ETag"]})

    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.headers["ETag"] == f'"{withdrawn.json()["revision"]}"' != shown.headers["ETag"]
    assert again.status_code == 412
