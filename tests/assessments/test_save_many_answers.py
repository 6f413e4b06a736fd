"""A page of answers saved at once (save_answers, the wizard's section form) leaves exactly
what saving the same answers one at a time leaves: the answers, the version's stored results
and one audit event per answer that changed, none for one unchanged or refused."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from assessments.drafting import answering
from assessments.drafting.schemas import AnswerSave
from assessments.rubrics.schema import AnswerKind
from tests.factories.answers import high_answer, low_answer
from tests.factories.audit import events_since, last_seq
from tests.factories.trusts import AUTHOR, RUBRIC
from tests.factories.versions import make_draft, version

QUESTIONS = [q for q in RUBRIC.questions() if q.kind is AnswerKind.CHOICE]


def _page(high: bool) -> dict[str, AnswerSave]:
    pick = high_answer if high else low_answer
    return {q.id: AnswerSave(value=pick(q)) for q in QUESTIONS}


def _left(session: Session, version_id: int, since: int) -> dict[str, Any]:
    row = version(session, version_id)
    changes = [json.loads(e.changes) for e in events_since(session, since, entity="answer")]
    return {
        "results": (row.overall_score, row.rating, row.rating_after, row.net_hours_per_year),
        "events": [{k: v for k, v in c.items() if k != "version_id"} for c in changes],
    }


def _saved_one_by_one(session: Session, answers: dict[str, AnswerSave]) -> dict[str, Any]:
    version_id = make_draft(session).id
    assert version_id is not None
    since = last_seq(session)
    for question_id, data in answers.items():
        answering.save_answer(
            session=session, actor=AUTHOR, version_id=version_id, question_id=question_id, data=data
        )
    return _left(session, version_id, since)


def _saved_at_once(session: Session, answers: dict[str, AnswerSave]) -> dict[str, Any]:
    version_id = make_draft(session).id
    assert version_id is not None
    since = last_seq(session)
    errors = answering.save_answers(
        session=session, actor=AUTHOR, version_id=version_id, answers=answers
    )
    assert errors == {}
    return _left(session, version_id, since)


def test_a_page_saved_at_once_leaves_what_one_answer_at_a_time_leaves(
    session: Session, rubric_published: None
) -> None:
    for high in (False, True):
        at_once = _saved_at_once(session, _page(high))
        assert at_once == _saved_one_by_one(session, _page(high))
        assert [e["question_id"] for e in at_once["events"]] == [q.id for q in QUESTIONS]
        assert at_once["results"][0] is not None  # the stored score counts every answer


def test_unchanged_and_refused_answers_record_nothing_and_the_rest_are_saved(
    session: Session, rubric_published: None
) -> None:
    version_id = make_draft(session).id
    assert version_id is not None
    first, second, third = QUESTIONS[:3]
    answering.save_answers(
        session=session,
        actor=AUTHOR,
        version_id=version_id,
        answers={first.id: AnswerSave(value=low_answer(first))},
    )
    before = version(session, version_id).overall_score
    since = last_seq(session)
    errors = answering.save_answers(
        session=session,
        actor=AUTHOR,
        version_id=version_id,
        answers={
            first.id: AnswerSave(value=low_answer(first)),  # as it was
            second.id: AnswerSave(value="not one of the options"),
            third.id: AnswerSave(value=high_answer(third)),
        },
    )
    assert set(errors) == {second.id}
    events = events_since(session, since)
    assert [(e.action, json.loads(e.changes)["question_id"]) for e in events] == [
        ("saved", third.id)
    ]
    assert version(session, version_id).overall_score != before  # the third answer counted
