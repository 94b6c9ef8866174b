"""Sessions in a real headless Chromium, so the real browser client runs.

The pages load telemetry_client.js from the service and the client sends
what it captures by itself: page views, search input, Web Vitals, the
events the pages' scripts track, and the beacon when the tab closes. The
browser is Debian's chromium, driven by Playwright; nothing is downloaded.
"""

from __future__ import annotations

import random
from pathlib import Path

from rich.console import Console

from examples.opac.catalog import load_catalog
from examples.opac.simulation.browser import BROWSERS
from examples.opac.simulation.queries import plain_title

CHROMIUM = Path("/usr/bin/chromium")
#: Typing pause long enough for the client's search-input debounce (500 ms).
TYPING_PAUSE_MS = 800


def run_browser_sessions(
    console: Console, site_url: str, catalog_path: Path, seed: int, sessions: int = 8
) -> int:
    """Run ``sessions`` patron visits in Chromium; return how many ran."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        console.print("[yellow]--browser needs Playwright for Python; skipped.")
        return 0
    if not CHROMIUM.exists():
        console.print(
            f"[yellow]--browser needs {CHROMIUM} (Debian's chromium); skipped."
        )
        return 0
    rng = random.Random(f"chromium:{seed}")
    books = sorted(
        load_catalog(catalog_path).books.values(), key=lambda book: -book.ratings_count
    )[:50]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            for number in range(sessions):
                query = plain_title(rng.choice(books)).lower()
                visit_in_browser(browser, site_url, f"B{seed:03d}{number:04d}", query)
        finally:
            browser.close()
    console.print(f"Ran {sessions} sessions in headless Chromium.")
    return sessions


def visit_in_browser(browser: object, site_url: str, card: str, query: str) -> None:
    """Search, open the first result, borrow it, look at the loans, close."""
    # A desktop browser's user agent: these sessions stand in for patrons,
    # and HeadlessChrome's own agent would rightly be flagged as a bot.
    context = browser.new_context(user_agent=BROWSERS[0][0])  # type: ignore[attr-defined]
    context.add_cookies([{"name": "card", "value": card, "url": site_url}])
    page = context.new_page()
    page.goto(site_url + "/")
    page.fill("#q", query)
    page.wait_for_timeout(TYPING_PAUSE_MS)
    page.press("#q", "Enter")
    page.wait_for_load_state("load")
    results = page.locator(".result-link")
    if results.count():
        results.first.click()
        page.wait_for_load_state("load")
        page.click("#borrow")
        page.wait_for_timeout(300)
    page.goto(site_url + "/account/loans")
    page.wait_for_load_state("load")
    page.close()  # pagehide: the client flushes with a beacon
    context.close()
