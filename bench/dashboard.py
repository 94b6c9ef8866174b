"""Dashboard speed over 1 million events: server render and first paint.

Generates the events with the reports benchmark's generator, serves them
with the real service app plus the dashboard routes on loopback, logs in, and
for each page measures:

- server render: median time to answer GET of the page (reports included);
  baseline: the same page's report calls made directly (no HTTP, no
  template), so the ratio is what serving and templating add;
- first paint and charts drawn in headless Chromium (Debian's chromium);
  baseline: the login page, which has no report, in the same browser.

Target: every page under 1 s, render and first paint.

    .venv/bin/python bench/dashboard.py [--events 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._report_events import PERIOD_DAYS, PERIOD_START, generate_events, load_events
from lms_telemetry.config import Config
from lms_telemetry.dashboard import pages as dashboard_pages
from lms_telemetry.dashboard.accounts import add_account
from lms_telemetry.dashboard.filters import parse_filters
from lms_telemetry.storage.duckdb import DuckDBStore

TARGET_SECONDS = 1.0
PASSWORD = secrets.token_urlsafe(12)
SINCE = PERIOD_START.date().isoformat()
UNTIL = (PERIOD_START.date() + timedelta(days=PERIOD_DAYS)).isoformat()
QUERY = f"period=custom&since={SINCE}&until={UNTIL}"
MEASURED = ("overview", "features", "workflows", "search", "content",
            "performance", "errors", "quality")
PAGES = {page.key: page for page in dashboard_pages.PAGES if page.key in MEASURED}


def median_seconds(action: Callable[[], Any], runs: int) -> float:
    action()  # warm caches once, as a second visitor would find them
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def start_server(db_path: Path) -> tuple[str, Any, Callable[[], None]]:
    import uvicorn

    from lms_telemetry.api.app import create_app
    from lms_telemetry.dashboard.routes import routes
    from lms_telemetry.dashboard.security import SecurityHeadersMiddleware

    config = Config.load(overrides={
        "db": str(db_path), "admin_token": secrets.token_urlsafe(16),
        "privacy.key_file": str(db_path.parent / "keys.json"),
        # The generated events lie in 2024; the service's retention must not
        # erase them at start.
        "privacy.retention_days": 36_500,
    })
    app = create_app(config)
    if not any(getattr(route, "path", "") == "/login" for route in app.routes):
        app.router.routes.extend(routes)
        app.add_middleware(SecurityHeadersMiddleware)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=30)

    return f"http://127.0.0.1:{port}", app, stop


def logged_in_client(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
    assert token, "no CSRF token on the login page"
    answer = client.post("/login", data={
        "name": "bench", "password": PASSWORD, "csrf_token": token.group(1),
    })
    assert answer.status_code == 303, answer.text[:500]
    return client


def report_seconds(app: Any, page: dashboard_pages.Page, runs: int) -> float:
    """The page's own report calls, made directly: no HTTP, no template."""
    store, config = app.state.store, app.state.config
    filters = parse_filters(dict(httpx.QueryParams(QUERY)))
    return median_seconds(lambda: page.build(store, filters, config), runs)


def check_events_shown(client: httpx.Client, expected: int) -> None:
    page = client.get(f"/dashboard/?{QUERY}").text
    shown = re.search(r'data-metric="events" data-value="(\d+)"', page)
    assert shown and int(shown.group(1)) > expected // 2, "the pages show no events"


def measure_renders(
    url: str, app: Any, runs: int, events: int
) -> dict[str, tuple[float, float]]:
    client = logged_in_client(url)
    check_events_shown(client, events)
    results = {}
    for key, page in PAGES.items():
        def fetch(page: dashboard_pages.Page = page) -> None:
            response = client.get(f"{page.path}?{QUERY}")
            assert response.status_code == 200, (page.path, response.status_code)

        results[key] = (median_seconds(fetch, runs), report_seconds(app, page, runs))
    return results


PAINT_TIMES = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {paint: paint.startTime, drawn: performance.now()};
}"""
HAS_PAINTED = (
    "() => performance.getEntriesByName('first-contentful-paint').length > 0"
)
CHARTS_DRAWN = (
    "() => Array.from(document.querySelectorAll("
    "'figure.chart[data-has-data=true]')).every(f => f.dataset.rendered)"
)


def paint_seconds(page: Any, url: str, runs: int) -> tuple[float, float]:
    """Median first contentful paint and charts-drawn time of URL."""
    paints, drawn = [], []
    for _ in range(runs):
        page.goto(url)
        page.wait_for_function(CHARTS_DRAWN)
        page.wait_for_function(HAS_PAINTED)
        times = page.evaluate(PAINT_TIMES)
        paints.append(times["paint"] / 1000)
        drawn.append(times["drawn"] / 1000)
    return statistics.median(paints), statistics.median(drawn)


def measure_paints(url: str, runs: int) -> dict[str, tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    from tests.dashboard.browser import launch_chromium, log_in

    results = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        viewport = {"width": 1280, "height": 900}
        anonymous = browser.new_context(viewport=viewport).new_page()
        results["login"] = paint_seconds(anonymous, f"{url}/login", runs)
        page = log_in(browser.new_context(viewport=viewport), url, "bench", PASSWORD)
        for key, dashboard_page in PAGES.items():
            address = f"{url}{dashboard_page.path}?{QUERY}"
            results[key] = paint_seconds(page, address, runs)
        browser.close()
    return results


def print_figures(
    events: int,
    renders: dict[str, tuple[float, float]],
    paints: dict[str, tuple[float, float]],
) -> None:
    login_paint = paints["login"][0]
    print(f"\nDashboard over {events:,} events, period {SINCE} to {UNTIL}")
    print(f"{'page':<12}{'render s':>10}{'reports s':>11}{'ratio':>7}"
          f"{'paint s':>10}{'login s':>9}{'ratio':>7}{'charts s':>10}  target")
    for key in PAGES:
        render, reports = renders[key]
        paint, drawn = paints[key]
        is_met = max(render, paint) < TARGET_SECONDS
        print(f"{key:<12}{render:>10.3f}{reports:>11.3f}{render / reports:>7.2f}"
              f"{paint:>10.3f}{login_paint:>9.3f}{paint / login_paint:>7.2f}"
              f"{drawn:>10.3f}  {'met' if is_met else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        load_events(db_path, generate_events(arguments.events))
        store = DuckDBStore(db_path)
        add_account(store, "bench", "admin", PASSWORD)
        store.close()
        print(f"generated and loaded in {time.perf_counter() - started:.1f} s")
        url, app, stop = start_server(db_path)
        try:
            renders = measure_renders(url, app, arguments.runs, arguments.events)
            paints = measure_paints(url, arguments.runs)
        finally:
            stop()
    print_figures(arguments.events, renders, paints)


if __name__ == "__main__":
    main()
