"""Reading pages and submitting their forms the way a browser (or htmx) would, for page tests.

A tiny DOM built with the standard library's html.parser: enough to find elements by id, tag
or class, read their text, and collect a form's fields as the browser would send them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx2
from fastapi.testclient import TestClient

CSRF_COOKIE = "__Host-wia_csrf"  # outside development cookies are Secure and host-only
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def raw_text(self) -> str:
        """The text inside, exactly as parsed (entities decoded)."""
        return "".join(
            child if isinstance(child, str) else child.raw_text for child in self.children
        )

    @property
    def text(self) -> str:
        """The text inside with runs of whitespace collapsed, as a reader sees it."""
        return " ".join(self.raw_text.split())

    def iter(self) -> Iterator[Element]:
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: str
    ) -> list[Element]:
        """Elements below this one with the tag, class and attribute values given."""
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Element:
        """The one element that matches; fails the test if there is not exactly one."""
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, (
            f"expected one <{tag or '*'}> {cls or ''} {attrs}, found {len(found)}"
        )
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.find(id=element_id)

    def has_id(self, element_id: str) -> bool:
        return bool(self.find_all(id=element_id))


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response: httpx2.Response) -> Element:
    """The parsed HTML of a response."""
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return parse(response.text)


def title(doc: Element) -> str:
    return doc.find("title").text


def is_fragment(doc: Element) -> bool:
    """A piece of a page for htmx to swap in, not a whole document."""
    return not doc.find_all("html") and not doc.find_all("head") and not doc.find_all("body")


def fragment_roots(doc: Element) -> list[Element]:
    """The elements a fragment swaps in, after the page's title that leads it (htmx sets the
    tab's title from it, so that an error shows there too)."""
    elements = [child for child in doc.children if isinstance(child, Element)]
    assert elements and elements[0].tag == "title", "a fragment leads with the page's title"
    return elements[1:]


def error_for(doc: Element, field_id: str) -> str:
    """The GOV.UK error message shown next to a field (without the hidden "Error:" prefix)."""
    message = doc.by_id(f"{field_id}-error")
    assert "govuk-error-message" in message.classes
    return message.text.removeprefix("Error:").strip()


def error_summary(doc: Element) -> list[tuple[str, str]]:
    """The error summary's links, as (text, href)."""
    summary = doc.find(cls="govuk-error-summary")
    return [(link.text, link.attrs["href"]) for link in summary.find_all("a")]


def banner(doc: Element) -> str | None:
    """The notification banner's heading, if the page shows one."""
    found = doc.find_all(cls="govuk-notification-banner")
    return found[0].find(cls="govuk-notification-banner__heading").text if found else None


def form_fields(form: Element) -> dict[str, str]:
    """What the browser would send for a form as it stands (checked radios, selected options)."""
    fields: dict[str, str] = {}
    for element in form.iter():
        name = element.attrs.get("name")
        if not name or "disabled" in element.attrs:
            continue
        if element.tag == "input":
            kind = element.attrs.get("type", "text")
            if kind in {"radio", "checkbox"}:
                if "checked" in element.attrs:
                    fields[name] = element.attrs.get("value", "on")
            elif kind not in {"submit", "button", "image", "reset", "file"}:
                fields[name] = element.attrs.get("value", "")
        elif element.tag == "textarea":
            # Browsers drop one newline straight after <textarea>.
            fields[name] = element.raw_text.removeprefix("\n")
        elif element.tag == "select":
            options = element.find_all("option")
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            if chosen:
                fields[name] = chosen[0].attrs.get("value", chosen[0].text)
    return fields


def field_value(doc: Element, name: str) -> str | None:
    """The value the page shows for a named field, or None (e.g. no radio checked)."""
    forms = doc.find_all("form") or [doc]
    for form in forms:
        fields = form_fields(form)
        if name in fields:
            return fields[name]
    return None


def the_form(doc: Element, action: str) -> Element:
    return doc.find("form", action=action)


def submit(
    client: TestClient,
    doc: Element,
    action: str,
    changes: Mapping[str, str] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> httpx2.Response:
    """Fill in the page's form (posting to `action`) with `changes` and send it, as without JS."""
    data = {**form_fields(the_form(doc, action)), **(changes or {})}
    return client.post(action, data=data, headers=dict(headers or {}))


def htmx_headers(doc: Element) -> dict[str, str]:
    """The headers htmx sends from this page: HX-Request and the page's hx-headers (CSRF)."""
    page_wrapper = doc.find(cls="app-page")
    extra: dict[str, str] = json.loads(page_wrapper.attrs["hx-headers"])
    return {"HX-Request": "true", **extra}


def csrf_cookie(client: TestClient) -> str:
    """The browser's CSRF cookie, getting one from the service first if it has none."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/")
    token = client.cookies[CSRF_COOKIE]
    assert token
    return token


def post_form(
    client: TestClient, url: str, data: Mapping[str, str], *, htmx: bool = False
) -> httpx2.Response:
    """Post form data with a valid CSRF token: as a hidden field, or as htmx's header."""
    token = csrf_cookie(client)
    if htmx:
        return client.post(
            url, data=dict(data), headers={"HX-Request": "true", "X-CSRF-Token": token}
        )
    return client.post(url, data={**data, "csrf_token": token})
