"""Main-thread cost of telemetry_client.js in Debian's headless Chromium:
10,000 track() calls, in tasks of 500 calls as a page would make them,
beside the original sketch's sendTelemetry (one fetch per event) measured in
the same page and run. Prints the median cost per call of each and their
ratio, and every long task (over 50 ms) seen from the first call until the
client has delivered everything. Targets: under 20 microseconds a call, no
long task. No network: Playwright answers every request in the browser.

    .venv/bin/python bench/client_overhead.py
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from playwright.sync_api import Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "src" / "lms_telemetry" / "static" / "telemetry_client.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ORIGIN = "http://127.0.0.1:9"  # never reached: every request is answered by route()
CALLS, CALLS_PER_TASK = 10_000, 500
TARGET_MICROS = 20.0

PAGE = f"""<!doctype html><html><head><title>Bench</title>
<script>
window.longTasks = [];
new PerformanceObserver((list) => {{
  for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
}}).observe({{ type: "longtask", buffered: true }});
// The original sketch's client, as the baseline.
function sketchSendTelemetry(eventName, payload) {{
  fetch("/api/telemetry", {{
    method: "POST",
    headers: {{ "Content-Type": "application/json" }},
    body: JSON.stringify({{ event: eventName, timestamp: new Date().toISOString(), payload }}),
  }});
}}
</script>
<script src="/telemetry_client.js"></script>
<script>
LmsTelemetry.init({{ writeKey: "wk", persona: "patron", interface: "opac",
  experimentsEndpoint: null }});
</script></head><body></body></html>"""

# Runs `calls` calls of `send` in tasks of `perTask`; returns microseconds
# per call for each task.
MEASURE = """async ([name, calls, perTask]) => {
  const send = name === "client" ? LmsTelemetry.track : sketchSendTelemetry;
  const perCall = [];
  for (let done = 0; done < calls; done += perTask) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const start = performance.now();
    for (let i = 0; i < perTask; i++) {
      send("search_submitted", { query: "harry potter " + (done + i), results_count: 12 });
    }
    perCall.push(((performance.now() - start) * 1000) / perTask);
  }
  return perCall;
}"""


class Sink:
    """Answers every request in the browser; counts the client's events."""

    def __init__(self) -> None:
        self.client_events = 0
        self.dropped: dict[str, int] = {}

    def answer(self, route: Route) -> None:
        request = route.request
        if request.url.endswith("/telemetry_client.js"):
            route.fulfill(body=SHIPPED.read_text(), content_type="text/javascript")
        elif request.method == "POST":
            self.count(json.loads(request.post_data or "{}"))
            route.fulfill(status=202, body='{"accepted": 0, "duplicates": 0, "rejected": []}')
        else:
            route.fulfill(body=PAGE, content_type="text/html")

    def count(self, body: dict[str, Any]) -> None:
        for event in body.get("batch", []):
            self.client_events += 1
            for reason, count in event.get("context", {}).get("dropped", {}).items():
                self.dropped[reason] = self.dropped.get(reason, 0) + count


def measure() -> dict[str, Any]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page()
        sink = Sink()
        page.route("**/*", sink.answer)
        page.goto(ORIGIN + "/")
        page.wait_for_timeout(500)
        page.evaluate("window.longTasks.length = 0")
        client = page.evaluate(MEASURE, ["client", CALLS, CALLS_PER_TASK])
        # Until every batch is delivered and the emptied queue is written.
        page.wait_for_function(
            "() => !Object.keys(localStorage).some(k => k.startsWith('lmst:queue:'))",
            timeout=60_000,
        )
        page.wait_for_timeout(1500)
        long_tasks = page.evaluate("window.longTasks")
        client_events = sink.client_events
        sketch = page.evaluate(MEASURE, ["sketch", CALLS, CALLS_PER_TASK])
        browser.close()
    return {
        "client": client, "sketch": sketch, "long_tasks": long_tasks,
        "delivered": client_events, "dropped": sink.dropped,
    }


def main() -> None:
    figures = measure()
    client = statistics.median(figures["client"])
    sketch = statistics.median(figures["sketch"])
    print(f"{'per call, median of tasks of 500':34} {'micros':>8}")
    print(f"{'telemetry_client.js track()':34} {client:>8.2f}")
    print(f"{'sketch sendTelemetry (fetch each)':34} {sketch:>8.2f}")
    print(f"ratio client / sketch: {client / sketch:.3f}")
    print(f"target < {TARGET_MICROS} micros a call: {'met' if client < TARGET_MICROS else 'missed'}")
    print(f"client events delivered: {figures['delivered']} of {CALLS}"
          f" (plus page_viewed, page_load, web vitals); drops reported:"
          f" {json.dumps(figures['dropped'])}")
    long_tasks = figures["long_tasks"]
    print(f"long tasks (> 50 ms) during and after the client's calls: {len(long_tasks)}"
          f" {json.dumps([round(duration) for duration in long_tasks])}")


if __name__ == "__main__":
    main()
