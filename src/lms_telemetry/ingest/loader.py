"""The loader: the one writer that moves spooled frames into the store.

It runs in the process that owns the database. Each round reads new frames
from every segment, inserts them and records how far it read, all in one
transaction; a crash between rounds replays from the recorded offsets, and
the event id primary key absorbs any copy. Sealed segments that are fully
loaded are deleted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lms_telemetry.ingest import spool
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

MAX_EVENTS_PER_ROUND = 100_000
ROLLUP_REFRESH_SECONDS = 5.0


class Loader:
    """Bulk-loads spool segments into a store, once each."""

    def __init__(
        self,
        store: Store,
        directory: Path,
        on_loaded: Callable[[int], None] = lambda count: None,
    ) -> None:
        self.store = store
        self.directory = directory
        self.on_loaded = on_loaded
        self.loaded_events = 0
        self.lock = threading.Lock()  # held by erasure to pause loading
        self._offsets: dict[str, int] = {}
        self._rollups_refreshed_at = -ROLLUP_REFRESH_SECONDS

    def load_available(self) -> int:
        """One round over all segments; returns events newly stored."""
        with self.lock:
            spool.seal_abandoned(self.directory)
            progress = self.store.spool_progress()  # type: ignore[attr-defined]
            total = 0
            for path in spool.list_segments(self.directory):
                total += self._load_segment(path, progress)
            self.loaded_events += total
            if total:
                self.on_loaded(total)
            self._refresh_rollups_now_and_then()
            spool.publish_loaded_offsets(self.directory, self._offsets)
            return total

    def _refresh_rollups_now_and_then(self) -> None:
        # Refreshing costs far more than a load round, and reports fall back
        # to raw events while rollups lag, so it runs every few seconds only.
        now = time.monotonic()
        if now - self._rollups_refreshed_at < ROLLUP_REFRESH_SECONDS:
            return
        self._rollups_refreshed_at = now
        try:  # events are stored either way; a failed refresh is retried
            from lms_telemetry.analytics.rollups import refresh_rollups

            refresh_rollups(self.store)
        except Exception:
            logger.exception("refreshing report rollups failed; retrying")

    def _load_segment(self, path: Path, progress: dict[str, tuple[int, bool]]) -> int:
        name = spool.segment_name(path)
        start, _ = progress.get(name, (0, False))
        self._offsets[name] = start
        is_sealed = path.suffix == spool.SEALED_SUFFIX
        stored = 0
        while True:
            events: list[dict[str, Any]] = []
            quarantine: list[dict[str, Any]] = []
            end = start
            try:
                for frame in spool.read_frames(path, start):
                    events.extend(frame.events)
                    quarantine.extend(frame.quarantine)
                    end = frame.offset_end
                    if len(events) >= MAX_EVENTS_PER_ROUND:
                        break
            except FileNotFoundError:
                return stored  # sealed and renamed while we looked
            is_done = is_sealed and len(events) < MAX_EVENTS_PER_ROUND
            if end == start and not is_done:
                return stored
            stored += self.store.load_spool_records(
                events, quarantine, {name: (end, is_done)}
            )
            start = self._offsets[name] = end
            if is_done:
                self._discard(path, end)
                self._offsets.pop(name, None)
                return stored

    def _discard(self, path: Path, loaded_bytes: int) -> None:
        size = path.stat().st_size
        if size > loaded_bytes:
            # Bytes after the last whole frame of a sealed segment are a write
            # that was cut off by a crash before any reply acknowledged it.
            logger.warning(
                "discarded torn tail of a spool segment",
                extra={"segment": path.name, "bytes": size - loaded_bytes},
            )
        path.unlink()


class LoaderThread(threading.Thread):
    """Runs `Loader.load_available` every interval until stopped."""

    def __init__(self, loader: Loader, interval_seconds: float) -> None:
        super().__init__(name="spool-loader", daemon=True)
        self.loader = loader
        self.interval_seconds = interval_seconds
        self._stopping = threading.Event()
        self.wake = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.loader.load_available()
            except Exception:  # keep loading after a bad round; it is retried
                logger.exception("loading the spool failed; retrying")
            self.wake.wait(self.interval_seconds)
            self.wake.clear()

    def stop(self) -> None:
        self._stopping.set()
        self.wake.set()
        self.join(timeout=30)
        self.loader.load_available()
