"""HTML forms: the revision a form was based on, errors in GOV.UK's words, and the form page
shown again with what was typed and a message next to each field (422)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.inputs import parse_int
from app.web import render
from assessments.kernel.errors import ValidationFailed
from assessments.kernel.inputs import MAX_INT

STALE_PAGE = "This page is out of date: reload it and try again"


def parse_revision(text: str, field: str) -> int | None:
    """The revision a form was based on; None when it sends none (nothing to compare)."""
    if not text.strip():
        return None
    return parse_int(text, field, lo=0, hi=MAX_INT, message=STALE_PAGE)


def form_errors(exc: ValidationError, messages: Mapping[str, str]) -> dict[str, str]:
    """Field → message, in GOV.UK's words where we have them, else pydantic's."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(field, _own_words(error) or messages.get(field, error["msg"]))
    return errors


def _own_words(error: Any) -> str | None:
    """What the owner's check said: it names which of its two rules was broken (none given,
    or both a person and a name), which one message for the field cannot."""
    if error["loc"] == ("owner",) and error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return None


# The fields typed as day, month and year (templates/_date.html): a summary's link goes to the
# day, the first of the three, as GOV.UK asks (their group's id takes no focus).
DATE_FIELDS = frozenset(
    {
        "due_date",
        "done_on",
        "from",
        "to",
        "meeting_date",
        "full-meeting_date",
        "opens_on",
        "closes_on",
        "met_on",
    }
)


def error_list(errors: Mapping[str, str], prefix: str = "") -> list[dict[str, str]]:
    """The items of a GOV.UK error summary, each linking to its field."""
    return [
        {"text": message, "href": f"#{prefix}{field}{'-day' if field in DATE_FIELDS else ''}"}
        for field, message in errors.items()
    ]


def render_form(
    request: Request,
    template: str,
    context: dict[str, Any],
    errors: Mapping[str, str] | None = None,
    *,
    prefix: str = "",
    block: str | None = None,
    status_code: int | None = None,
) -> Response:
    """A page with a form: with `errors`, each shown by its field and in the summary at the
    top (linking to `#<prefix><field>`), and a 422 unless another status is given."""
    errors = dict(errors or {})
    status = status_code if status_code is not None else 422 if errors else 200
    context = {**context, "errors": errors, "error_list": error_list(errors, prefix)}
    return render(request, template, context, block=block, status_code=status)


def submit_form(
    attempt: Callable[[], Response],
    form_again: Callable[..., Response],
    messages: Mapping[str, str] | None = None,
) -> Response:
    """What `attempt` answers; if a use-case refuses what was entered (ValidationFailed), or
    with `messages` the form's input model does (pydantic), `form_again(errors=…)`."""
    try:
        return attempt()
    except ValidationFailed as exc:
        return form_again(errors=exc.errors)
    except ValidationError as exc:
        if messages is None:
            raise
        return form_again(errors=form_errors(exc, messages))
