"""The errors report: error groups by fingerprint, most frequent first.

A group's message is the masked one that defines it. Like every row of free
text, a group appears only when at least `min_ids` distinct pseudonymous ids
produced it; the rest are folded into `other`, counted.
"""

from __future__ import annotations

from typing import Any

from lms_telemetry.analytics._rollup_scope import run_statement
from lms_telemetry.analytics._scope import (
    DEFAULT_LIMIT,
    DEFAULT_MIN_IDS,
    Bound,
    iso_time,
    positive_int,
    reject_unknown_options,
    resolve_scope,
)
from lms_telemetry.analytics.error_groups import error_kind, error_type_of, mask_message
from lms_telemetry.storage.base import Store


def report(
    store: Store,
    since: Bound,
    until: Bound,
    tz: str = "UTC",
    persona: str | None = None,
    interface: str | None = None,
    *,
    min_ids: Any = None,
    limit: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """Groups ordered by events descending (at most LIMIT), then fingerprint."""
    reject_unknown_options("errors", options)
    scope = resolve_scope(since, until, tz, persona, interface)
    threshold = positive_int("min_ids", min_ids, DEFAULT_MIN_IDS)
    top = positive_int("limit", limit, DEFAULT_LIMIT)
    columns = [
        "event",
        "event_time",
        "payload",
        "error_type",
        "message",
        "error_fingerprint",
    ]
    row = run_statement(
        store, "errors", "groups", scope, columns, extra={"min_ids": threshold}
    )[0]
    groups = [_group(found, tz) for found in (row["shown"] or [])[:top]]
    return {"groups": groups, "other": row["folded"], "min_ids": threshold}


def _group(found: dict[str, Any], tz: str) -> dict[str, Any]:
    return {
        "fingerprint": found["fingerprint"],
        "kind": error_kind(found["event"], found["payload_kind"]),
        "type": error_type_of(found["error_type"], found["message"]),
        "message": mask_message(found["message"]),
        "events": found["events"],
        "sessions": found["sessions"],
        "pseudonymous_ids": found["pseudonymous_ids"],
        "first_seen": iso_time(found["first_seen"], tz),
        "last_seen": iso_time(found["last_seen"], tz),
    }
