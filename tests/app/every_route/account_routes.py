"""The authorization matrix's rows for a person's own account (notifications, calendar,
password, API tokens) and for the signed links emails carry, which need no signing in."""

from __future__ import annotations

from tests.app.every_route.expectations import Call, everyone, signed_in

# Unsafe routes that take no CSRF token: a mail client POSTs the unsubscribe link (RFC 8058),
# without the browser's cookies; the link's signature is the proof.
CSRF_EXEMPT = {("POST", "/notifications/unsubscribe/{token}")}

ACCOUNT_ROUTES: dict[tuple[str, str], Call] = {
    # A person's own account: their notifications, and their API tokens
    ("GET", "/account"): Call("/account", signed_in(200)),
    ("GET", "/notifications"): Call("/notifications", signed_in(200)),
    ("POST", "/notifications"): Call(
        "/notifications",
        signed_in(303),
        {
            "awaiting-decision": "daily",
            "decided": "single",
            "action-assigned": "weekly",
            "action-due": "none",
            "review-due": "single",
        },
    ),
    # An email's one-click unsubscribe: signed for one person, so a made-up one finds nothing.
    ("GET", "/notifications/unsubscribe/{token}"): Call(
        "/notifications/unsubscribe/1.decided.madeup", everyone(404)
    ),
    ("POST", "/notifications/unsubscribe/{token}"): Call(
        "/notifications/unsubscribe/1.decided.madeup", everyone(404)
    ),
    ("GET", "/account/calendar"): Call("/account/calendar", signed_in(200)),
    ("POST", "/account/calendar/renew"): Call("/account/calendar/renew", signed_in(303)),
    # A calendar feed: signed for one person, so a made-up one finds nothing (no sign-in).
    ("GET", "/calendar/{token}.ics"): Call("/calendar/1.1.madeup.ics", everyone(404)),
    ("GET", "/account/password"): Call("/account/password", signed_in(200)),
    ("POST", "/account/password"): Call(
        "/account/password",
        signed_in(422),
        {"current": "not the password", "password": "x", "confirmation": "x"},
    ),
    # Passwords set from an emailed link, and reset: for anyone, signed in or not.
    ("GET", "/account/set-password/{token}"): Call(
        "/account/set-password/1.1.madeup", everyone(404)
    ),
    ("POST", "/account/set-password/{token}"): Call(
        "/account/set-password/1.1.madeup",
        everyone(404),
        {"password": "kettle meadow twelve lantern", "confirmation": "kettle meadow"},
    ),
    ("GET", "/forgotten-password"): Call("/forgotten-password", everyone(200)),
    ("POST", "/forgotten-password"): Call(
        "/forgotten-password", everyone(200), {"email": "nobody@nowhere.example"}
    ),
    ("GET", "/account/tokens"): Call("/account/tokens", signed_in(200)),
    ("POST", "/account/tokens"): Call("/account/tokens", signed_in(200), {"name": "Export"}),
    ("POST", "/account/tokens/{token_id}/revoke"): Call(
        "/account/tokens/{token}/revoke", {**signed_in(404), "author": 303}
    ),
}
