"""HTML to PDF with WeasyPrint, for the governor-ready report. Nothing is fetched over the
network: the stylesheet is our built app.css, and the only other files it may load are ours in
app/static/ (everything else, a remote URL in a stylesheet or an answer, is refused)."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.settings import PROJECT_ROOT
from app.web import file_name_part

STATIC_DIR = (PROJECT_ROOT / "app" / "static").resolve()
STATIC_PREFIX = "/static/"


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints
    """Serves files from app/static/ (as file: URLs, or as /static/ on the site), nothing else."""

    def __init__(self, site: str = "") -> None:
        super().__init__(allowed_protocols=("file", "http", "https"), allow_redirects=False)
        self.site = site  # e.g. "https://wia.example/": its /static/ is app/static/

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._static_file(url)
        if path is None:
            raise ValueError(f"refused: the report may load only its own static files, not {url}")
        return URLFetcherResponse(url, body=path.read_bytes(), headers=_content_type(path))

    def _static_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme == "file":
            wanted = Path(unquote(parts.path))
            if wanted.is_relative_to(Path("/static")):  # "/static/…" in app.css, read as a file
                wanted = STATIC_DIR / wanted.relative_to("/static")
        elif self.site and url.startswith(self.site.rstrip("/") + STATIC_PREFIX):
            wanted = STATIC_DIR / unquote(parts.path).removeprefix(STATIC_PREFIX)
        else:
            return None
        path = wanted.resolve()
        return path if path.is_relative_to(STATIC_DIR) and path.is_file() else None


def _content_type(path: Path) -> dict[str, str]:
    types = {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".woff2": "font/woff2",
    }
    return {"Content-Type": types.get(path.suffix, "application/octet-stream")}


@cache
def stylesheet() -> CSS:
    """app.css, parsed once per process (about 0.1 s): WeasyPrint applies its @media print."""
    # It skips the screen-width queries and the few properties it does not know, with a warning
    # for each: expected, so kept out of the log (anything worse is still logged).
    weasyprint_log = logging.getLogger("weasyprint")
    level = weasyprint_log.level
    weasyprint_log.setLevel(logging.ERROR)
    try:
        return CSS(filename=STATIC_DIR / "app.css", url_fetcher=StaticOnlyFetcher())
    finally:
        weasyprint_log.setLevel(level)


def html_to_pdf(html: str, *, site: str) -> bytes:
    """A PDF of the HTML page, styled by app.css; `site` is the base URL its links resolve to."""
    document = HTML(string=html, base_url=site, url_fetcher=StaticOnlyFetcher(site))
    # Tagged (headings, lists, tables marked as such), so a screen reader can read it too.
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet()], pdf_tags=True)
    return pdf


def download_name(reference: str, version_number: int) -> str:
    """A safe file name for the report: TL-004 version 2 → TL-004-v2-impact-assessment.pdf."""
    return f"{file_name_part(reference)}-v{version_number}-impact-assessment.pdf"
