"""The demo's closing summary, read from the reports over the demo database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from examples.opac.simulation import SimulationSummary
from examples.opac.simulation.experiment import ONE_CLICK_RENEWAL
from lms_telemetry.analytics import run_report
from lms_telemetry.storage import open_store
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)
MIN_ENDPOINT_REQUESTS = 5


def run_reports(store: Store, since: datetime, catalog: str) -> dict[str, Any]:
    until = datetime.now(UTC)
    reports: dict[str, Any] = {
        name: run_report(name, store, since, until)
        for name in ("overview", "search", "performance")
    }
    reports["content"] = run_report("content", store, since, until, catalog=catalog)
    reports["experiment"] = experiment_result(store)
    return reports


def experiment_result(store: Store) -> dict[str, Any] | None:
    """The experiment's analysis, or None when it cannot be computed."""
    try:
        from lms_telemetry.experiments.analysis import analyze_experiment
        from lms_telemetry.experiments.definitions import parse_experiment

        return analyze_experiment(store, parse_experiment(ONE_CLICK_RENEWAL))
    except Exception as exc:  # noqa: BLE001 - the summary must still print the rest
        logger.warning("experiment analysis unavailable: %s", exc)
        return None


def slowest_endpoint(performance: dict[str, Any]) -> dict[str, Any] | None:
    busy = [
        e
        for e in performance.get("endpoints", [])
        if e.get("requests", 0) >= MIN_ENDPOINT_REQUESTS
    ]
    return max(busy, key=lambda e: e.get("p95_ms") or 0, default=None)


def print_summary(
    console: Console,
    db_path: Path,
    env: dict[str, str],
    simulation: SimulationSummary,
    status: dict[str, Any],
    since: datetime,
) -> None:
    store = open_store(db_path, read_only=True)
    try:
        reports = run_reports(store, since, env["LMS_TELEMETRY_REPORTS_CATALOG"])
    finally:
        store.close()
    overview, search = reports["overview"], reports["search"]
    console.print(
        f"\n[bold]{simulation.events_sent:,}[/] page events sent by "
        f"{sum(simulation.sessions.values()):,} simulated sessions in "
        f"{simulation.elapsed_seconds:.1f} s ({simulation.events_lost} lost); "
        f"stored: [bold]{overview['events']:,}[/] events, "
        f"{overview['sessions']:,} sessions, {overview['bots_excluded']:,} bot "
        f"events excluded, {overview['quarantined']} quarantined."
    )
    console.print(personas_table(overview))
    console.print(queries_table(search))
    print_facts(console, reports)


def personas_table(overview: dict[str, Any]) -> Table:
    table = Table("Persona", "Events", title="Events by persona")
    for persona, count in overview.get("by_persona", {}).items():
        table.add_row(persona, f"{count:,}")
    return table


def queries_table(search: dict[str, Any]) -> Table:
    table = Table("Query", "Searches", "Zero results", title="Top searches")
    for row in search.get("top_queries", [])[:10]:
        table.add_row(
            row["query"], str(row["searches"]), str(row["zero_result_searches"])
        )
    return table


def print_facts(console: Console, reports: dict[str, Any]) -> None:
    search = reports["search"]
    console.print(
        f"Zero-result rate: {search['zero_result_rate'] or 0:.1%}; "
        f"click-through rate: {search['click_through_rate'] or 0:.1%}"
    )
    slowest = slowest_endpoint(reports["performance"])
    if slowest:
        console.print(
            f"Slowest endpoint: {slowest['method']} {slowest['endpoint']} "
            f"(p95 {slowest['p95_ms']:.0f} ms over {slowest['requests']} "
            f"requests)"
        )
    top = reports["content"].get("items", [])[:3]
    console.print(
        "Most popular: "
        + "; ".join(item.get("title") or item["item_id"] for item in top)
    )
    experiment = reports["experiment"]
    if experiment is None:
        console.print("Experiment one-click-renewal: analysis not available.")
    else:
        console.print(f"Experiment one-click-renewal: {experiment_line(experiment)}")


def experiment_line(result: dict[str, Any]) -> str:
    verdict = result.get("verdict")
    if isinstance(verdict, dict):
        return str(verdict.get("summary") or verdict.get("decision") or verdict)
    return str(verdict or "see the dashboard's experiment page")
