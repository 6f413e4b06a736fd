"""The ETag response header of the API's writes (app.api_responses adds every route's errors)."""

from __future__ import annotations

from typing import Any

from app.revisions import ETAG_HEADER

ETAGGED: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}
ETAGGED_NEW: dict[int | str, dict[str, Any]] = {201: {"headers": ETAG_HEADER}}
