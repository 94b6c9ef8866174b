"""Event rows as the loader stores them, for writing straight into a real
DuckDB file in the report tests."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from lms_telemetry.analytics.error_groups import error_kind, fingerprint_error
from lms_telemetry.analytics.queries import normalize_query
from lms_telemetry.storage import Store

CATEGORIES = {
    "search_submitted": "user_action",
    "item_viewed": "user_action",
    "item_borrowed": "user_action",
    "item_renewed": "user_action",
    "hold_placed": "user_action",
    "item_returned": "user_action",
    "hold_cancelled": "user_action",
    "page_viewed": "navigation",
    "tab_switched": "navigation",
    "menu_clicked": "navigation",
    "search_input": "search",
    "suggestion_clicked": "search",
    "result_clicked": "search",
    "api_request": "performance",
    "page_load": "performance",
    "web_vital": "performance",
    "feature_used": "feature",
    "js_error": "error",
    "backend_exception": "error",
    "experiment_exposure": "experiment",
}
T0 = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)


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


def random_stream(seed: int, sessions: int = 120) -> list[dict[str, Any]]:
    """A mixed stream with known structure: searches and clicks on shared
    queries, item activity, bots, sessions with and without session_id whose
    gaps sometimes exceed 30 minutes."""
    import random

    rng = random.Random(seed)
    queries = [
        "Harry Potter",
        "harry  potter",
        "ＤＵＮＥ",
        "dune",
        "Le Petit Prince",
        "tolkien",
        "nothing here",
    ]
    names = [
        "search_submitted",
        "result_clicked",
        "result_clicked",
        "item_viewed",
        "item_borrowed",
        "hold_placed",
        "page_viewed",
        "suggestion_clicked",
        "feature_used",
    ]
    rows: list[dict[str, Any]] = []
    for number in range(sessions):
        owner = f"id-{rng.randrange(25)}"
        session_id = f"s-{number}" if rng.random() < 0.5 else None
        persona = rng.choice(["patron", "patron", "librarian", "unknown"])
        is_bot = rng.random() < 0.05
        moment = at(rng.uniform(0, 3 * 24 * 60))
        last_query = rng.choice(queries)
        for _ in range(rng.randrange(1, 12)):
            moment += timedelta(seconds=rng.choice([5, 20, 50, 70, 300, 2400]))
            name = rng.choice(names)
            fields: dict[str, Any] = {
                "pseudonymous_id": owner,
                "session_id": session_id,
                "persona": persona,
                "is_bot": is_bot,
            }
            if name == "search_submitted":
                last_query = rng.choice(queries)
                fields |= {
                    "query": last_query,
                    "results_count": rng.choice([0, 3, 12]),
                    "latency_ms": float(rng.randrange(20, 900)),
                }
            elif name == "result_clicked":
                query = last_query if rng.random() < 0.8 else rng.choice(queries)
                fields |= {
                    "query": query,
                    "item_id": str(rng.randrange(1, 6)),
                    "position": rng.randrange(1, 10),
                }
            elif name == "suggestion_clicked":
                fields |= {"query": last_query, "position": rng.randrange(1, 5)}
            elif name in ("item_viewed", "item_borrowed", "hold_placed"):
                fields["item_id"] = str(rng.randrange(1, 6))
                if name != "item_viewed":
                    fields["outcome"] = rng.choice(["success", "success", "refused"])
            elif name == "feature_used":
                fields["feature"] = rng.choice(["dark_mode", "share_item"])
            rows.append(make_event(name, moment, **fields))
    return rows
