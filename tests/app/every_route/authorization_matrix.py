"""The authorization matrix: for every route of the app, one request and the status each kind
of person (ROLES) should get. Read by test_authorization_matrix.py and test_csrf_every_route.py.

200/201/204/303 where it works, 403 where the person is known but lacks the role, 404 where
the record is not theirs to know of (another school or trust: guessing ids reveals nothing),
409/422 where the record's state or the form refuses, and SIGN_IN for no one signed in (pages
send them to sign in; the API says 401).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.app.every_route.world import ROLES, World

SIGN_IN = "sign in"
Expected = dict[str, int | str]


def everyone(status: int) -> Expected:
    return {role: status for role in ROLES}


def signed_in(status: int) -> Expected:
    return {**everyone(status), "anonymous": SIGN_IN}


def seen_in_scope(status: int = 200) -> Expected:
    """Reading a North record: anyone with a role at North or trust-wide."""
    return {**signed_in(status), "author at another school": 404, "another trust": 404}


def drafted_by_north_authors(status: int) -> Expected:
    """Changing a North draft: its school's authors only."""
    return {**seen_in_scope(403), "author": status}


def decided_by_approvers(status: int) -> Expected:
    """Deciding on a North version: approvers there (the state may still refuse)."""
    return {**seen_in_scope(403), "approver": status}


def progressed_by_north_authors(status: int) -> Expected:
    """Recording an approved North action's progress: its owner (none of these: a name without
    an account) and North's authors."""
    return {**seen_in_scope(403), "author": status}


def admins(status: int, *, other_trusts_admin: int) -> Expected:
    return {**signed_in(403), "admin": status, "another trust": other_trusts_admin}


def new_policy(status: int) -> Expected:
    """Adding a North policy: North's authors; other authors are told to choose their own."""
    return {
        **signed_in(403),
        "author": status,
        "author at another school": 422,
        "another trust": 422,
    }


AUDIT_READERS: Expected = {**signed_in(403), "auditor": 200, "admin": 200, "another trust": 200}


@dataclass(frozen=True)
class Call:
    url: str  # with {placeholders} filled from the world
    expected: Expected
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None


POLICY_FORM = {
    "reference": "MX-NEW",
    "title": "Homework policy",
    "category": "teaching-and-learning",
    "owner": "Deputy Head",
    "school_id": "{north}",
    "review_cycle_months": "12",
    "status": "new",
}
POLICY_CORRECTION = {
    "title": "Homework and home learning policy",
    "category": "teaching-and-learning",
    "owner": "Deputy Head",
    "school_id": "{north}",
    "review_cycle_months": "24",
}
ACTION_FORM = {
    "description": "Cancel the extra meeting",
    "question_ids": "what-is-stopped",
    "owner": "Head",
    "status": "planned",
    "residual_impact": "1",
}
ACTION_JSON = {**ACTION_FORM, "question_ids": ["what-is-stopped"], "residual_impact": 1}
PROGRESS_FORM = {"status": "in-progress", "note": "Timetable drafted"}
DRAFT = "/assessments/{draft}"
API_DRAFT = "/api/v1/assessment-versions/{draft}"
FIRST_REVISION = {"expected_revision": 1}  # an API write of existing content names its revision

# Unsafe routes that take no CSRF token: a mail client POSTs the unsubscribe link (RFC 8058),
# without the browser's cookies; the link's signature is the proof.
CSRF_EXEMPT = {("POST", "/notifications/unsubscribe/{token}")}

MATRIX: dict[tuple[str, str], Call] = {
    # Pages anyone may open
    ("GET", "/healthz"): Call("/healthz", everyone(200)),
    ("GET", "/readyz"): Call("/readyz", everyone(200)),
    ("GET", "/static"): Call("/static/app.css", everyone(200)),
    ("GET", "/openapi.json"): Call("/openapi.json", everyone(200)),
    ("GET", "/docs"): Call("/docs", everyone(200)),
    ("GET", "/sign-in"): Call("/sign-in", {**everyone(303), "anonymous": 200}),
    ("POST", "/sign-in"): Call(
        "/sign-in", everyone(422), {"email": "x@y.example", "password": "wrong"}
    ),
    ("POST", "/sign-out"): Call("/sign-out", everyone(303)),
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
    # The home page, and policies
    ("GET", "/"): Call("/", signed_in(200)),
    ("GET", "/policies"): Call("/policies", signed_in(200)),
    ("GET", "/policies/new"): Call(
        "/policies/new", {**new_policy(200), "author at another school": 200, "another trust": 200}
    ),
    ("POST", "/policies"): Call("/policies", new_policy(303), POLICY_FORM),
    ("GET", "/policies/{policy_id}"): Call("/policies/{policy}", seen_in_scope()),
    ("GET", "/policies/{policy_id}/edit"): Call(
        "/policies/{policy}/edit", drafted_by_north_authors(200)
    ),
    ("POST", "/policies/{policy_id}"): Call(
        "/policies/{policy}", drafted_by_north_authors(303), POLICY_CORRECTION
    ),
    ("POST", "/policies/{policy_id}/assessment"): Call(
        "/policies/{fresh_policy}/assessment", drafted_by_north_authors(303)
    ),
    # The assessment wizard
    ("GET", "/assessments/{version_id}"): Call(DRAFT, seen_in_scope(303)),
    ("GET", "/assessments/{version_id}/sections/{section_id}"): Call(
        DRAFT + "/sections/about-the-change", seen_in_scope()
    ),
    ("POST", "/assessments/{version_id}/sections/{section_id}"): Call(
        DRAFT + "/sections/about-the-change",
        drafted_by_north_authors(303),
        {"answer-what-is-stopped": "Nothing", "revision-what-is-stopped": "0"},
    ),
    ("POST", "/assessments/{version_id}/answers/{question_id}"): Call(
        DRAFT + "/answers/what-is-stopped",
        drafted_by_north_authors(200),
        {"answer-what-is-stopped": "Nothing", "revision-what-is-stopped": "0"},
    ),
    ("GET", "/assessments/{version_id}/workload"): Call(DRAFT + "/workload", seen_in_scope()),
    ("POST", "/assessments/{version_id}/workload"): Call(
        DRAFT + "/workload",
        drafted_by_north_authors(303),
        {"hours-teachers": "2", "staff-teachers": "12", "revision-teachers": "1"},
    ),
    ("GET", "/assessments/{version_id}/summary"): Call(DRAFT + "/summary", seen_in_scope()),
    ("GET", "/assessments/{version_id}/report"): Call(DRAFT + "/report", seen_in_scope()),
    ("GET", "/assessments/{version_id}/report.pdf"): Call(DRAFT + "/report.pdf", seen_in_scope()),
    # Mitigation and the workflow (the draft is not complete, has one action, and is not
    # submitted: what the state refuses is 409 or 422 for the people who may try)
    ("GET", "/assessments/{version_id}/actions/new"): Call(
        DRAFT + "/actions/new", drafted_by_north_authors(200)
    ),
    ("POST", "/assessments/{version_id}/actions"): Call(
        DRAFT + "/actions", drafted_by_north_authors(303), ACTION_FORM
    ),
    ("GET", "/assessments/{version_id}/actions/{action_id}"): Call(
        DRAFT + "/actions/{action}", drafted_by_north_authors(200)
    ),
    ("POST", "/assessments/{version_id}/actions/{action_id}"): Call(
        DRAFT + "/actions/{action}", drafted_by_north_authors(303), ACTION_FORM
    ),
    ("POST", "/assessments/{version_id}/actions/{action_id}/remove"): Call(
        DRAFT + "/actions/{action}/remove", drafted_by_north_authors(303)
    ),
    ("POST", "/assessments/{version_id}/justifications/{question_id}"): Call(
        DRAFT + "/justifications/what-is-stopped",
        drafted_by_north_authors(422),  # an unanswered question cannot be justified
        {"justification": "Nothing is added"},
    ),
    ("POST", "/assessments/{version_id}/submit"): Call(
        DRAFT + "/submit",
        drafted_by_north_authors(422),  # incomplete
    ),
    ("POST", "/assessments/{version_id}/reopen"): Call(
        DRAFT + "/reopen",
        drafted_by_north_authors(409),  # not returned
    ),
    ("GET", "/assessments/{version_id}/withdraw"): Call(
        DRAFT + "/withdraw", drafted_by_north_authors(200)
    ),
    ("POST", "/assessments/{version_id}/withdraw"): Call(
        DRAFT + "/withdraw", drafted_by_north_authors(303), {"reason": "Replaced"}
    ),
    ("POST", "/assessments/{version_id}/restart"): Call(
        DRAFT + "/restart",
        drafted_by_north_authors(409),  # not withdrawn
    ),
    ("POST", "/assessments/{version_id}/revise"): Call(
        DRAFT + "/revise",
        drafted_by_north_authors(409),  # not approved
    ),
    ("GET", "/approvals"): Call("/approvals", signed_in(200)),
    ("GET", "/assessments/{version_id}/review"): Call(DRAFT + "/review", seen_in_scope()),
    ("GET", "/assessments/{version_id}/approve"): Call(
        DRAFT + "/approve",
        decided_by_approvers(409),  # not submitted
    ),
    ("POST", "/assessments/{version_id}/approve"): Call(
        DRAFT + "/approve",
        decided_by_approvers(409),  # not submitted
    ),
    ("POST", "/assessments/{version_id}/return"): Call(
        DRAFT + "/return", decided_by_approvers(409), {"reason": "Needs more detail"}
    ),
    # The register and the audit trail
    ("GET", "/register"): Call("/register", signed_in(200)),
    ("GET", "/register.csv"): Call("/register.csv", signed_in(200)),
    ("GET", "/assessments/{version_id}/actions.csv"): Call(DRAFT + "/actions.csv", seen_in_scope()),
    # The trail is read by the trust's trust-wide auditors and admins only (another trust's
    # person reads their own trust's)
    ("GET", "/audit"): Call("/audit", AUDIT_READERS),
    ("GET", "/audit.csv"): Call("/audit.csv?kind=started", AUDIT_READERS),
    # The trust admin's pages
    ("GET", "/admin/users"): Call("/admin/users", admins(200, other_trusts_admin=200)),
    ("GET", "/admin/users/new"): Call("/admin/users/new", admins(200, other_trusts_admin=200)),
    ("POST", "/admin/users"): Call(
        "/admin/users",
        admins(303, other_trusts_admin=303),
        {
            "name": "Newt New",
            "email": "newt@matrix.example",
            "password": "orchard-ladder-quietly-47",
            "role": "auditor",
            "place": "",
        },
    ),
    ("GET", "/admin/users/{user_id}"): Call(
        "/admin/users/{author_user}", admins(200, other_trusts_admin=404)
    ),
    # The trust's email: each admin their own trust's.
    ("GET", "/admin/email"): Call("/admin/email", admins(200, other_trusts_admin=200)),
    ("POST", "/admin/email/reminders"): Call(
        "/admin/email/reminders",
        admins(303, other_trusts_admin=303),
        {"review_days": "30, 7", "action_days": "3"},
    ),
    ("POST", "/admin/email/messages/{message_id}/again"): Call(
        "/admin/email/messages/999999/again", admins(404, other_trusts_admin=404)
    ),
    # The world's author was made without a password: invited, so invited again.
    ("POST", "/admin/users/{user_id}/invitation"): Call(
        "/admin/users/{author_user}/invitation", admins(303, other_trusts_admin=404)
    ),
    ("POST", "/admin/users/{user_id}/roles/add"): Call(
        "/admin/users/{author_user}/roles/add",
        admins(303, other_trusts_admin=404),
        {"role": "auditor", "place": ""},
    ),
    ("POST", "/admin/users/{user_id}/roles/remove"): Call(
        "/admin/users/{author_user}/roles/remove",
        admins(303, other_trusts_admin=404),
        {"role": "author", "place": "{north}"},
    ),
    ("POST", "/admin/users/{user_id}/details"): Call(
        "/admin/users/{author_user}/details",
        admins(303, other_trusts_admin=404),
        {"name": "Nadia North", "email": "nadia.north@matrix.example"},
    ),
    ("POST", "/admin/users/{user_id}/access"): Call(
        "/admin/users/{author_user}/access",
        admins(303, other_trusts_admin=404),
        {"disabled": "true"},
    ),
    ("GET", "/admin/schools"): Call("/admin/schools", admins(200, other_trusts_admin=200)),
    ("POST", "/admin/schools"): Call(
        "/admin/schools", admins(303, other_trusts_admin=303), {"name": "West School"}
    ),
    ("GET", "/admin/schools/{school_id}"): Call(
        "/admin/schools/{north}", admins(200, other_trusts_admin=404)
    ),
    ("POST", "/admin/schools/{school_id}"): Call(
        "/admin/schools/{north}", admins(303, other_trusts_admin=404), {"name": "North Academy"}
    ),
    # The JSON API (called with each person's API token)
    ("GET", "/api/v1/schools"): Call("/api/v1/schools", signed_in(200)),
    ("GET", "/api/v1/rubrics"): Call("/api/v1/rubrics", signed_in(200)),
    ("GET", "/api/v1/rubrics/{rubric_id}/{version}"): Call(
        "/api/v1/rubrics/staff-wellbeing-impact/2", signed_in(200)
    ),
    ("GET", "/api/v1/policies"): Call("/api/v1/policies", signed_in(200)),
    ("POST", "/api/v1/policies"): Call(
        "/api/v1/policies", new_policy(201), json={**POLICY_FORM, "school_id": "{north}"}
    ),
    ("GET", "/api/v1/policies/{policy_id}"): Call("/api/v1/policies/{policy}", seen_in_scope()),
    ("PUT", "/api/v1/policies/{policy_id}"): Call(
        "/api/v1/policies/{policy}",
        drafted_by_north_authors(200),
        json={**POLICY_CORRECTION, **FIRST_REVISION},
    ),
    ("POST", "/api/v1/policies/{policy_id}/assessment"): Call(
        "/api/v1/policies/{fresh_policy}/assessment", drafted_by_north_authors(201)
    ),
    ("GET", "/api/v1/assessment-versions/{version_id}"): Call(API_DRAFT, seen_in_scope()),
    ("PUT", "/api/v1/assessment-versions/{version_id}/answers/{question_id}"): Call(
        API_DRAFT + "/answers/what-is-stopped",
        drafted_by_north_authors(200),
        json={"value": "Nothing"},
    ),
    ("PUT", "/api/v1/assessment-versions/{version_id}/workload/{staff_group}"): Call(
        API_DRAFT + "/workload/support-staff",
        drafted_by_north_authors(200),
        json={"hours_per_term": "1.5", "staff_count": 3},
    ),
    ("DELETE", "/api/v1/assessment-versions/{version_id}/workload/{staff_group}"): Call(
        API_DRAFT + "/workload/teachers?expected_revision=1", drafted_by_north_authors(204)
    ),
    ("GET", "/api/v1/assessment-versions/{version_id}/results"): Call(
        API_DRAFT + "/results", seen_in_scope()
    ),
}
MATRIX |= {
    ("POST", "/api/v1/assessment-versions/{version_id}/actions"): Call(
        API_DRAFT + "/actions", drafted_by_north_authors(201), json=ACTION_JSON
    ),
    ("PUT", "/api/v1/assessment-versions/{version_id}/actions/{action_id}"): Call(
        API_DRAFT + "/actions/{action}",
        drafted_by_north_authors(200),
        json={**ACTION_JSON, "expected_revision": 1},
    ),
    ("DELETE", "/api/v1/assessment-versions/{version_id}/actions/{action_id}"): Call(
        API_DRAFT + "/actions/{action}?expected_revision=1", drafted_by_north_authors(204)
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/submit"): Call(
        API_DRAFT + "/submit", drafted_by_north_authors(422), json=FIRST_REVISION
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/approve"): Call(
        API_DRAFT + "/approve", decided_by_approvers(409), json=FIRST_REVISION
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/return"): Call(
        API_DRAFT + "/return",
        decided_by_approvers(409),
        json={"reason": "More detail", **FIRST_REVISION},
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/reopen"): Call(
        API_DRAFT + "/reopen", drafted_by_north_authors(409), json=FIRST_REVISION
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/withdraw"): Call(
        API_DRAFT + "/withdraw",
        drafted_by_north_authors(200),
        json={**FIRST_REVISION, "reason": "Replaced"},
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/restart"): Call(
        API_DRAFT + "/restart", drafted_by_north_authors(409)
    ),
    ("POST", "/api/v1/assessment-versions/{version_id}/revise"): Call(
        API_DRAFT + "/revise", drafted_by_north_authors(409)
    ),
    ("GET", "/api/v1/register"): Call("/api/v1/register", signed_in(200)),
    # An approved version's actions, carried out
    ("GET", "/actions/{action_id}"): Call("/actions/{approved_action}", seen_in_scope()),
    ("POST", "/actions/{action_id}/progress"): Call(
        "/actions/{approved_action}/progress", progressed_by_north_authors(303), PROGRESS_FORM
    ),
    ("GET", "/api/v1/actions/{action_id}"): Call(
        "/api/v1/actions/{approved_action}", seen_in_scope()
    ),
    ("PUT", "/api/v1/actions/{action_id}/progress"): Call(
        "/api/v1/actions/{approved_action}/progress",
        progressed_by_north_authors(200),
        json={**PROGRESS_FORM, **FIRST_REVISION},
    ),
}
CASES = [(route, role) for route in MATRIX for role in ROLES]


def fill(text: str, world: World) -> str:
    return text.format(
        north=world.north.id,
        policy=world.policy.id,
        fresh_policy=world.fresh_policy.id,
        draft=world.draft.id,
        token=world.authors_token_id,
        author_user=world.author_user_id,
        action=world.action_id,
        approved_action=world.approved_action_id,
    )
