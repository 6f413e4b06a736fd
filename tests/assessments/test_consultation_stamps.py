"""Nothing PostgreSQL keeps of its own links an answer to its invitation (issue 18): each row
carries the id of the transaction that last wrote it (xmin), and an answer is given in the
transaction that marks its link used, so every answer is written again with the latest one.
Answers here are committed for real, each in a transaction of its own, as staff give them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from assessments.consultations.answering import give_answer
from assessments.consultations.schemas import AnswerGive
from assessments.kernel.db import unit_of_work
from assessments.models import Consultation
from tests import databases
from tests.assessments.consultation_cases import TODAY, consult, id_of, invited
from tests.factories.people import make_cast
from tests.factories.versions import draft_for

STAFF = "\n".join(f"t{n}@oak.example, Teachers" for n in range(1, 7))


@pytest.fixture
def engine(tmp_database_url: str) -> Iterator[sa.Engine]:
    engine = databases.prepared_engine(tmp_database_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("xmin is PostgreSQL's: SQLite keeps no writer's stamp on a row")
    yield engine
    engine.dispose()


def test_no_answer_shares_its_writers_stamp_with_the_invitation_it_used(
    engine: sa.Engine,
) -> None:
    with unit_of_work(engine) as session:
        cast = make_cast(session)
        consultation_id = id_of(consult(session, cast.author, draft_for(session, cast), STAFF))
    with unit_of_work(engine) as session:
        consultation = session.get_one(Consultation, consultation_id)
        invitation_ids = [invitation.id or 0 for invitation in invited(session, consultation)]
    for invitation_id in invitation_ids[:4]:
        with unit_of_work(engine) as session:  # each answer its own transaction
            data = AnswerGive.model_validate({"hours_per_week": "1", "agreement": 3})
            give_answer(session=session, invitation_id=invitation_id, data=data, today=TODAY)

    with engine.connect() as connection:
        joined = connection.execute(
            sa.text(
                "SELECT count(*) FROM consultation_invitation i JOIN consultation_answer a"
                " ON a.xmin = i.xmin AND a.consultation_id = i.consultation_id"
                " WHERE i.consultation_id = :id"
            ),
            {"id": consultation_id},
        ).scalar_one()
        answer_stamps = connection.execute(
            sa.text("SELECT count(DISTINCT xmin::text) FROM consultation_answer")
        ).scalar_one()

    assert answer_stamps == 1  # the four answers carry one stamp, the last answer's
    assert joined == 4  # the last link used shares it with all four alike: none told apart
