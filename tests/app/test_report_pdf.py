"""The PDF of a version's report, read back as text: it says what the page says without the
site's navigation, under a file name that is safe in a header, and its renderer fetches only the
service's own static files, never another site's (not even an image in the HTML)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.report_pdf import STATIC_DIR, StaticOnlyFetcher, download_name, html_to_pdf
from app.settings import PROJECT_ROOT
from assessments.drafting import version_view
from tests.app.report_story import REASON, REFERENCE, TITLE, Story, pdf_text, story
from tests.factories.answers import MITIGATION
from tests.factories.decisions import url
from tests.factories.trusts import AUTHOR

__all__ = ["story"]  # the fixture


def test_the_pdf_says_the_same(client: TestClient, session: Session, story: Story) -> None:
    response = client.get(url(story.second, "report.pdf"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = 'attachment; filename="TL-004-v2-impact-assessment.pdf"'
    assert response.headers["content-disposition"] == disposition
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for fact in (
        f"{REFERENCE} {TITLE}",
        "Who was consulted",
        "Staff forum & NEU reps, 3 March",  # as typed, not as HTML
        "<b>Too much</b> marking at home",
        "Returned to the author by Ama Approver",
        REASON,
        MITIGATION.description,
        "Net hours per year",
        "Version history",
    ):
        assert fact in text, fact
    assert story.second.id is not None
    view = version_view.view_assessment(session=session, actor=AUTHOR, version_id=story.second.id)
    assert view.results.rating is not None
    assert f"{view.results.rating.label} Score {view.results.overall_score} out of 100" in text
    for chrome in ("Sign out", "Skip to main content", "Download PDF", "API documentation"):
        assert chrome not in text, chrome


def test_the_pdf_renderer_loads_only_the_services_own_static_files() -> None:
    site = "https://wia.example/"
    fetcher = StaticOnlyFetcher(site)

    css = fetcher.fetch(site + "static/app.css")
    assert css.content_type == "text/css" and b".app-report" in css.read()
    assert b".app-report" in fetcher.fetch((STATIC_DIR / "app.css").as_uri()).read()
    for refused in (
        "https://fonts.example/font.woff2",  # another site
        "http://wia.example/static/app.css",  # not the site's own address
        site + "static/../../pyproject.toml",  # out of app/static/
        site + "static/%2e%2e/%2e%2e/pyproject.toml",
        (PROJECT_ROOT / "pyproject.toml").as_uri(),
        "file:///etc/passwd",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(refused)


def test_a_remote_image_in_the_html_is_not_fetched() -> None:
    html = '<p>Before</p><img src="https://tracker.example/pixel.png" alt="pixel"><p>After</p>'

    text = pdf_text(html_to_pdf(html, site="https://wia.example/"))

    assert "Before" in text and "After" in text


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("TL-004", "TL-004-v3-impact-assessment.pdf"),
        ("HR/2024.1", "HR-2024.1-v3-impact-assessment.pdf"),
        ('a"; filename=x.exe', "a-filename-x.exe-v3-impact-assessment.pdf"),
        ("../..", "policy-v3-impact-assessment.pdf"),
    ],
)
def test_the_pdfs_file_name_is_safe_in_a_header(reference: str, name: str) -> None:
    assert download_name(reference, 3) == name
