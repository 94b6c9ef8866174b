"""Where experiment definitions come from: the configuration and the admin API.

Experiments in the configuration are fixed while the service runs; those
created through the admin API are kept in the `experiments` table and can be
changed or removed. A key lives in one place only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from lms_telemetry.config import Config
from lms_telemetry.experiments.definitions import (
    ExperimentDefinition,
    load_experiment_definitions,
    parse_experiment,
)
from lms_telemetry.experiments.metrics import DefinitionError
from lms_telemetry.schema import EventSchema
from lms_telemetry.storage.base import Store


def _stored_tables(store: Store) -> list[dict[str, Any]]:
    # A database opened read-only may predate the table; it then has none.
    exists = store.query(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'experiments'"
    ).scalar()
    if not exists:
        return []
    rows = store.query("SELECT definition FROM experiments ORDER BY key").rows
    return [json.loads(definition) for (definition,) in rows]


def all_definitions(
    store: Store, config: Config, schema: EventSchema
) -> list[ExperimentDefinition]:
    """Every experiment: the configuration's first, then the stored ones."""
    events = schema.event_names()
    configured = load_experiment_definitions(config.get("experiments") or [], events)
    stored = [
        parse_experiment(table, f"stored experiment {table.get('key')!r}", events)
        for table in _stored_tables(store)
    ]
    return configured + stored


def save_definition(
    store: Store, config: Config, schema: EventSchema, table: dict[str, Any]
) -> ExperimentDefinition:
    """Check TABLE and store it, replacing a stored experiment of the same key."""
    definition = parse_experiment(table, "experiment", schema.event_names())
    configured = load_experiment_definitions(
        config.get("experiments") or [], schema.event_names()
    )
    if any(other.key == definition.key for other in configured):
        raise DefinitionError(
            f"experiment.key: {definition.key!r} is defined in the configuration"
        )
    store.execute(
        "INSERT OR REPLACE INTO experiments VALUES (?, ?, ?)",
        [definition.key, json.dumps(table), datetime.now(UTC)],
    )
    return definition


def delete_definition(store: Store, key: str) -> bool:
    """Remove a stored experiment; False when there was none of that key."""
    found = store.query(
        "SELECT count(*) FROM experiments WHERE key = ?", [key]
    ).scalar()
    store.execute("DELETE FROM experiments WHERE key = ?", [key])
    return bool(found)
