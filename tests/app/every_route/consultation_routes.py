"""The authorization matrix's rows for consulting staff: on a draft, through the register or
formally; the staff link, which needs no signing in; and the trust's consultation settings."""

from __future__ import annotations

from tests.app.every_route.expectations import (
    DRAFT,
    Call,
    admins,
    drafted_by_north_authors,
    everyone,
    seen_in_scope,
)

CONSULTATION_FORM = {
    "opens_on": "2999-01-01",  # refused after the check that one is open already
    "closes_on": "2999-01-08",
    "summary": "Marking moves to fortnightly",
    "invitees": "new.teacher@north.example, Teachers",
}
THEME_FORM = {"title": "Workload", "changed": "no", "response": "It is a small change"}
FORMAL_FORM = {"body": "Unions", "met_on": "2026-11-02", "views": "Against it", "agreed": ""}
ANSWER_FORM = {"direction": "more", "hours": "1.5", "agreement": "4"}

CONSULTATION_ROUTES: dict[tuple[str, str], Call] = {
    # Consulting staff on the draft: its school's authors open (one is open already: 409) and
    # close one; whoever may see the policy reads what staff said; the link is anyone's who
    # holds it, signed in or not (each case answers it afresh).
    ("GET", "/assessments/{version_id}/consultations/new"): Call(
        DRAFT + "/consultations/new", drafted_by_north_authors(200)
    ),
    ("POST", "/assessments/{version_id}/consultations"): Call(
        DRAFT + "/consultations", drafted_by_north_authors(409), CONSULTATION_FORM
    ),
    ("GET", "/consultations/{consultation_id}"): Call(
        "/consultations/{consultation}", seen_in_scope()
    ),
    ("POST", "/consultations/{consultation_id}/close"): Call(
        "/consultations/{consultation}/close", drafted_by_north_authors(303)
    ),
    ("POST", "/consultations/{consultation_id}/themes"): Call(
        "/consultations/{consultation}/themes", drafted_by_north_authors(303), THEME_FORM
    ),
    ("GET", "/consultations/{consultation_id}/themes/{theme_id}"): Call(
        "/consultations/{consultation}/themes/{theme}", drafted_by_north_authors(200)
    ),
    ("POST", "/consultations/{consultation_id}/themes/{theme_id}"): Call(
        "/consultations/{consultation}/themes/{theme}", drafted_by_north_authors(303), THEME_FORM
    ),
    ("POST", "/consultations/{consultation_id}/themes/{theme_id}/remove"): Call(
        "/consultations/{consultation}/themes/{theme}/remove", drafted_by_north_authors(303)
    ),
    ("POST", "/consultations/{consultation_id}/tell"): Call(
        "/consultations/{consultation}/tell",
        drafted_by_north_authors(409),  # still open
    ),
    ("GET", "/assessments/{version_id}/formal-consultations/new"): Call(
        DRAFT + "/formal-consultations/new", drafted_by_north_authors(200)
    ),
    ("POST", "/assessments/{version_id}/formal-consultations"): Call(
        DRAFT + "/formal-consultations", drafted_by_north_authors(303), FORMAL_FORM
    ),
    ("POST", "/assessments/{version_id}/formal-consultations/{formal_id}/remove"): Call(
        DRAFT + "/formal-consultations/{formal}/remove", drafted_by_north_authors(303)
    ),
    ("GET", "/consult/{token}"): Call("{consult_link}", everyone(200)),
    ("POST", "/consult/{token}"): Call("{consult_link}", everyone(303), ANSWER_FORM),
    # The same, as the API sends it: to whoever may see the policy.
    ("GET", "/api/v1/assessment-versions/{version_id}/consultations"): Call(
        "/api/v1/assessment-versions/{draft}/consultations", seen_in_scope()
    ),
    ("GET", "/api/v1/consultations/{consultation_id}"): Call(
        "/api/v1/consultations/{consultation}", seen_in_scope()
    ),
    # The trust's consultation settings: each admin their own trust's.
    ("GET", "/admin/consultations"): Call(
        "/admin/consultations", admins(200, other_trusts_admin=200)
    ),
    ("POST", "/admin/consultations"): Call(
        "/admin/consultations", admins(303, other_trusts_admin=303), {"min_group": "6"}
    ),
}
