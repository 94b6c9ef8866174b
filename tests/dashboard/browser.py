"""Debian's Chromium driven by Playwright, and what the tests read from pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

# Counts how many canvas pixels a chart painted; blank canvases count 0.
PAINTED_PIXELS = """canvas => {
  const context = canvas.getContext("2d");
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let index = 3; index < data.length; index += 4) {
    if (data[index] > 0) painted += 1;
  }
  return painted;
}"""

CHART_VALUES = """canvas => {
  const chart = window.Chart.getChart(canvas);
  if (!chart) return null;
  return chart.data.datasets.map(set => set.data.map(
    point => (point !== null && typeof point === "object") ? point.v : point));
}"""


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )


def log_in(context: BrowserContext, url: str, name: str, password: str) -> Page:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url("**/dashboard/**")
    return page


def tile_values(page: Page) -> dict[str, Any]:
    """Each tile's exact value, from its data-value attribute."""
    found = page.eval_on_selector_all(
        ".tile[data-metric]",
        "tiles => tiles.map(t => [t.dataset.metric, t.dataset.value])",
    )
    return {metric: json.loads(value) for metric, value in found}


def table_values(page: Page, table: str) -> list[list[Any]]:
    """The data-value cells of each body row of the TABLE selector's tables,
    leaving out tables nested in their cells (sparklines)."""
    rows = page.eval_on_selector_all(
        f"{table} > tbody > tr",
        "rows => rows.map(r => Array.from(r.querySelectorAll(':scope > td[data-value]'))"
        ".map(c => c.dataset.value))",
    )
    return [[json.loads(value) for value in row] for row in rows]


def row_headers(page: Page, table: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{table} > tbody > tr > th[scope=row]", "cells => cells.map(c => c.innerText)"
    )


def api_query(page: Page) -> str:
    """The report API query the page says gives its numbers."""
    href = page.get_attribute("#period-shown a", "href") or ""
    return href.split("?", 1)[1] if "?" in href else ""


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [node["html"][:200] for node in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
