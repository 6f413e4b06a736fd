"""The confirmation shown once on the page a successful form leads to (GOV.UK's success
notification banner). The cookie names one of CONFIRMATIONS, never the text itself, so
nothing a visitor sends is shown back; it is cleared by the page that shows it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "wia_confirmation"
CONFIRMATIONS = {
    "progress-saved": "Progress saved. The register and the home page show it now.",
    "submitted": "Sent for approval. An approver who had no part in it will approve it, or "
    "return it to you with a reason; it cannot be changed meanwhile.",
    "reopened": "It is a draft again. Make the changes the approver asked for, then submit it "
    "again.",
    "revised": "A new version has started as a draft, copied from the approved one, which stays "
    "in force until this one is approved.",
    "restarted": "A new draft has started, copied from the withdrawn version.",
    "approved": "Approved. It is now the policy's assessment in force, in the register; its "
    "actions' owners record their progress from here.",
    "member-approved": "Your approval is recorded. It is approved once enough of the body's "
    "members have approved it; until then it waits for them.",
    "returned": "Returned to its authors with your reason. When they submit it again you will "
    "see what changed since.",
    "withdrawn": "Withdrawn. It stays in the register as withdrawn; you can start it again "
    "from here.",
    "policy-corrected": "The policy's details are saved, and the change is in the audit trail.",
    "school-renamed": "The school's name is changed everywhere it is shown.",
    "person-changed": "Their details are saved.",
    "roles-changed": "Their roles are saved. They were signed out, so the new roles apply at once.",
    "notification-choices": "Your choices are saved. Emails already on their way still arrive.",
    "calendar-renewed": "Your calendar has a new link, below. The old one has stopped working.",
    "body-added": "Approving body added. Add its members below; then name it on the policies "
    "it decides.",
    "body-changed": "The body's details are saved, and the change is in the audit trail.",
    "members-changed": "Its members are saved. What awaits the body now awaits them.",
    "consultation-opened": "The consultation is open. Each person asked is emailed a link of "
    "their own; their answers appear here as they come in.",
    "consultation-closed": "The consultation is closed: its links take no more answers.",
    "formal-recorded": "The formal consultation is recorded on the draft.",
    "staff-told": "Everyone asked is being emailed what was done with what staff said; their "
    "links show it from now on.",
    "school-added": "School added. Give people roles there from their pages under People.",
    "person-added": "Person added. They have been emailed a link to set their password; check "
    "their roles below.",
    "reminders-changed": "The reminders are saved. The next daily sweep uses them.",
    "consultation-settings-changed": "Saved. Consultations' results are shown by it from now on.",
    "message-again": "It is back in the outbox: the worker sends it on its next round.",
    "invitation-sent": "A new invitation is on its way to them; the one before no longer works.",
    "password-set": "Your password is set. Sign in with it.",
    "password-changed": "Your password is changed. You were signed out everywhere else.",
    "schedule-started": "The statutory policies are in the schedule. Say who owns each, and "
    "when each is next reviewed, by importing the schedule again or on each policy's page.",
    "schedule-imported": "The schedule is imported: its policies are below, and each one added "
    "or changed is in the audit trail.",
}


def confirm(request: Request, response: Response, key: str) -> Response:
    """Show CONFIRMATIONS[key] on the next page this browser renders."""
    assert key in CONFIRMATIONS
    secure = _secure(request)
    response.set_cookie(COOKIE, key, httponly=True, samesite="lax", secure=secure, path="/")
    return response


def waiting(request: Request) -> str | None:
    """The confirmation waiting for this page, if any."""
    return CONFIRMATIONS.get(request.cookies.get(COOKIE, ""))


def shown(request: Request, response: Response) -> Response:
    """The page showed the confirmation (or the cookie named none): forget it."""
    if COOKIE in request.cookies:
        secure = _secure(request)
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure, path="/")
    return response


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies)
