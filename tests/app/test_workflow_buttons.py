"""The pages and the API follow the table of moves: a version's pages show a button for each
move its viewer may make and no other, its JSON lists the same moves, and no template decides
by comparing status strings."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import PROJECT_ROOT, Settings
from assessments.drafting import version_view
from assessments.kernel.actors import Actor
from assessments.models import AssessmentVersion, VersionStatus
from assessments.workflow.moves import Move
from tests.factories.decisions import open_page
from tests.factories.people import make_api_token, make_cast
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR
from tests.factories.versions import make_version

pytestmark = pytest.mark.usefixtures("rubric_published")
MOVE_FORM = re.compile(r"/assessments/(\d+)/(\w+)$")


def buttons(client: TestClient, version_id: int) -> set[str]:
    """The moves the version's summary and review pages offer: a form that makes one, or a
    link to the page that confirms one (approving, withdrawing)."""
    shown = set()
    for address in (f"/assessments/{version_id}/summary", f"/assessments/{version_id}/review"):
        page = open_page(client, address)
        targets = [form.attrs.get("action", "") for form in page.find_all("form")]
        targets += [link.attrs.get("href", "") for link in page.find_all("a")]
        for target in targets:
            found = MOVE_FORM.search(target)
            if found and int(found.group(1)) == version_id and found.group(2) in set(Move):
                shown.add(found.group(2))
    return shown


@pytest.mark.parametrize("status", list(VersionStatus))
@pytest.mark.parametrize("who", ["author", "approver", "author_approver", "auditor"])
def test_the_pages_show_a_button_for_each_allowed_move(
    client: TestClient, session: Session, settings: Settings, status: VersionStatus, who: str
) -> None:
    cast = make_cast(session)
    actor: Actor = getattr(cast, who)
    version_id = _version_id(make_version(session, status, school_id=cast.school.id))
    allowed = version_view.view_assessment(
        session=session, actor=actor, version_id=version_id
    ).allowed_moves
    sign_in_as(client, session, settings, actor)
    assert buttons(client, version_id) == set(allowed)


def test_a_version_s_json_lists_the_moves_its_reader_may_make(
    anonymous_client: TestClient, session: Session
) -> None:
    cast = make_cast(session)
    submitted = make_version(session, VersionStatus.SUBMITTED, approver=cast.approver)
    version_id = _version_id(submitted)
    address = f"/api/v1/assessment-versions/{version_id}"
    for actor, moves in [
        (cast.approver, ["approve", "return"]),
        (AUTHOR, []),  # submitted: nothing for its author until it is decided
    ]:
        headers = {"Authorization": f"Bearer {make_api_token(session, actor)}"}
        response = anonymous_client.get(address, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["allowed_moves"] == moves


def _version_id(version: AssessmentVersion) -> int:
    assert version.id is not None
    return version.id


STATUS_WORDS = "|".join(status.value for status in VersionStatus)
# A status compared as a string: `status.value == "draft"`, `status in ("approved", …)`, or a
# mapping keyed by status strings.
STATUS_STRING = re.compile(
    r"status(\.value)?\s*((==|!=)\s*['\"]|(not\s+)?in\s*[(\[]\s*['\"])"
    rf"|['\"]({STATUS_WORDS})['\"]\s*:"
)


def test_no_template_compares_status_strings() -> None:
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted((PROJECT_ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if STATUS_STRING.search(line)
    ]
    assert offenders == []
