"""Event ids seen at the door, shared by all ingest processes.

This index only makes replies honest about duplicates; it is not what keeps
events unique. The loader inserts with the event id as primary key, so a
duplicate that slips past here (two copies racing in two processes, or an id
whose record was lost with a crash) is still stored once. That is why the
index may skip fsync: losing its tail costs a miscounted reply, never data.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

_BUSY_TIMEOUT_MS = 5000
_LOCK_RETRY_SECONDS = 0.0005
_CHUNK = 500  # SQLite's limit on bound parameters is far above this


class SeenEventIds:
    """A SQLite table of event ids with the time they were first accepted."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Reads come from the event loop, writes from the spool's thread: two
        # connections, so a write waiting for another process's lock never
        # holds up a read (WAL lets readers go on beside a writer).
        self._connection = self._connect(path)
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS seen ("
            " event_id TEXT PRIMARY KEY, first_seen REAL NOT NULL) WITHOUT ROWID"
        )
        self._writer = self._connect(path)
        self._writer.execute("PRAGMA busy_timeout = 0")  # see _begin_writing

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(
            path,
            timeout=_BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        return connection

    def known(self, event_ids: Sequence[str]) -> set[str]:
        """Which of EVENT_IDS were accepted before."""
        found: set[str] = set()
        for start in range(0, len(event_ids), _CHUNK):
            chunk = event_ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._connection.execute(
                f"SELECT event_id FROM seen WHERE event_id IN ({marks})", chunk
            )
            found.update(row[0] for row in rows)
        return found

    def remember(self, event_ids: Sequence[str]) -> None:
        """Record EVENT_IDS as accepted (after they are durable in the spool)."""
        now = time.time()
        self._begin_writing()
        try:
            self._writer.executemany(
                "INSERT OR IGNORE INTO seen VALUES (?, ?)",
                [(event_id, now) for event_id in event_ids],
            )
        except sqlite3.Error:
            self._writer.execute("ROLLBACK")
            raise
        self._writer.execute("COMMIT")

    def _begin_writing(self) -> None:
        # SQLite's own busy handler sleeps in steps of up to 100 ms while the
        # other ingest process writes; those writes take well under a
        # millisecond, so waiting in short steps keeps replies fast.
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._writer.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(_LOCK_RETRY_SECONDS)

    def forget_older_than(self, seconds: float) -> int:
        cursor = self._writer.execute(
            "DELETE FROM seen WHERE first_seen < ?", (time.time() - seconds,)
        )
        return cursor.rowcount

    def close(self) -> None:
        self._connection.close()
        self._writer.close()
