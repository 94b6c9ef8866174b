"""A running service with the dashboard, an admin, a viewer and real traffic.

The service runs as an operator runs it (`lms-telemetry serve`); the traffic
arrives over HTTP. One service serves every test of a module, since logging
in and ingesting take seconds.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from lms_telemetry.dashboard.accounts import add_account
from lms_telemetry.storage.duckdb import DuckDBStore
from tests.dashboard.traffic import (
    EXPERIMENT,
    library_traffic,
    send_refused_event,
    send_traffic,
)
from tests.service import Service

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
VIEWER_NAME = "reader"
# An account only the throttling test logs in to, so locking it out does not
# lock out the others.
THROTTLED_NAME = "locked-out"
PAGE_PATHS = {
    "overview": "/dashboard/",
    "features": "/dashboard/features",
    "workflows": "/dashboard/workflows",
    "search": "/dashboard/search",
    "content": "/dashboard/content",
    "performance": "/dashboard/performance",
    "errors": "/dashboard/errors",
    "experiments": "/dashboard/experiments",
    "quality": "/dashboard/data-quality",
    "configuration": "/dashboard/configuration",
    "privacy": "/dashboard/privacy",
}
ADMIN_PAGES = ("quality", "configuration")
REPORT_NAMES = (
    "overview", "features", "funnels", "search", "sessions", "content",
    "performance", "errors",
)


@dataclass
class Dashboard:
    """A service with the dashboard mounted, and who may log in to it."""

    url: str
    admin_token: str
    admin_password: str
    viewer_password: str
    events_sent: int = 0
    _stop: Any = field(default=None, repr=False)

    def report(self, name: str, query: str = "") -> dict[str, Any]:
        """The report API's answer, the reference the pages must match."""
        response = httpx.get(
            f"{self.url}/api/reports/{name}?{query}",
            headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=60,
        )
        response.raise_for_status()
        return dict(response.json())

    def stop(self) -> None:
        self._stop()


def _prepare_database(db_path: Path, viewer_password: str) -> None:
    store = DuckDBStore(db_path)
    try:
        add_account(store, VIEWER_NAME, "viewer", viewer_password)
        add_account(store, THROTTLED_NAME, "viewer", viewer_password)
    finally:
        store.close()


def _start_service(directory: Path, admin_password: str) -> Dashboard:
    service = Service(
        directory, workers=2,
        env={
            "LMS_TELEMETRY_DASHBOARD_ADMIN_PASSWORD": admin_password,
            "LMS_TELEMETRY_EXPERIMENTS": json.dumps([EXPERIMENT]),
        },
    ).start()
    return Dashboard(
        service.url, service.admin_token, admin_password, "", _stop=service.stop
    )


def _wait_loaded(dashboard: Dashboard, events: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = httpx.get(
            f"{dashboard.url}/api/admin/status", timeout=10,
            headers={"Authorization": f"Bearer {dashboard.admin_token}"},
        ).json()
        if status["events"] >= events:
            return
        time.sleep(0.1)
    raise AssertionError(f"only {status['events']} of {events} events were loaded")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    directory = tmp_path_factory.mktemp("dashboard")
    admin_password = secrets.token_urlsafe(12)
    viewer_password = secrets.token_urlsafe(12)
    _prepare_database(directory / "telemetry.duckdb", viewer_password)
    running = _start_service(directory, admin_password)
    running.viewer_password = viewer_password
    try:
        running.events_sent = send_traffic(running.url, library_traffic())
        send_refused_event(running.url)
        _wait_loaded(running, running.events_sent)
        yield running
    finally:
        running.stop()
