"""CSRF protection (double-submit, signed and bound to the session) and the security headers
every response carries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import session_cookie_name
from app.settings import Settings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Our biggest form (a rubric section) has a few dozen fields and no files; anything far beyond
# that is refused while parsing, before it costs memory or time (400).
MAX_FORM_FIELDS = 200
MAX_FIELD_BYTES = 64 * 1024


# The only forms that take a file (one): the policy schedule's upload.
FILE_UPLOADS = frozenset({"/schedule/import"})


async def close_form(request: Request) -> AsyncIterator[None]:
    """Close what the request's form holds once it is answered (an uploaded file is spooled
    to disk over 1 MB), refused or not: FastAPI closes only the forms it reads itself."""
    try:
        yield
    finally:
        await request.close()


async def read_form(request: Request) -> FormData:
    """The posted form, parsed within our limits (Starlette keeps it for later calls)."""
    files = 1 if request.url.path in FILE_UPLOADS else 0
    return await request.form(
        max_files=files, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES
    )


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
# Browsers keep to HTTPS for two years once they have seen this; not in development, which
# runs on plain HTTP.
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def csrf_cookie_name(settings: Settings) -> str:
    # __Host- cookies must be Secure, so the prefix is only used where the site is served on HTTPS.
    return "__Host-wia_csrf" if settings.secure_cookies else "wia_csrf"


def _binding(session_token: str | None) -> str:
    """What a CSRF token is bound to: the session cookie's token (by digest), or being
    signed out. A token seen in one session is worth nothing in another."""
    if not session_token:
        return "anonymous"
    return hashlib.sha256(session_token.encode()).hexdigest()


def _sign(settings: Settings, nonce: str, session_token: str | None) -> str:
    message = f"{nonce}.{_binding(session_token)}".encode()
    mac = hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()
    return f"{nonce}.{mac}"


def same_text(sent: str, expected: str) -> bool:
    """A constant-time comparison of two texts, whatever a client sent (compare_digest refuses
    a str that is not ASCII with a TypeError, which would be a 500)."""
    return hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _valid(settings: Settings, token: str | None, session_token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce = token.split(".", 1)[0]
    return same_text(_sign(settings, nonce, session_token), token)


def _new_token(settings: Settings, session_token: str | None) -> str:
    return _sign(settings, secrets.token_urlsafe(32), session_token)


def _session_token(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(session_cookie_name(settings))


def _set_csrf_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        csrf_cookie_name(settings),
        token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def rotate_csrf_token(request: Request, response: Response, session_token: str | None) -> None:
    """A new CSRF token when someone signs in or out, bound to the session that begins
    (`session_token`, the new session cookie's value; None once signed out), so a token seen
    before (e.g. planted by someone who used the browser earlier) is worth nothing afterwards."""
    settings: Settings = request.app.state.settings
    _set_csrf_cookie(response, settings, _new_token(settings, session_token))
    request.state.csrf_rotated = True


class SecurityMiddleware:
    """Gives each browser a signed CSRF token (cookie) and sets the security headers.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which runs the app in a task of its
    own and passes every chunk of a response through a memory stream: a 100,000-row CSV export
    is a few hundred chunks."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.cookie_name = csrf_cookie_name(settings)
        self.headers = SECURITY_HEADERS + (
            (STRICT_TRANSPORT_SECURITY,) if settings.secure_cookies else ()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request = Request(scope)
        token = request.cookies.get(self.cookie_name)
        session_token = _session_token(request, self.settings)
        issue_new = not _valid(self.settings, token, session_token)
        if issue_new:
            token = _new_token(self.settings, session_token)
        state["csrf_token"] = token
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if issue_new and token is not None and not state.get("csrf_rotated", False):
                    cookie = Response()
                    _set_csrf_cookie(cookie, self.settings, token)
                    headers.append("set-cookie", cookie.headers["set-cookie"])
                for name, value in self.headers:
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def require_csrf(request: Request) -> None:
    """Refuse an unsafe page request whose token (form field or htmx header) is not the cookie's,
    or was issued for another session than the one the request's session cookie names."""
    if request.method not in UNSAFE_METHODS:
        return
    settings: Settings = request.app.state.settings
    cookie = request.cookies.get(csrf_cookie_name(settings))
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await read_form(request)
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    session_token = _session_token(request, settings)
    if not (_valid(settings, cookie, session_token) and sent and same_text(sent, cookie or "")):
        raise HTTPException(
            status_code=403,
            detail="This form has expired or did not come from this service. "
            "Go back, reload the page and try again.",
        )


def _from_another_site(request: Request) -> bool:
    # Browsers say where a request comes from (Sec-Fetch-Site, or at least Origin); scripts
    # and API clients send neither, so they are unaffected.
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.headers.get("Host")


async def guard_api_request(request: Request) -> None:
    """An unsafe API request authenticated by a bearer token needs nothing more: browsers never
    send one by themselves. One that relies on the session cookie must not come from another
    site's page and must carry the CSRF token in the X-CSRF-Token header."""
    if request.method not in UNSAFE_METHODS or request.headers.get("Authorization"):
        return
    if session_cookie_name(request.app.state.settings) not in request.cookies:
        return  # nothing ambient to abuse: the request is refused as signed out (401)
    if _from_another_site(request):
        raise HTTPException(
            status_code=403, detail="Requests from another site's pages are not accepted"
        )
    await require_csrf(request)
