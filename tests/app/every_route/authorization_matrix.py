"""The authorization matrix: for every route of the app, one request and the status each kind
of person (ROLES) should get. Read by test_authorization_matrix.py and test_csrf_every_route.py.

200/201/204/303 where it works, 403 where the person is known but lacks the role, 404 where
the record is not theirs to know of (another school or trust: guessing ids reveals nothing),
409/422 where the record's state or the form refuses, and SIGN_IN for no one signed in (pages
send them to sign in; the API says 401).
"""

from __future__ import annotations

from tests.app.every_route.account_routes import ACCOUNT_ROUTES, CSRF_EXEMPT
from tests.app.every_route.consultation_routes import CONSULTATION_ROUTES
from tests.app.every_route.expectations import (
    AUDIT_READERS,
    DRAFT,
    SIGN_IN,
    Call,
    admins,
    decided_by_approvers,
    drafted_by_north_authors,
    everyone,
    fill,
    new_policy,
    progressed_by_north_authors,
    schedule_keepers,
    seen_in_scope,
    signed_in,
)
from tests.app.every_route.world import ROLES

__all__ = ["CSRF_EXEMPT", "SIGN_IN", "Call", "fill"]  # for the tests that read the matrix

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
BODY_FORM = {
    "name": "Matrix committee",
    "kind": "committee",
    "school_id": "",
    "rule": "number",
    "quorum": "2",
}
PROGRESS_FORM = {"status": "in-progress", "note": "Timetable drafted"}
API_DRAFT = "/api/v1/assessment-versions/{draft}"
FIRST_REVISION = {"expected_revision": 1}  # an API write of existing content names its revision

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
    **ACCOUNT_ROUTES,
    **CONSULTATION_ROUTES,
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
    ("GET", "/assessments/{version_id}/screening"): Call(DRAFT + "/screening", seen_in_scope()),
    ("POST", "/assessments/{version_id}/screening"): Call(
        DRAFT + "/screening",
        drafted_by_north_authors(303),
        {"answer-wording-only": "no", "revision-wording-only": "0", "screening_reason": ""},
    ),
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
    ("POST", "/assessments/{version_id}/require-full"): Call(
        DRAFT + "/require-full", decided_by_approvers(409), {"reason": "Staff hours change"}
    ),
    # The policy schedule: read by all, imported by trust-wide authors and admins (another
    # trust's people into their own trust: its upload is not theirs to know of)
    ("GET", "/schedule"): Call("/schedule", signed_in(200)),
    ("GET", "/schedule.csv"): Call("/schedule.csv", signed_in(200)),
    ("GET", "/schedule/template.csv"): Call("/schedule/template.csv", schedule_keepers(200, 200)),
    ("GET", "/schedule/import"): Call("/schedule/import", schedule_keepers(200, 200)),
    ("POST", "/schedule/import"): Call("/schedule/import", schedule_keepers(422, 422)),  # no file
    ("POST", "/schedule/start"): Call(
        "/schedule/start", schedule_keepers(303, 303), {"kind": "academy-trust"}
    ),
    ("GET", "/schedule/import/{upload_id}"): Call(
        "/schedule/import/{upload}", schedule_keepers(200, 404)
    ),
    ("POST", "/schedule/import/{upload_id}"): Call(
        "/schedule/import/{upload}", schedule_keepers(303, 404)
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
    # The trust's approving bodies: kept by its admins (another trust's admin adds to their own
    # trust, and finds none of this trust's bodies). Members are its trust-wide approvers.
    ("GET", "/admin/bodies"): Call("/admin/bodies", admins(200, other_trusts_admin=200)),
    ("POST", "/admin/bodies"): Call(
        "/admin/bodies", admins(303, other_trusts_admin=303), BODY_FORM
    ),
    ("GET", "/admin/bodies/{body_id}"): Call(
        "/admin/bodies/{body}", admins(200, other_trusts_admin=404)
    ),
    ("POST", "/admin/bodies/{body_id}"): Call(
        "/admin/bodies/{body}",
        admins(303, other_trusts_admin=404),
        {**BODY_FORM, "name": "Governance and standards committee", "revision": "1"},
    ),
    ("POST", "/admin/bodies/{body_id}/members"): Call(
        "/admin/bodies/{other_body}/members",
        admins(303, other_trusts_admin=404),
        {"user_id": "{approver_user}"},
    ),
    ("POST", "/admin/bodies/{body_id}/members/remove"): Call(
        "/admin/bodies/{body}/members/remove",
        admins(303, other_trusts_admin=404),
        {"user_id": "{approver_user}"},
    ),
    # The JSON API (called with each person's API token)
    ("GET", "/api/v1/schools"): Call("/api/v1/schools", signed_in(200)),
    # Who decides is no secret within the trust: an author choosing a policy's body reads them
    ("GET", "/api/v1/approving-bodies"): Call("/api/v1/approving-bodies", signed_in(200)),
    ("GET", "/api/v1/rubrics"): Call("/api/v1/rubrics", signed_in(200)),
    ("GET", "/api/v1/rubrics/{rubric_id}/{version}"): Call(
        "/api/v1/rubrics/staff-wellbeing-impact/4", signed_in(200)
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
    ("POST", "/api/v1/assessment-versions/{version_id}/require-full"): Call(
        API_DRAFT + "/require-full",
        decided_by_approvers(409),  # a draft: not submitted
        json={"reason": "Staff hours change", **FIRST_REVISION},
    ),
    ("PUT", "/api/v1/assessment-versions/{version_id}/screening-reason"): Call(
        API_DRAFT + "/screening-reason",
        drafted_by_north_authors(200),
        json={"reason": "A new name only"},
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
