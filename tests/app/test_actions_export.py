"""A version's mitigating actions as CSV, for the person who follows them up."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from assessments.drafting import mitigation
from assessments.models import AssessmentVersion
from assessments.register.export import ACTION_COLUMNS
from tests.factories.audit import sql
from tests.factories.trusts import AUTHOR


def test_the_actions_download_as_csv_with_formulas_neutralised(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    assert draft.id is not None
    for description, due in (("=cmd|' /C calc'!A0", date(2027, 3, 31)), ("Cut one meeting", None)):
        mitigation.add_action(
            session=session,
            actor=AUTHOR,
            version_id=draft.id,
            data=mitigation.ActionSave(
                description=description,
                question_ids=["what-is-stopped", "change-and-offset"],
                owner="Deputy Head",
                due_date=due,
                residual_impact=1,
            ),
        )
    session.commit()

    response = client.get(f"/assessments/{draft.id}/actions.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="actions-TL-004-v1.csv"'
    )
    assert response.text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert table[0] == list(ACTION_COLUMNS)
    assert [row[2:] for row in table[1:]] == [
        [
            "TL-004",
            "1",
            "'=cmd|' /C calc'!A0",
            "what-is-stopped change-and-offset",
            "Deputy Head",
            "2027-03-31",
            "planned",
            "1",
            "planned",  # a draft's action stands as written
            "",
            "",
            "",
            "false",
        ],
        [
            "TL-004",
            "1",
            "Cut one meeting",
            "what-is-stopped change-and-offset",
            "Deputy Head",
            "",
            "planned",
            "1",
            "planned",
            "",
            "",
            "",
            "false",
        ],
    ]


def test_the_file_name_keeps_only_what_a_header_can_carry_of_the_reference(
    client: TestClient, session: Session, draft: AssessmentVersion
) -> None:
    # The form allows letters, digits and ._/- only; an import or a hand edit may write more.
    sql(
        session,
        "UPDATE policy SET reference = :ref WHERE reference = 'TL-004'",
        ref='TL/004 "\uff38"\r\nSet-Cookie: a=b',
    )

    response = client.get(f"/assessments/{draft.id}/actions.csv")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="actions-TL-004-Set-Cookie-a-b-v1.csv"'
    )
