"""Text too long for a field, text no database can store (a NUL) and a body over the request
limit, typed into each form of a staff consultation (issue 18): opening one, a staff answer,
a theme added or changed, a formal consultation and the reason for submitting without
consulting. Each is refused (4xx) by its field, what was typed kept to put right, and nothing
saved; text of a field's full length (in characters, not bytes) is taken."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session, select

from app.mail.links import consultation_path
from app.settings import Settings
from assessments.consultations import opening, queries, requirement
from assessments.consultations.schemas import AnswerGive, ConsultationOpen, FormalSave, ThemeSave
from assessments.consultations.themes import add_theme
from assessments.kernel.clock import today
from assessments.kernel.inputs import NUL_MESSAGE
from assessments.models import ConsultationAnswer, VersionStatus
from assessments.rubrics import publishing
from tests.app.pages import error_for, field_value, parse, submit
from tests.factories.answers import QUESTIONS
from tests.factories.decisions import open_page
from tests.factories.people import Cast, make_cast
from tests.factories.sign_in import sign_in_as
from tests.factories.trusts import AUTHOR, default_rubric
from tests.factories.versions import complete_draft, draft_for, view

pytestmark = pytest.mark.usefixtures("rubric_published")

STAFF = "ann@oak.example, Teachers"
TITLE = "Marking at weekends"


@pytest.fixture
def cast(session: Session) -> Cast:
    return make_cast(session)


@dataclass(frozen=True)
class Form:
    """One of a consultation's forms: the page it is on, where it posts, what it sends when
    nothing is wrong, whether it has saved anything, and its fields' ids' prefix there."""

    page: str
    action: str
    good: dict[str, str]
    saved: Callable[[], bool]
    prefix: str = ""
    model: type[BaseModel] | None = None  # the input model that bounds its text


@dataclass(frozen=True)
class Author:
    client: TestClient
    session: Session
    settings: Settings
    cast: Cast

    def draft(self) -> int:
        """A complete draft of the cast's school, not consulted."""
        version_id = draft_for(self.session, self.cast)
        complete_draft(self.session, self.cast.author, version_id)
        self.session.commit()
        return version_id

    def consultation(self, version_id: int) -> int:
        """A consultation of STAFF on the draft, open from today."""
        on = today()
        data = ConsultationOpen(opens_on=on, closes_on=on, summary="Less marking", invitees=STAFF)
        consultation = opening.open_consultation(
            session=self.session, actor=self.cast.author, version_id=version_id, data=data, today=on
        )
        self.session.commit()
        assert consultation.id is not None
        return consultation.id

    def titles(self, consultation_id: int) -> list[str]:
        self.session.expire_all()
        return [theme.title for theme in queries.themes_of(self.session, consultation_id)]


def opening_form(author: Author) -> Form:
    version_id = author.draft()
    base = f"/assessments/{version_id}"
    return Form(
        f"{base}/consultations/new",
        f"{base}/consultations",
        {"summary": "Less marking", "invitees": STAFF},
        lambda: bool(queries.consultations_of_version(author.session, version_id)),
        model=ConsultationOpen,
    )


def answer_form(author: Author) -> Form:
    consultation_id = author.consultation(author.draft())
    [invitation] = queries.invitations_of(author.session, consultation_id)
    assert invitation.id is not None
    link = consultation_path(author.settings, invitation.id)
    good = {"direction": "more", "hours": "1.5", "agreement": "4", "concerns": "", "would_help": ""}
    answered = select(ConsultationAnswer)
    return Form(link, link, good, lambda: bool(author.session.exec(answered).all()), "", AnswerGive)


THEME = {"title": TITLE, "staff_said": "", "changed": "no", "response": "Nothing changes"}


def theme_form(author: Author) -> Form:
    consultation_id = author.consultation(author.draft())
    address = f"/consultations/{consultation_id}"
    added = partial(author.titles, consultation_id)
    return Form(address, f"{address}/themes", THEME, lambda: bool(added()), "theme-", ThemeSave)


def theme_change_form(author: Author) -> Form:
    consultation_id = author.consultation(author.draft())
    theme = add_theme(
        session=author.session,
        actor=author.cast.author,
        consultation_id=consultation_id,
        data=ThemeSave.model_validate({**THEME, "changed": False}),
    )
    author.session.commit()
    address = f"/consultations/{consultation_id}/themes/{theme.id}"
    changed = {**THEME, "title": "Marking on Sundays"}
    titles = partial(author.titles, consultation_id)
    return Form(address, address, changed, lambda: titles() != [TITLE], model=ThemeSave)


def formal_form(author: Author) -> Form:
    version_id = author.draft()
    base = f"/assessments/{version_id}/formal-consultations"
    on = today()
    good = {"body": "Unions", "views": "Against it", "agreed": ""}
    good |= {"met_on-day": str(on.day), "met_on-month": str(on.month), "met_on-year": str(on.year)}
    recorded = partial(queries.formal_of_version, author.session, version_id)
    return Form(f"{base}/new", base, good, lambda: bool(recorded()), model=FormalSave)


def submit_form(author: Author) -> Form:
    """The summary's Submit of a draft rated very high, on a rubric whose very-high band asks
    for staff to be consulted, and not consulted."""
    rubric = default_rubric()
    bands = [
        band.model_copy(update={"consultation_required": band.id == "very-high"})
        for band in rubric.rating_bands
    ]
    newer = rubric.model_copy(update={"version": rubric.version + 1, "rating_bands": bands})
    publishing.publish_rubric(session=author.session, actor=AUTHOR, rubric=newer)
    version_id = draft_for(author.session, author.cast)
    complete_draft(author.session, author.cast.author, version_id, flagged=list(QUESTIONS))
    author.session.commit()
    base = f"/assessments/{version_id}"

    def saved() -> bool:
        author.session.expire_all()
        return view(author.session, version_id).version.status is not VersionStatus.DRAFT

    return Form(f"{base}/summary", f"{base}/submit", {requirement.FIELD: "Asked last term"}, saved)


FORMS: dict[str, Callable[[Author], Form]] = {
    "opening": opening_form,
    "answer": answer_form,
    "theme": theme_form,
    "theme-change": theme_change_form,
    "formal": formal_form,
    "submit": submit_form,
}
# (form, field): each free-text field of each form
TEXTS = [
    ("opening", "summary"),
    ("answer", "concerns"),
    ("answer", "would_help"),
    *[("theme", name) for name in ("title", "staff_said", "response")],
    ("theme-change", "title"),
    *[("formal", name) for name in ("body", "views", "agreed")],
    ("submit", requirement.FIELD),
]


def limit_of(form: Form, name: str) -> int:
    """The field's most characters, as its input model says."""
    if form.model is None:  # the submission's reason, which its rule bounds
        return requirement.MAX_REASON
    metadata = form.model.model_fields[name].metadata
    [most] = [m.max_length for m in metadata if hasattr(m, "max_length")]
    assert isinstance(most, int)
    return most


@pytest.fixture
def author(client: TestClient, session: Session, settings: Settings, cast: Cast) -> Author:
    sign_in_as(client, session, settings, cast.author)
    return Author(client, session, settings, cast)


def send(author: Author, form: Form, changes: dict[str, str]) -> tuple[int, str]:
    """The form filled in from its page with `changes`, sent: the status and the page."""
    response = submit(author.client, open_page(author.client, form.page), form.action, changes)
    return response.status_code, response.text


@pytest.mark.parametrize(("kind", "name"), TEXTS)
def test_text_over_a_fields_limit_is_refused_by_the_field_kept_and_not_saved(
    author: Author, kind: str, name: str
) -> None:
    form = FORMS[kind](author)
    typed = "é" * (limit_of(form, name) + 1)  # characters, each two bytes

    status, text = send(author, form, {**form.good, name: typed})

    assert status == 422, text[:500]
    doc = parse(text)
    assert error_for(doc, form.prefix + name)
    assert field_value(doc, name) == typed
    assert not form.saved()


@pytest.mark.parametrize(("kind", "name"), TEXTS)
def test_text_of_a_fields_full_length_is_taken(author: Author, kind: str, name: str) -> None:
    form = FORMS[kind](author)

    status, text = send(author, form, {**form.good, name: "é" * limit_of(form, name)})

    assert status == 303, text[:500]
    assert form.saved()


@pytest.mark.parametrize(("kind", "name"), TEXTS)
def test_a_nul_is_refused_and_nothing_saved(author: Author, kind: str, name: str) -> None:
    form = FORMS[kind](author)

    status, text = send(author, form, {**form.good, name: "Late\x00nights"})

    assert status == 422, text[:500]
    assert NUL_MESSAGE in parse(text).find("main").text
    assert not form.saved()


@pytest.mark.parametrize("kind", FORMS)
def test_a_body_over_the_request_limit_is_refused_with_413(
    author: Author, settings: Settings, kind: str
) -> None:
    form = FORMS[kind](author)
    name = next(name for form_kind, name in TEXTS if form_kind == kind)

    status, _ = send(author, form, {**form.good, name: "x" * (settings.max_body_bytes + 1)})

    assert status == 413
    assert not form.saved()
