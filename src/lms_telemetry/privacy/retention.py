"""Retention: delete raw events and quarantined bodies past their time, and
destroy the pseudonym keys of periods nothing stored can need any more.

Events are kept `privacy.retention_days` (per category, overridden by
`privacy.retention_days_by_category`), counted from when they were received;
quarantined bodies `privacy.quarantine_retention_days`. A key goes when its
whole period is older than the longest event retention, so erasure can still
find every stored event of a person until then, and nobody can afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lms_telemetry.config import Config
from lms_telemetry.privacy.journal import record_action
from lms_telemetry.privacy.keys import KeyRing
from lms_telemetry.schema import EventSchema
from lms_telemetry.storage import Store

logger = logging.getLogger(__name__)


class RetentionSettingError(Exception):
    """A retention setting names an unknown category or is not a day count."""


@dataclass(frozen=True)
class RetentionReport:
    events_deleted: dict[str, int] = field(default_factory=dict)
    quarantine_deleted: int = 0
    keys_destroyed: list[str] = field(default_factory=list)

    @property
    def total_events_deleted(self) -> int:
        return sum(self.events_deleted.values())


def retention_days_by_category(config: Config, schema: EventSchema) -> dict[str, int]:
    """Days events of each category are kept (every category of the schema)."""
    categories = sorted({schema.category_of(name) for name in schema.event_names()})
    overrides = config["privacy.retention_days_by_category"]
    for category, days in overrides.items():
        name = f"privacy.retention_days_by_category.{category}"
        if category not in categories:
            raise RetentionSettingError(
                f"{name}: {category!r} is not a category; expected one of"
                f" {', '.join(categories)}"
            )
        _check_days(name, days)
    default = _check_days("privacy.retention_days", config["privacy.retention_days"])
    return {category: int(overrides.get(category, default)) for category in categories}


def _check_days(name: str, days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RetentionSettingError(
            f"{name}: {days!r} is not a whole number of days >= 1"
        )
    return days


def key_retention_days(config: Config, schema: EventSchema) -> int:
    """How long after its period a key is kept: the longest event retention."""
    return max(retention_days_by_category(config, schema).values())


def run_retention(
    store: Store,
    config: Config,
    now: datetime,
    *,
    schema: EventSchema | None = None,
    keys: KeyRing | None = None,
) -> RetentionReport:
    """Delete what is past retention at NOW, destroy expired keys, journal it."""
    schema = schema or EventSchema.load(config["schema_extensions"])
    days_by_category = retention_days_by_category(config, schema)
    default_days = _check_days(
        "privacy.retention_days", config["privacy.retention_days"]
    )
    events_deleted = _delete_events(store, days_by_category, default_days, now)
    quarantine_days = _check_days(
        "privacy.quarantine_retention_days", config["privacy.quarantine_retention_days"]
    )
    quarantine_deleted = store.execute(
        "DELETE FROM quarantine WHERE received_at < ?",
        [now - timedelta(days=quarantine_days)],
    )
    keys = keys or KeyRing.from_config(config)
    destroyed = keys.destroy_expired(now, max(days_by_category.values()))
    report = RetentionReport(events_deleted, quarantine_deleted, destroyed)
    record_action(store, "retention", now, _journal_details(report))
    logger.info(
        "retention removed %d events, %d quarantined bodies, %d keys",
        report.total_events_deleted,
        quarantine_deleted,
        len(destroyed),
    )
    return report


def _delete_events(
    store: Store, days_by_category: dict[str, int], default_days: int, now: datetime
) -> dict[str, int]:
    deleted = {}
    for category, days in days_by_category.items():
        deleted[category] = store.execute(
            "DELETE FROM events WHERE category = ? AND received_at < ?",
            [category, now - timedelta(days=days)],
        )
    # Categories no longer in the schema (an extension was removed) fall
    # back to the default retention rather than being kept for ever.
    known = list(days_by_category)
    placeholders = ", ".join("?" for _ in known)
    deleted["(unknown)"] = store.execute(
        f"DELETE FROM events WHERE category NOT IN ({placeholders})"
        " AND received_at < ?",
        [*known, now - timedelta(days=default_days)],
    )
    return {category: count for category, count in deleted.items() if count}


def _journal_details(report: RetentionReport) -> dict[str, object]:
    return {
        "events_deleted": report.events_deleted,
        "quarantine_deleted": report.quarantine_deleted,
        "keys_destroyed": report.keys_destroyed,
    }
