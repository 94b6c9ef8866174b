"""Event rows as the loader stores them, for writing straight into a real
DuckDB file in the report tests."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from lms_telemetry.analytics.error_groups import error_kind, fingerprint_error
from lms_telemetry.analytics.queries import normalize_query
from lms_telemetry.storage import Store

CATEGORIES = {
    "search_submitted": "user_action", "item_viewed": "user_action",
    "item_borrowed": "user_action", "item_renewed": "user_action",
    "hold_placed": "user_action", "item_returned": "user_action",
    "hold_cancelled": "user_action", "page_viewed": "navigation",
    "tab_switched": "navigation", "menu_clicked": "navigation",
    "search_input": "search", "suggestion_clicked": "search",
    "result_clicked": "search", "api_request": "performance",
    "page_load": "performance", "web_vital": "performance",
    "feature_used": "feature", "js_error": "error",
    "backend_exception": "error", "experiment_exposure": "experiment",
}
T0 = datetime(2024, 5, 6, 12, 0, tzinfo=timezone.utc)


def at(minutes: float = 0, start: datetime = T0) -> datetime:
    return start + timedelta(minutes=minutes)


def make_event(event: str, time: datetime, **fields: Any) -> dict[str, Any]:
    """One events-table row with the loader's defaults; FIELDS override."""
    payload = fields.pop("payload", {})
    row: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event": event,
        "category": CATEGORIES[event],
        "event_time": time,
        "received_at": fields.pop("received_at", time),
        "is_clock_corrected": False,
        "pseudonymous_id": "id-1",
        "session_id": None,
        "persona": "patron",
        "interface": "opac",
        "is_bot": False,
    }
    row.update(fields)
    if row.get("query") is not None:
        row["query_normalized"] = normalize_query(row["query"])
    if event in ("js_error", "backend_exception"):
        kind = error_kind(event, payload.get("kind"))
        row["error_fingerprint"], _ = fingerprint_error(
            kind, row.get("error_type"), row.get("message"), payload.get("stack")
        )
    row["payload"] = json.dumps(payload)
    return row


def load(store: Store, rows: list[dict[str, Any]]) -> None:
    store.load_spool_records(rows, [], {})
