"""The JSON API under /api/v1, one module per resource; each route calls the same use-case as
its page. `app.api.routes` assembles them (with app.api_workflow's) into one router."""

from app.api.etags import ETAGGED as ETAGGED, ETAGGED_NEW as ETAGGED_NEW  # for app.api_workflow
