"""The wizard's steps, as the progress indicator shows them and as "Save and continue" follows
them: the screening (when the rubric has one), then, unless it screened the change out, one
page per rubric section and the workload estimate; the summary last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessments.drafting.version_view import AssessmentView

# Not valid rubric identifiers, so they never clash with a section's id (the shipped rubric has a
# section called "workload", which made two steps "current" at once).
SCREENING_STEP, WORKLOAD_STEP, SUMMARY_STEP = "_screening", "_workload", "_summary"


@dataclass(frozen=True)
class Step:
    """One page of the wizard, as the progress indicator shows it."""

    id: str
    title: str
    url: str
    done: bool
    current: bool


def steps_of(view: AssessmentView, current: str) -> list[Step]:
    """The steps, the one called `current` marked so. A screened-out version's are the
    screening and the summary, but for a page of the full assessment opened all the same
    (what was answered there is kept, and may be read)."""
    base = f"/assessments/{view.version.id}"
    screening: list[Step] = []
    if view.rubric.screening is not None:
        answered = view.screening_outcome() is not None
        title, url = view.rubric.screening.title, f"{base}/screening"
        screening.append(Step(SCREENING_STEP, title, url, answered, current == SCREENING_STEP))
    summary = Step(SUMMARY_STEP, "Summary", f"{base}/summary", False, current == SUMMARY_STEP)
    if view.screened_out and current in ("", SCREENING_STEP, SUMMARY_STEP):
        return [*screening, summary]
    return [*screening, *_full_steps(view, current, base), summary]


def _full_steps(view: AssessmentView, current: str, base: str) -> list[Step]:
    steps = [
        Step(
            s.section_id,
            s.title,
            f"{base}/sections/{s.section_id}",
            not s.missing_required,  # an optional question left unanswered does not hold it up
            s.section_id == current,
        )
        for s in view.results.sections
    ]
    steps.append(
        Step(
            WORKLOAD_STEP,
            view.rubric.workload.title,
            f"{base}/workload",
            bool(view.estimates),
            current == WORKLOAD_STEP,
        )
    )
    return steps


def page_context(view: AssessmentView, current: str) -> dict[str, Any]:
    steps = steps_of(view, current)
    index = next(i for i, step in enumerate(steps) if step.current)
    return {
        "view": view,
        "steps": steps,
        "step_number": index + 1,
        "previous_step": steps[index - 1] if index else None,
        "editable": view.may_edit,  # forms only for those who may use them
        "policy_url": f"/policies/{view.policy.id}",
    }
