"""Page rendering: one template per URL, with htmx requests getting just the block they swap."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app import flash
from app.settings import PROJECT_ROOT
from assessments.kernel.actors import Actor, Role
from assessments.models import ActionStatus, VersionStatus
from assessments.rubrics.screening import SCREENING_LABELS

_environment = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(PROJECT_ROOT / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
# The GOV.UK components are globals rather than per-template imports: a block rendered on its
# own for htmx does not run its template's top-level imports (jinja2-fragments issue #21).
GOVUK_COMPONENTS = (
    "button",
    "checkboxes",
    "date-input",
    "details",
    "error-message",
    "error-summary",
    "file-upload",
    "input",
    "radios",
    "select",
    "summary-list",
    "tag",
    "textarea",
)
for _component in GOVUK_COMPONENTS:
    _macros = _environment.get_template(f"govuk_frontend_jinja/components/{_component}/macro.html")
    _name = "govuk" + _component.title().replace("-", "")
    _environment.globals[_name] = getattr(_macros.module, _name)


def file_name_part(text: str) -> str:
    """Text (a policy's reference) safe in a download's file name and its header: TL-004 as it
    is; anything but ASCII letters, digits, `.`, `_` and `-` becomes `-`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "policy"


BRITISH_DATE_STYLES = {
    "long": "%-d %B %Y",  # 1 December 2026
    "short": "%-d %b %Y",  # 1 Dec 2026, in tables
    "short_time": "%-d %b %Y %H:%M",  # 1 Dec 2026 14:05
}


def british_date(value: date | datetime, style: str = "long") -> str:
    """A date the way it is written in Britain (the templates' `british_date` filter); `style`
    is one of BRITISH_DATE_STYLES."""
    return value.strftime(BRITISH_DATE_STYLES[style])


def plain_number(value: Decimal) -> str:
    """A number as a person would write it: 2.50 → 2.5, -1.00 → -1."""
    return format(value.normalize() + 0, "f")


def shown(value: object) -> str:
    """A recorded value in words (the templates' `shown` filter): a date the British way, a
    status by its label, nothing as "none"."""
    if value is None or value == "":
        return "none"
    if isinstance(value, date):
        return british_date(value)
    label = getattr(value, "label", None)
    return label if isinstance(label, str) else str(value)


def current_actor(request: Request) -> Actor | None:
    """Who is signed in, for the page header (None on pages anyone may see)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    return actor


def sort_query(params: Mapping[str, str], key: str, order: str) -> str:
    """The register's query string, sorted by `key` (back to the first page)."""
    return urlencode({**params, "sort": key, "order": order, "page": "1"})


def page_query(params: Mapping[str, str], page: int) -> str:
    return urlencode({**params, "page": str(page)})


_scroll_box = _environment.get_template("_scroll_box.html").module
_environment.globals["scroll_box"] = getattr(_scroll_box, "scroll_box")  # noqa: B009 - a macro
_environment.filters["plain_number"] = plain_number
_environment.filters["british_date"] = british_date
_environment.filters["shown"] = shown
_environment.globals["sort_query"] = sort_query
_environment.globals["page_query"] = page_query
_environment.globals["current_actor"] = current_actor
_environment.globals["Role"] = Role
# Its named sets (OPEN, APPROVED_ONCE, …) let a template ask where a version stands.
_environment.globals["VersionStatus"] = VersionStatus
_environment.globals["screening_labels"] = SCREENING_LABELS
_environment.globals["STATUS_TAGS"] = {  # the colour of an open version's status tag
    VersionStatus.DRAFT: "govuk-tag--grey",
    VersionStatus.RETURNED: "govuk-tag--red",
    VersionStatus.SUBMITTED: "govuk-tag--blue",
}
_environment.globals["ACTION_TAGS"] = {
    ActionStatus.PLANNED: "govuk-tag--grey",
    ActionStatus.IN_PROGRESS: "govuk-tag--blue",
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.DROPPED: "govuk-tag--red",
}
templates = Jinja2Blocks(env=_environment)


def wants_fragment(request: Request) -> bool:
    """An htmx request that swaps part of the page (a boosted link wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


_environment.globals["wants_fragment"] = wants_fragment


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """The whole page, or only `block` of the same template when htmx asks for a fragment."""
    headers = {"Vary": "HX-Request"}
    if block is not None and wants_fragment(request):
        fragment = templates.TemplateResponse(
            request, template, context, status_code=status_code, block_name=block
        )
        title = _environment.get_template("_title.html").render(context).encode()
        return HTMLResponse(title + bytes(fragment.body), status_code=status_code, headers=headers)
    context = {**context, "confirmation": flash.waiting(request)}
    response = templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=headers
    )
    return flash.shown(request, response)


def redirect(request: Request, url: str) -> Response:
    """After a successful POST: 303 for plain forms, HX-Redirect for htmx."""
    response = RedirectResponse(url, status_code=303)  # which percent-encodes the URL
    if wants_fragment(request):
        # Without its #fragment: htmx sets location.href, and a URL that differs from the
        # current one only by its fragment would scroll the stale page instead of loading it.
        location = response.headers["location"].partition("#")[0]
        return Response(status_code=204, headers={"HX-Redirect": location})
    return response
