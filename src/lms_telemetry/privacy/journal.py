"""The privacy journal: a record of retention runs and erasures.

Entries say when, which action, and how many rows or keys went; they never
hold an id, a pseudonym or a stored value, so the journal itself needs no
retention.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lms_telemetry.storage import Store


def record_action(
    store: Store, action: str, at: datetime, details: Mapping[str, Any]
) -> None:
    """Append one entry to the journal."""
    store.execute(
        "INSERT INTO privacy_journal (recorded_at, action, details) VALUES (?, ?, ?::JSON)",
        [at, action, json.dumps(details, sort_keys=True)],
    )


def journal_entries(store: Store, action: str | None = None) -> list[dict[str, Any]]:
    """Entries, oldest first, with details decoded; only ACTION's when given."""
    sql = "SELECT recorded_at, action, details FROM privacy_journal"
    params: list[Any] = []
    if action is not None:
        sql += " WHERE action = ?"
        params.append(action)
    rows = store.query(sql + " ORDER BY entry_id", params).rows
    return [
        {"at": at, "action": name, "details": json.loads(details)}
        for at, name, details in rows
    ]
