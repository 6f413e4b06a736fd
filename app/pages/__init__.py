"""HTML pages. Every unsafe request is CSRF-checked; every form also works without JavaScript."""

from fastapi import APIRouter, Depends

from app.pages import (
    account,
    actions,
    admin,
    audit,
    bodies,
    calendar,
    consultation_settings,
    consultation_themes,
    consultations,
    dashboard,
    decisions,
    docs,
    formal_consultations,
    notifications,
    passwords,
    policies,
    register,
    report,
    schedule,
    schedule_import,
    screening,
    staff_voice,
    trust_email,
    wizard,
    workflow,
)
from app.security import close_form, require_csrf

# The form is closed once the request is answered, even when the CSRF check refuses it.
router = APIRouter(
    dependencies=[Depends(close_form), Depends(require_csrf)], include_in_schema=False
)
router.include_router(account.router)
router.include_router(dashboard.router)
router.include_router(admin.router)
router.include_router(bodies.router)
router.include_router(policies.router)
router.include_router(screening.router)
router.include_router(wizard.router)
router.include_router(decisions.router)
router.include_router(workflow.router)
router.include_router(actions.router)
router.include_router(report.router)
router.include_router(register.router)
router.include_router(schedule_import.router)
router.include_router(schedule.router)
router.include_router(audit.router)
router.include_router(docs.router)
router.include_router(notifications.router)
router.include_router(calendar.router)
router.include_router(passwords.router)
router.include_router(trust_email.router)
router.include_router(consultations.router)
router.include_router(consultation_themes.router)
router.include_router(consultation_settings.router)
router.include_router(formal_consultations.router)
router.include_router(staff_voice.router)
# Outside the CSRF check: the signed link is the proof (app/pages/notifications.py).
unsubscribe_router = notifications.unsubscribe_router
# Outside it too: calendar apps fetch the feed by its signed link (app/pages/calendar.py).
calendar_feed_router = calendar.feed_router
