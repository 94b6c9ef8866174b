"""What the ingestion routes share within one process."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lms_telemetry.config import Config
from lms_telemetry.ingest.dedup import SeenEventIds
from lms_telemetry.ingest.pipeline import Ingestor
from lms_telemetry.ingest.spool import GroupCommitSpool, backlog_bytes

_BACKLOG_CACHE_SECONDS = 1.0


@dataclass
class IngestState:
    config: Config
    ingestor: Ingestor
    spool: GroupCommitSpool
    seen: SeenEventIds
    spool_dir: Path
    notify_loader: Callable[[], None] = lambda: None
    _backlog: tuple[float, int] = field(default=(0.0, 0))

    @property
    def max_pending_events(self) -> int:
        return int(self.config["spool.max_pending_events"])

    @property
    def max_backlog_bytes(self) -> int:
        return int(self.config["spool.max_backlog_bytes"])

    def backlog_bytes(self) -> int:
        """Unloaded spool bytes, measured at most once a second."""
        measured_at, value = self._backlog
        now = time.monotonic()
        if now - measured_at > _BACKLOG_CACHE_SECONDS:
            value = backlog_bytes(self.spool_dir)
            self._backlog = (now, value)
        return value
