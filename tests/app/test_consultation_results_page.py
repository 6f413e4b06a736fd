"""A consultation's page (issue 18): the policy's readers see the counts and the rate, "Too
few to show" for groups too small and what staff wrote, escaped, once it has closed; nobody of
another trust sees it at all."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from assessments.consultations import answering, opening, queries
from assessments.consultations.schemas import AnswerGive
from assessments.kernel.actors import Grant, Role
from assessments.people import accounts
from tests.app.consultation_pages import (
    SCRIPT,
    author,
    cast,
    consult,
    consultations,
    draft,
    facts,
    form_url,
    today,
)
from tests.app.pages import (
    page,
    post_form,
)
from tests.factories.decisions import table_rows
from tests.factories.people import Cast, make_person
from tests.factories.sign_in import sign_in_as

__all__ = ["author", "cast", "draft"]  # the fixtures
pytestmark = pytest.mark.usefixtures("rubric_published")

# --- what staff said ----------------------------------------------------------------------------

# 6 teachers, 3 of support staff and 2 teaching assistants asked; all but one teacher answer.
MANY = "".join(
    [f"t{n}@oak.example, Teachers\n" for n in range(6)]
    + [f"s{n}@oak.example, Support staff\n" for n in range(3)]
    + [f"a{n}@oak.example, Teaching assistants\n" for n in range(2)]
)


def answer_all_but_one(session: Session, consultation_id: int) -> None:
    """Every invitee but the first teacher answers 2 hours, agreeing; the last writes SCRIPT."""
    *others, last = queries.invitations_of(session, consultation_id)[1:]
    for invitation in [*others, last]:
        wrote = {"concerns": SCRIPT, "would_help": "Release time"} if invitation is last else {}
        data = AnswerGive.model_validate({"hours_per_week": 2, "agreement": 4, **wrote})
        answering.give_answer(
            session=session, invitation_id=invitation.id or 0, data=data, today=today()
        )
    session.commit()


@pytest.mark.parametrize("who", ["approver", "auditor", "author"])
def test_the_policys_readers_see_the_counts_with_small_groups_hidden_and_comments_escaped(
    client: TestClient, session: Session, settings: Settings, cast: Cast, draft: int, who: str
) -> None:
    consultation_id = consult(session, cast.author, draft, MANY)
    answer_all_but_one(session, consultation_id)
    sign_in_as(client, session, settings, getattr(cast, who))
    while_open = page(client.get(f"/consultations/{consultation_id}"))
    assert facts(while_open)["Answered"] == "10 (91%)"
    assert "shown once the consultation has closed" in while_open.by_id("not-shown").text
    assert not while_open.has_id("by-group") and not while_open.has_id("comments")
    closing = while_open.find_all("form", action=f"/consultations/{consultation_id}/close")
    assert len(closing) == (1 if who == "author" else 0)
    opening.close_consultation(
        session=session, actor=cast.author, consultation_id=consultation_id, today=today()
    )
    session.commit()

    response = client.get(f"/consultations/{consultation_id}")

    assert response.status_code == 200, response.text[:500]
    doc = page(response)
    assert facts(doc)["Asked"] == "11"
    assert facts(doc)["Answered"] == "10 (91%)"
    hidden = "Too few to show"
    assert table_rows(doc.by_id("by-group")) == [
        ["Teachers", "5", "2.0", "1.0", "4.0"],  # 13 hours a term is 1 a week
        ["Teaching assistants", hidden, hidden, "Not estimated", hidden],
        ["Support staff", hidden, hidden, "Not estimated", hidden],
    ]
    assert table_rows(doc.by_id("by-school")) == [[cast.school.name, "10", "2.0", "4.0"]]
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#39;staff&#39;)&lt;/script&gt;" in response.text
    [comment] = doc.by_id("comments").find_all("li")
    assert [p.text for p in comment.find_all("p")] == [
        f"Concerns: {SCRIPT}",
        "Would make it work: Release time",
    ]
    assert doc.find_all("form", action=f"/consultations/{consultation_id}/close") == []


def test_someone_of_another_trust_finds_no_consultation(
    client: TestClient, session: Session, settings: Settings, cast: Cast, draft: int
) -> None:
    consultation_id = consult(session, cast.author, draft)
    trust = accounts.create_trust(session=session, name="Another Trust")
    assert trust.id is not None
    outsider = make_person(session, "Otto Other", Grant(Role.AUTHOR), trust_id=trust.id)
    sign_in_as(client, session, settings, outsider)

    assert client.get(f"/consultations/{consultation_id}").status_code == 404
    assert post_form(client, f"/consultations/{consultation_id}/close", {}).status_code == 404
    assert client.get(form_url(draft)).status_code == 404
    assert consultations(session, draft)[0].closed_at is None
