"""telemetry_client.js end to end: Debian's Chromium, driven by Playwright,
loads a test page from the real service app, and the test reads back what
the service stored in its DuckDB file.

The page is same-origin with the service (tests/clients/page_server.py), as
on an LMS site. The test types a search, clicks a result, navigates single-
page style, throws an error, rejects a promise, calls an API, goes offline
and back, reloads, and closes the page; then every event must be stored
exactly once, in order, and the last ones must have come by beacon.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from tests.service import free_port

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
WRITE_KEY = "wk_browser_test"
PAGE = "/test-pages/opac.html"
VITALS = {"LCP", "INP", "CLS", "FCP", "TTFB"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@dataclass
class PageServer:
    """The service app plus the test pages, run by uvicorn on loopback."""

    directory: Path
    url: str
    admin_token: str
    process: subprocess.Popen[bytes]

    @property
    def db_path(self) -> Path:
        return self.directory / "telemetry.duckdb"

    @property
    def posts_path(self) -> Path:
        return self.directory / "posts.jsonl"

    def status(self) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        response = httpx.get(f"{self.url}/api/admin/status", headers=headers, timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def posts(self) -> list[dict[str, Any]]:
        if not self.posts_path.exists():
            return []
        return [json.loads(line) for line in self.posts_path.read_text().splitlines()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def start_page_server(directory: Path) -> PageServer:
    port = free_port()
    admin_token = secrets.token_urlsafe(16)
    env = dict(
        os.environ,
        LMS_TELEMETRY_DB=str(directory / "telemetry.duckdb"),
        LMS_TELEMETRY_WRITE_KEYS=json.dumps([WRITE_KEY]),
        LMS_TELEMETRY_ADMIN_TOKEN=admin_token,
        LMS_TELEMETRY_PRIVACY_KEY_FILE=str(directory / "keys.json"),
        LMS_TELEMETRY_TEST_POSTS=str(directory / "posts.jsonl"),
    )
    command = [
        sys.executable, "-m", "uvicorn", "--factory",
        "tests.clients.page_server:create_test_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]
    log = (directory / "server.log").open("ab")
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    server = PageServer(directory, f"http://127.0.0.1:{port}", admin_token, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((directory / "server.log").read_text()[-4000:])
        try:
            server.status()
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("the page server did not start")


@pytest.fixture
def page_server(tmp_path: Path) -> Iterator[PageServer]:
    server = start_page_server(tmp_path)
    yield server
    server.stop()


def wait_for(condition: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def stored_events(db_path: Path) -> list[dict[str, Any]]:
    """Every stored event, oldest first, read with the service stopped."""
    with duckdb.connect(str(db_path), read_only=True) as connection:
        cursor = connection.execute(
            "SELECT CAST(event_id AS VARCHAR) AS event_id, event, client_time, session_id,"
            " page_path, payload FROM events ORDER BY client_time, event"
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        row["payload"] = json.loads(row["payload"]) if row["payload"] else {}
    return rows


def describe(row: dict[str, Any]) -> tuple[str, ...]:
    """The part of an event the test controls exactly."""
    event, payload = row["event"], row["payload"]
    detail = {
        "page_viewed": payload.get("path"),
        "tab_switched": payload.get("tab"),
        "menu_clicked": payload.get("item"),
        "js_error": payload.get("kind"),
        "api_request": f"{payload.get('method')} {payload.get('endpoint')} {payload.get('status')}",
        "result_clicked": str(payload.get("position")),
    }.get(event)
    return (event, detail) if detail is not None else (event,)


def drive_first_page(page: Any, context: Any) -> None:
    page.goto(PAGE)
    page.wait_for_function("window.LmsTelemetry !== undefined")
    # Typed key by key: one search_input once typing pauses, not twelve.
    page.locator("#search-box").press_sequentially("harry potter", delay=40)
    page.wait_for_timeout(900)
    page.locator("#search-box").press("Enter")
    page.locator("#result-b2").click()
    page.get_by_text("Holdings").click()
    page.locator("#back").click()
    page.wait_for_url(f"**{PAGE}")
    page.locator("#throw").click()
    page.locator("#reject").click()
    page.locator("#availability").click()
    page.wait_for_selector("text=status 200")
    page.evaluate("LmsTelemetry.flush()")

    context.set_offline(True)
    page.get_by_text("My loans").click()
    page.get_by_text("Renew all").click()
    page.evaluate("LmsTelemetry.flush()")  # fails: offline, the events stay queued
    page.wait_for_timeout(500)
    context.set_offline(False)


EXPECTED_FIRST_PAGE = [
    ("page_viewed", PAGE),
    ("page_load",),
    ("search_input",),
    ("search_submitted",),
    ("result_clicked", "2"),
    ("page_viewed", "/test-pages/item/b2"),
    ("tab_switched", "holdings"),
    ("page_viewed", PAGE),
    ("js_error", "error"),
    ("js_error", "unhandledrejection"),
    ("api_request", "GET /api/schema 200"),
    ("menu_clicked", "my-loans"),
    ("menu_clicked", "renew-all"),
]
EXPECTED_SECOND_PAGE = [("page_viewed", PAGE), ("page_load",), ("menu_clicked", "last-click")]


def test_every_event_is_stored_once_across_offline_reload_and_close(
    page_server: PageServer,
) -> None:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(base_url=page_server.url)
        page = context.new_page()
        drive_first_page(page, context)
        page.reload()  # the offline events are still queued in localStorage
        page.wait_for_function("window.LmsTelemetry !== undefined")
        page.wait_for_timeout(300)
        page.get_by_text("Log out").click()
        last_ids = page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('lmst:queue:'))"
            ".flatMap(k => JSON.parse(localStorage.getItem(k))).map(e => e.event_id)"
        )
        page.close(run_before_unload=True)
        context.close()
        browser.close()

    posted = {event_id for post in page_server.posts() for event_id in post["event_ids"]}
    wait_for(lambda: page_server.status()["events"] >= len(posted), "the loader")
    page_server.stop()
    rows = stored_events(page_server.db_path)
    posts = page_server.posts()

    stored_ids = [row["event_id"] for row in rows]
    assert len(stored_ids) == len(set(stored_ids)), "an event was stored twice"
    assert set(stored_ids) == posted, "an event sent was not stored, or the reverse"
    assert all(post["status"] == 202 for post in posts)

    vitals = [row for row in rows if row["event"] == "web_vital"]
    assert {row["payload"]["name"] for row in vitals} <= VITALS
    assert {"FCP", "TTFB"} <= {row["payload"]["name"] for row in vitals}
    deterministic = [describe(row) for row in rows if row["event"] != "web_vital"]
    assert deterministic == EXPECTED_FIRST_PAGE + EXPECTED_SECOND_PAGE
    assert len({row["session_id"] for row in rows}) == 1

    beacons = [p for p in posts if p["content_type"].startswith("text/plain")]
    assert beacons and all(p["has_key_param"] for p in beacons)
    beaconed = {event_id for post in beacons for event_id in post["event_ids"]}
    assert set(last_ids) <= beaconed, "the page-close beacon did not arrive"
    fetched = {
        event_id
        for post in posts
        if post["content_type"].startswith("application/json")
        for event_id in post["event_ids"]
    }
    assert not set(last_ids) & fetched, "the last events should only go by beacon"
