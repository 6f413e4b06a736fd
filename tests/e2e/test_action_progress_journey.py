"""After approval a mitigating action is carried out: its owner (here also the policy's author)
finds it on the home page, records it in progress and then done, with the date and a link to
the evidence, and the summary, the register and the home page follow it; with JavaScript and
without. The approved assessment is made through the use-cases before the server starts, as
`wia demo` makes its own (the journeys of tests/e2e/test_approval_journey.py make one by page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from assessments.drafting import answering, editing, mitigation, workload
from assessments.drafting.schemas import AnswerSave, WorkloadEstimateSave
from assessments.kernel.actors import Actor
from assessments.kernel.clock import today
from assessments.kernel.db import create_db_engine, unit_of_work
from assessments.operations import demo
from assessments.people import accounts, queries as people_queries
from assessments.policies import catalogue, trust_schools
from assessments.policies.schemas import PolicyCreate
from assessments.rubrics.scoring import WorkloadInput, compute_results
from assessments.workflow import transitions as workflow
from tests import databases, servers
from tests.e2e.conftest import _check_the_log, _open, fill_date, screenshot, sign_in
from tests.e2e.test_approval_journey import ACTED_ON, APPROVER, AUTHOR, HIGH, WORKLOAD, _answer_for
from tests.factories.trusts import default_rubric
from tests.factories.versions import UNCONSULTED_REASON

pytestmark = pytest.mark.e2e

REFERENCE, TITLE = "WB-011", "Report writing policy"
ACTION = "Replace the written termly report with a spoken update"
DUE = today() - timedelta(days=14)  # so it is overdue until it is done
DONE_ON = today() - timedelta(days=1)  # not in the future, wherever the browser is
EVIDENCE = "https://intranet.example/minutes/staff-forum-november"


def _actor(session: Session, email: str) -> Actor:
    trust = accounts.trust_named(session=session, name=demo.TRUST)
    assert trust is not None and trust.id is not None
    user = people_queries.user_by_email(session, email, trust_id=trust.id)
    assert user is not None
    return accounts.actor_of(session, user)


def submit_an_assessment(
    session: Session,
    *,
    reference: str = REFERENCE,
    title: str = TITLE,
    workload_estimates: Sequence[WorkloadInput] = WORKLOAD,
) -> int:
    """complete_an_assessment's, submitted; returns the version's id."""
    version_id = complete_an_assessment(
        session, reference=reference, title=title, workload_estimates=workload_estimates
    )
    workflow.submit(
        session=session,
        actor=_actor(session, AUTHOR),
        version_id=version_id,
        unconsulted_reason=UNCONSULTED_REASON,
    )
    return version_id


def complete_an_assessment(
    session: Session,
    *,
    reference: str = REFERENCE,
    title: str = TITLE,
    workload_estimates: Sequence[WorkloadInput] = WORKLOAD,
) -> int:
    """Alex Author's assessment, every answer low but HIGH's, one action (owned by Alex, due a
    fortnight ago) and justifications for the rest, ready to submit; the version's id."""
    author = _actor(session, AUTHOR)
    school = trust_schools.school_named(session=session, actor=author, name=demo.SCHOOLS[0])
    policy = catalogue.create_policy(
        session=session,
        actor=author,
        data=PolicyCreate(
            reference=reference,
            title=title,
            category="teaching-and-learning",
            owner_user_id=author.user_id,
            school_id=school.id,
            review_cycle_months=12,
        ),
    )
    assert policy.id is not None
    rubric = default_rubric()
    version = editing.start_assessment(
        session=session, actor=author, policy_id=policy.id, rubric_id=rubric.id
    )
    assert version.id is not None
    for question in rubric.questions():
        answering.save_answer(
            session=session,
            actor=author,
            version_id=version.id,
            question_id=question.id,
            data=AnswerSave(value=_answer_for(question)),
        )
    for estimate in workload_estimates:
        workload.save_workload_estimate(
            session=session,
            actor=author,
            version_id=version.id,
            staff_group=estimate.staff_group,
            data=WorkloadEstimateSave(
                hours_per_term=estimate.hours_per_term, staff_count=estimate.staff_count
            ),
        )
    mitigation.add_action(
        session=session,
        actor=author,
        version_id=version.id,
        data=mitigation.ActionSave(
            description=ACTION,
            question_ids=[ACTED_ON],
            owner_user_id=author.user_id,
            due_date=DUE,
            residual_impact=1,
        ),
    )
    for question_id in HIGH:
        if question_id != ACTED_ON:
            mitigation.save_justification(
                session=session,
                actor=author,
                version_id=version.id,
                question_id=question_id,
                text="Agreed with the union reps",
            )
    return version.id


def _approve_an_assessment(session: Session) -> None:
    """submit_an_assessment's, approved by Priya Approver."""
    version_id = submit_an_assessment(session)
    workflow.approve(session=session, actor=_actor(session, APPROVER), version_id=version_id)


def serving_prepared(
    database_url: str, demo_database: str, tmp_path: Path, prepare: Callable[[Session], object]
) -> Iterator[str]:
    """`live_server`'s server, on a copy of the demo database that `prepare` added to first."""
    log = tmp_path / "server.log"
    with databases.scratch_database(database_url, tmp_path, copy_of=demo_database) as url:
        engine = create_db_engine(url)
        try:
            with unit_of_work(engine) as session:
                prepare(session)
        finally:
            engine.dispose()
        with servers.serving(servers.environment(url), log) as [server]:
            yield server.url
    _check_the_log(log)


@pytest.fixture
def served(database_url: str, demo_database: str, tmp_path: Path) -> Iterator[str]:
    """`live_server`'s server, on a copy of the demo database with the assessment approved."""
    yield from serving_prepared(database_url, demo_database, tmp_path, _approve_an_assessment)


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save progress").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_an_owner_records_an_action_in_progress_then_done(
    browser: Browser, served: str, javascript: bool
) -> None:
    rubric = default_rubric()
    answers = {q.id: _answer_for(q) for q in rubric.questions()}
    before = compute_results(rubric, answers, WORKLOAD)
    after = compute_results(rubric, answers, WORKLOAD, {ACTED_ON: 1})
    assert before.rating and after.rating and before.rating.id != after.rating.id
    shot = "" if javascript else "-no-js"  # axe runs with JavaScript only (see `screenshot`)
    with contextmanager(_open)(browser, served, javascript=javascript) as page:
        page.goto("/")
        sign_in(page, AUTHOR)
        # The demo's approved action is Alex's too, but not overdue (it has no due date).
        mine = page.locator("table[aria-labelledby='my-actions'] tbody tr", has_text=ACTION)
        overdue = page.locator("table[aria-labelledby='overdue-actions'] tbody tr")
        expect(mine).to_have_count(1)
        expect(mine).to_contain_text("Planned")
        expect(overdue).to_have_count(1)
        expect(overdue).to_contain_text(ACTION)
        screenshot(page, f"50-home-my-actions{shot}")

        # Not done yet: after the actions done so far, the rating is the one as answered.
        overdue.get_by_role("link", name=f"{REFERENCE}: {TITLE}").click()
        _heading(page, "Summary of the impact assessment")
        done_so_far = page.locator("#overall-done")
        expect(done_so_far).to_contain_text(before.rating.label)
        expect(done_so_far).to_contain_text(f"score {before.overall_score} out of 100")
        expect(page.locator("#overall-after")).to_contain_text(after.rating.label)
        page.get_by_role("link", name=ACTION).click()  # the table's "Status now" row
        _heading(page, "Mitigating action")
        expect(page.locator("#action-description")).to_have_text(ACTION)
        expect(page.locator("#history + p")).to_have_text(
            "No progress has been recorded since the assessment was approved."
        )
        screenshot(page, f"51-action{shot}")

        # In progress, with a note: back on the page, with the banner and the first entry.
        page.get_by_label("In progress").check()
        page.get_by_label("Progress note").fill("Spoken updates trialled in Year 4")
        _save(page)
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text("Progress saved.")
        expect(page.locator("#progress")).to_contain_text("In progress")
        history = page.locator(".app-history > li")
        expect(history).to_have_count(1)
        expect(history).to_contain_text("Status: Planned → In progress")

        # Done without a date: refused next to the field and in the summary, nothing lost.
        note = "Spoken updates in every year group from November"
        page.get_by_label("Done", exact=True).check()
        page.get_by_label("Progress note").fill(note)
        _save(page)
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Enter the date it was done")
        expect(page.locator("#done_on-error")).to_contain_text("Enter the date it was done")
        if javascript:  # GOV.UK's pattern: the summary takes the focus, and is read out first
            expect(summary).to_be_focused()
        expect(page.get_by_label("Progress note")).to_have_value(note)
        expect(page.get_by_label("Done", exact=True)).to_be_checked()
        expect(banner).to_have_count(0)  # shown once, after the save that made it
        expect(history).to_have_count(1)
        screenshot(page, f"52-action-error{shot}")

        # The date, in its day, month and year fields, and the evidence.
        summary.get_by_role("link", name="Enter the date it was done").click()
        if javascript:  # GOV.UK's error summary moves the focus to the date's first field
            day = page.get_by_role("group", name="Date done").get_by_label("Day", exact=True)
            expect(day).to_be_focused()
        fill_date(page, "Date done", DONE_ON)
        page.get_by_label("Link to evidence").fill(EVIDENCE)
        _save(page)
        expect(banner).to_contain_text("Progress saved.")
        expect(summary).to_have_count(0)
        progress = page.locator("#progress")
        expect(progress).to_contain_text("Done")
        expect(progress).to_contain_text(note)
        expect(progress).to_contain_text(f"{DONE_ON.day} {DONE_ON:%B %Y}")
        expect(progress.get_by_role("link", name=EVIDENCE)).to_have_attribute("href", EVIDENCE)
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text("Status: In progress → Done")  # newest first
        expect(history.first).to_contain_text(f"Evidence: none → {EVIDENCE}")
        screenshot(page, f"53-action-history{shot}")

        # The summary counts it done; the home page no longer lists it as overdue, or as one
        # still to do; the register shows the rating after the actions done.
        page.get_by_role("link", name="See the whole assessment").click()
        _heading(page, "Summary of the impact assessment")
        expect(banner).to_have_count(0)
        expect(done_so_far).to_contain_text(after.rating.label)
        expect(done_so_far).to_contain_text(f"score {after.overall_score} out of 100")
        actions = page.locator("table", has=page.get_by_role("columnheader", name="Status now"))
        expect(actions.locator("tbody tr")).to_contain_text("Done")
        screenshot(page, f"54-approved-summary-action-done{shot}")
        page.goto("/")
        _heading(page, "Home")
        expect(page.locator("#my-actions")).to_be_visible()  # the demo's action is still open
        expect(mine).to_have_count(0)
        expect(
            page.get_by_text("No mitigating action of an approved assessment is overdue.")
        ).to_be_visible()
        page.goto(f"/register?q={REFERENCE}")
        cells = page.locator("#results tbody tr", has_text=REFERENCE).locator("td")
        expect(cells.nth(7)).to_have_text(after.rating.label)  # after the actions done
        expect(cells.nth(9)).to_have_text("0")  # open actions
        screenshot(page, f"55-register-action-done{shot}")
