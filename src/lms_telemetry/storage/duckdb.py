"""The default store: one DuckDB file, owned by one process.

DuckDB lets a single process write a database file, so the process that opens
a `DuckDBStore` for writing is the only one that may load events; every other
process reaches the data through that process's query API, or opens the file
read-only when nobody holds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lms_telemetry.storage.base import QueryResult, StorageError

logger = logging.getLogger(__name__)

_TS = pa.timestamp("us", tz="UTC")

# Column order and Arrow types of the events table; the loader builds one
# Arrow table per load with exactly these columns.
EVENT_COLUMNS: dict[str, pa.DataType] = {
    "event_id": pa.string(),
    "event": pa.string(),
    "category": pa.string(),
    "event_time": _TS,
    "client_time": _TS,
    "sent_at": _TS,
    "received_at": _TS,
    "is_clock_corrected": pa.bool_(),
    "pseudonymous_id": pa.string(),
    "device_pseudonym": pa.string(),
    "account_pseudonym": pa.string(),
    "session_id": pa.string(),
    "persona": pa.string(),
    "interface": pa.string(),
    "page_path": pa.string(),
    "referrer_path": pa.string(),
    "page_title": pa.string(),
    "app_version": pa.string(),
    "locale": pa.string(),
    "timezone": pa.string(),
    "screen": pa.string(),
    "browser_family": pa.string(),
    "browser_major": pa.int32(),
    "os_family": pa.string(),
    "device_class": pa.string(),
    "is_bot": pa.bool_(),
    "experiments": pa.string(),
    "schema_version": pa.string(),
    "query": pa.string(),
    "query_normalized": pa.string(),
    "results_count": pa.int32(),
    "latency_ms": pa.float64(),
    "item_id": pa.string(),
    "position": pa.int32(),
    "outcome": pa.string(),
    "reason": pa.string(),
    "mode": pa.string(),
    "endpoint": pa.string(),
    "method": pa.string(),
    "status": pa.int32(),
    "duration_ms": pa.float64(),
    "metric_name": pa.string(),
    "metric_value": pa.float64(),
    "feature": pa.string(),
    "message": pa.string(),
    "error_type": pa.string(),
    "error_fingerprint": pa.string(),
    "payload": pa.string(),
}

QUARANTINE_COLUMNS: dict[str, pa.DataType] = {
    "received_at": _TS,
    "reason": pa.string(),
    "errors": pa.string(),
    "event_index": pa.int32(),
    "event_id": pa.string(),
    "body": pa.string(),
}

_EVENTS_SCHEMA = pa.schema(list(EVENT_COLUMNS.items()))
_QUARANTINE_SCHEMA = pa.schema(list(QUARANTINE_COLUMNS.items()))


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("lms_telemetry.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class DuckDBStore:
    """A DuckDB database file with the project's schema applied."""

    dialect = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.is_read_only = read_only
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StorageError(
                f"Cannot open database {str(self.path)!r}: {exc}"
            ) from exc
        self._local = threading.local()
        self._write_lock = threading.Lock()
        if not read_only:
            self.migrate()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        # A DuckDB connection is not safe to share between threads; each
        # thread gets its own cursor on the same database instance.
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._connection.cursor()
            self._local.cursor = cursor
        return cursor

    def migrate(self) -> list[str]:
        """Apply every migration not applied yet, in order; return their names."""
        cursor = self._cursor()
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {
            row[0]
            for row in cursor.execute(
                "SELECT version FROM schema_migrations"
            ).fetchall()
        }
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            cursor.execute("BEGIN TRANSACTION")
            try:
                cursor.execute(sql)
                cursor.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    [version, name],
                )
                cursor.execute("COMMIT")
            except duckdb.Error as exc:
                cursor.execute("ROLLBACK")
                raise StorageError(f"Migration {name!r} failed: {exc}") from exc
            logger.info("applied migration %s", name, extra={"migration": name})
            applied.append(name)
        return applied

    def query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> QueryResult:
        cursor = self._cursor()
        cursor.execute(sql, params)
        columns = [d[0] for d in cursor.description or []]
        return QueryResult(columns, cursor.fetchall())

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> int:
        with self._write_lock:
            cursor = self._cursor()
            rows = cursor.execute(sql, params).fetchall()
            first = rows[0][0] if rows and rows[0] else None
            return first if isinstance(first, int) else 0

    def load_spool_records(
        self,
        events: Iterable[Mapping[str, Any]],
        quarantined: Iterable[Mapping[str, Any]],
        progress: Mapping[str, tuple[int, bool]],
    ) -> int:
        event_table = pa.Table.from_pylist(list(events), schema=_EVENTS_SCHEMA)
        quarantine_table = pa.Table.from_pylist(
            list(quarantined), schema=_QUARANTINE_SCHEMA
        )
        with self._write_lock:
            cursor = self._cursor()
            cursor.execute("BEGIN TRANSACTION")
            try:
                inserted = self._insert_events(cursor, event_table)
                if quarantine_table.num_rows:
                    cursor.register("staged_quarantine", quarantine_table)
                    cursor.execute(
                        "INSERT INTO quarantine (received_at, reason, errors,"
                        " event_index, event_id, body) SELECT received_at, reason,"
                        " errors::JSON, event_index, event_id, body"
                        " FROM staged_quarantine"
                    ).fetchall()
                    cursor.unregister("staged_quarantine")
                for segment, (offset, is_finished) in progress.items():
                    cursor.execute(
                        "INSERT OR REPLACE INTO spool_progress VALUES (?, ?, ?)",
                        [segment, offset, is_finished],
                    ).fetchall()
                cursor.execute("COMMIT")
            except duckdb.Error as exc:
                cursor.execute("ROLLBACK")
                raise StorageError(f"Loading spool records failed: {exc}") from exc
        return inserted

    @staticmethod
    def _insert_events(cursor: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
        if not table.num_rows:
            return 0
        cursor.register("staged_events", table)
        # Within one load a retried event may appear twice; keep the first.
        select = ", ".join(
            f"{name}::JSON" if name in ("experiments", "payload") else name
            for name in EVENT_COLUMNS
        )
        inserted = cursor.execute(
            f"INSERT OR IGNORE INTO events SELECT {select} FROM ("
            " SELECT *, row_number() OVER (PARTITION BY event_id) AS copy"
            " FROM staged_events) WHERE copy = 1"
        ).fetchall()
        cursor.unregister("staged_events")
        return int(inserted[0][0])

    def spool_progress(self) -> dict[str, tuple[int, bool]]:
        rows = self.query(
            "SELECT segment, offset_bytes, is_finished FROM spool_progress"
        )
        return {segment: (offset, finished) for segment, offset, finished in rows.rows}

    def close(self) -> None:
        self._connection.close()
