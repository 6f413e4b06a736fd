"""The JSON API's workload estimates: saving, updating, validating and deleting them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.factories.api import API, Json, get_results, locs, put_workload, start
from tests.factories.trusts import RUBRIC

# --- workload estimates ------------------------------------------------------------------------


@pytest.mark.usefixtures("rubric_published")
class TestWorkload:
    def test_saving_an_estimate_returns_it_and_shows_it_on_the_version(
        self, client: TestClient
    ) -> None:
        version = start(client)
        group = RUBRIC.staff_groups[0].id

        response = put_workload(
            client, version["id"], group, hours_per_term=2.5, staff_count=40, note="Marking"
        )

        assert response.status_code == 200
        saved = response.json()
        assert saved["staff_group"] == group
        assert Decimal(saved["hours_per_term"]) == Decimal("2.5")
        assert (saved["staff_count"], saved["note"], saved["revision"]) == (40, "Marking", 1)
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert shown["workload_estimates"] == [saved]

    def test_updating_an_estimate_bumps_its_revision(self, client: TestClient) -> None:
        version = start(client)
        group = RUBRIC.staff_groups[0].id
        put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)

        response = put_workload(
            client,
            version["id"],
            group,
            hours_per_term="-1.25",
            staff_count=12,
            expected_revision=1,
        )

        assert response.status_code == 200
        updated = response.json()
        assert Decimal(updated["hours_per_term"]) == Decimal("-1.25")
        assert (updated["staff_count"], updated["revision"]) == (12, 2)

    def test_a_change_based_on_a_stale_revision_is_refused(self, client: TestClient) -> None:
        version = start(client)
        group = RUBRIC.staff_groups[0].id
        put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)
        put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        response = put_workload(
            client, version["id"], group, hours_per_term=3, staff_count=10, expected_revision=1
        )

        assert response.status_code == 409
        assert "Someone else changed this" in response.json()["detail"]
        [kept] = client.get(f"{API}/assessment-versions/{version['id']}").json()[
            "workload_estimates"
        ]
        assert (Decimal(kept["hours_per_term"]), kept["revision"]) == (Decimal(2), 2)

    def test_resending_an_unchanged_estimate_is_not_a_conflict(self, client: TestClient) -> None:
        version = start(client)
        group = RUBRIC.staff_groups[0].id
        put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)
        put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        response = put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        assert response.status_code == 200
        assert response.json()["revision"] == 2

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("hours_per_term", "500.01"),
            ("hours_per_term", -501),
            ("hours_per_term", "1.234"),
            ("hours_per_term", 1.234),
            ("hours_per_term", "lots"),
            ("staff_count", -1),
            ("staff_count", 10_001),
        ],
    )
    def test_an_invalid_estimate_is_refused_naming_its_field(
        self, client: TestClient, field: str, value: object
    ) -> None:
        version = start(client)
        body: Json = {"hours_per_term": 1, "staff_count": 5, field: value}

        response = put_workload(client, version["id"], RUBRIC.staff_groups[0].id, **body)

        assert response.status_code == 422
        assert locs(response) == [["body", field]]
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert shown["workload_estimates"] == []

    def test_the_limits_of_hours_are_accepted(self, client: TestClient) -> None:
        version = start(client)
        first, second = RUBRIC.staff_groups[0].id, RUBRIC.staff_groups[1].id

        assert put_workload(client, version["id"], first, hours_per_term=500, staff_count=1)
        assert (
            put_workload(
                client, version["id"], second, hours_per_term="-500.00", staff_count=0
            ).status_code
            == 200
        )

    def test_missing_fields_are_named(self, client: TestClient) -> None:
        version = start(client)

        response = put_workload(client, version["id"], RUBRIC.staff_groups[0].id)

        assert response.status_code == 422
        assert sorted(locs(response)) == [["body", "hours_per_term"], ["body", "staff_count"]]

    def test_an_unknown_staff_group_is_refused(self, client: TestClient) -> None:
        version = start(client)

        response = put_workload(client, version["id"], "governors", hours_per_term=1, staff_count=3)

        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["path", "staff_group"]
        assert "governors" in error["msg"]
        deleted = client.delete(f"{API}/assessment-versions/{version['id']}/workload/governors")
        assert deleted.status_code == 422
        assert deleted.json()["detail"][0]["loc"] == ["path", "staff_group"]

    def test_deleting_an_estimate_someone_changed_since_is_refused(
        self, client: TestClient
    ) -> None:
        version = start(client)
        group = RUBRIC.staff_groups[0].id
        url = f"{API}/assessment-versions/{version['id']}/workload/{group}"
        put_workload(client, version["id"], group, hours_per_term=1, staff_count=10)
        put_workload(
            client, version["id"], group, hours_per_term=2, staff_count=10, expected_revision=1
        )

        stale = client.delete(url, params={"expected_revision": 1})

        assert stale.status_code == 409
        assert "Someone else changed this" in stale.json()["detail"]
        assert client.delete(url, params={"expected_revision": 2}).status_code == 204

    def test_deleting_an_estimate_removes_it(self, client: TestClient) -> None:
        version = start(client)
        first, second = RUBRIC.staff_groups[0].id, RUBRIC.staff_groups[1].id
        put_workload(client, version["id"], first, hours_per_term=1, staff_count=10)
        put_workload(client, version["id"], second, hours_per_term=2, staff_count=5)

        response = client.delete(
            f"{API}/assessment-versions/{version['id']}/workload/{first}",
            params={"expected_revision": 1},
        )

        assert response.status_code == 204
        assert response.content == b""
        shown = client.get(f"{API}/assessment-versions/{version['id']}").json()
        assert [e["staff_group"] for e in shown["workload_estimates"]] == [second]
        assert [line["staff_group"] for line in get_results(client, version["id"])["workload"]] == [
            second
        ]

    def test_deleting_an_estimate_that_is_not_there_is_harmless(self, client: TestClient) -> None:
        version = start(client)

        response = client.delete(
            f"{API}/assessment-versions/{version['id']}/workload/{RUBRIC.staff_groups[0].id}"
        )

        assert response.status_code == 204
