"""Chores of the owner process: the first admin account, daily retention."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

from starlette.applications import Starlette

from lms_telemetry.config import Config
from lms_telemetry.dashboard.accounts import ensure_first_admin
from lms_telemetry.privacy.retention import run_retention
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

RETENTION_INTERVAL_SECONDS = 24 * 3600
_DEDUP_CLEANUP_SECONDS = 3600


def announce_first_admin(store: Store, config: Config) -> None:
    """Create the first admin when none exists; print a generated password once."""
    password = ensure_first_admin(store, config)
    if password:
        # Printed, never logged: logs are kept and shipped, the terminal is not.
        print(
            "Created the dashboard account 'admin' with the password "
            f"{password} (shown once; change it with `lms-telemetry user passwd admin`)",
            file=sys.stderr,
            flush=True,
        )


async def run_daily(app: Starlette) -> None:
    """Retention at start and then every day, while the service runs."""
    state = app.state

    def retain_while_loader_waits() -> object:
        with state.loader.lock:
            return run_retention(
                state.store,
                state.config,
                datetime.now(UTC),
                schema=state.schema,
            )

    while True:
        try:
            report = await asyncio.to_thread(retain_while_loader_waits)
            logger.info("retention ran", extra={"report": str(report)})
            forgotten = await asyncio.to_thread(
                state.ingest.seen.forget_older_than,
                state.config["spool.dedup_window_days"] * 86400,
            )
            logger.debug("forgot %d old event ids", forgotten)
        except Exception:  # a failed run is retried the next day, and logged now
            logger.exception("retention failed")
        await asyncio.sleep(RETENTION_INTERVAL_SECONDS)
