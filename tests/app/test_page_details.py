"""The details that tripped people up: the policies can be searched; "Why we ask this" names
its source in words; a reversed date range in the register's filter says so; API tokens sit
under the person's own name; an approved version's pages do not talk as if it were a draft."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from assessments.rubrics.schema import Source
from tests.app.pages import error_for, page, parse
from tests.factories.decisions import open_page, url
from tests.factories.trusts import AUTHOR, RUBRIC, make_policy
from tests.factories.versions import make_draft, make_version

pytestmark = pytest.mark.usefixtures("rubric_published")


def listed(client: TestClient, query: str = "") -> list[str]:
    doc = open_page(client, f"/policies{query}")
    return [row.find_all("td")[0].text for row in doc.by_id("results").find_all("tr")[1:]]


def test_the_policies_are_found_by_reference_title_or_owner(
    client: TestClient, session: Session
) -> None:
    make_policy(session, reference="HW-001", title="Homework policy", owner="Deputy Head")
    make_policy(session, reference="MK-002", title="Marking policy", owner="Head of English")
    make_policy(session, reference="AT-003", title="Attendance 100% policy", owner="Bursar")

    assert listed(client) == ["AT-003", "HW-001", "MK-002"]
    assert listed(client, "?q=homework") == ["HW-001"]
    assert listed(client, "?q=mk-0") == ["MK-002"]
    assert listed(client, "?q=ENGLISH") == ["MK-002"]
    assert listed(client, "?q=100%25") == ["AT-003"]  # % is itself, not a wildcard
    assert listed(client, "?q=%25") == ["AT-003"]
    nothing = open_page(client, "/policies?q=Safeguarding").by_id("results").text
    assert "No policy matches “Safeguarding”" in nothing


def test_a_search_sent_by_htmx_gets_just_the_results(client: TestClient, session: Session) -> None:
    make_policy(session, reference="HW-001", title="Homework policy")

    response = client.get("/policies?q=home", headers={"HX-Request": "true"})

    assert response.status_code == 200
    fragment = parse(response.text)
    assert fragment.has_id("results") and not fragment.find_all("h1")
    assert "1 policy matches “home”" in fragment.text


def test_why_we_ask_names_the_source_in_words_with_its_link(
    client: TestClient, session: Session
) -> None:
    draft = make_draft(session)
    section = RUBRIC.sections[0]
    question = next(q for q in section.questions if q.source)
    source = RUBRIC.source(question.source or "")
    assert source is not None

    doc = open_page(client, url(draft, f"sections/{section.id}"))

    why = next(d for d in doc.find_all("details") if question.charter_ref in d.text)
    assert f"Source: {source.title}" in why.text
    assert question.source not in why.text.replace(source.title, "")  # never the bare id
    if source.url:
        assert why.find("a").attrs["href"] == source.url


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,x", "www.gov.uk"])
def test_a_rubrics_source_links_only_to_the_web(address: str) -> None:
    with pytest.raises(ValidationError):
        Source(id="a-source", title="A source", url=address)


def test_a_reversed_date_range_says_so_and_offers_no_download(client: TestClient) -> None:
    response = client.get("/register?from=2027-03-31&to=2027-01-01")

    assert response.status_code == 422
    doc = page(response)
    assert error_for(doc, "to") == "The end of the decision dates must be on or after their start"
    assert doc.has_id("filter-refused") and "0 versions" not in doc.text
    assert doc.by_id("results").find_all("a", download="") == []
    assert client.get("/register.csv?from=2027-03-31&to=2027-01-01").status_code == 422


def test_api_tokens_are_under_the_persons_own_name_not_the_main_menu(
    client: TestClient,
) -> None:
    doc = open_page(client, "/")
    nav = doc.find("nav", cls="app-header__nav")

    own = nav.find("span", cls="app-header__user")
    assert own.text == AUTHOR.name
    links = {a.text: a.attrs["href"] for a in nav.find_all("a")}
    assert links[f"{AUTHOR.name}: your account"] == "/account"
    assert "API tokens" not in links


def test_an_approved_versions_summary_does_not_talk_as_if_it_were_a_draft(
    client: TestClient, session: Session
) -> None:
    approved = make_version(session, "approved")

    text = open_page(client, url(approved)).text

    assert "so far is" not in text
    assert "Estimate the hours" not in text
