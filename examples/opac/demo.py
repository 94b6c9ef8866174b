"""The end-to-end demo: service, library site, simulated visitors, summary.

    run_demo(sessions=2000, catalog_path=Path("../shared/data/goodbooks-10k/books.csv"))

Starts `lms-telemetry serve` with its database in the demo folder and the
example site under uvicorn, runs the simulation with a progress bar, waits
until every event is loaded, prints a summary from the reports, then keeps
both serving (the dashboard's address and login are printed) until
interrupted, or stops at once with ``exit_after``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from examples.opac.app import DEFAULT_CATALOG
from examples.opac.services import Process, free_port, library_site, telemetry_service
from examples.opac.simulation import SimulationSummary, run_simulation
from examples.opac.simulation.experiment import ONE_CLICK_RENEWAL
from examples.opac.summary import print_summary

DEFAULT_DIRECTORY = Path("lms-telemetry-demo")
SIMULATED_DAYS = 14
LOAD_WAIT_SECONDS = 120


def dashboard_password(directory: Path) -> str:
    """The demo admin's password, made once and kept in the demo folder."""
    path = directory / "dashboard-password.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def service_environment(directory: Path, catalog: Path, token: str) -> dict[str, str]:
    return {
        "LMS_TELEMETRY_ADMIN_TOKEN": token,
        "LMS_TELEMETRY_CORS_ORIGINS": "*",
        "LMS_TELEMETRY_REPORTS_CATALOG": str(catalog.resolve()),
        "LMS_TELEMETRY_EXPERIMENTS": json.dumps([ONE_CLICK_RENEWAL]),
        "LMS_TELEMETRY_DASHBOARD_ADMIN_PASSWORD": dashboard_password(directory),
        "LMS_TELEMETRY_PRIVACY_KEY_FILE": str((directory / "keys.json").resolve()),
    }


def simulate_with_progress(
    console: Console,
    site_url: str,
    telemetry_url: str,
    catalog: Path,
    sessions: int,
    seed: int,
) -> SimulationSummary:
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Simulating sessions", total=sessions)
        return run_simulation(
            site_url,
            telemetry_url,
            catalog,
            sessions,
            seed=seed,
            days=SIMULATED_DAYS,
            on_session_done=lambda: progress.advance(task),
        )


def wait_until_loaded(service: Process, console: Console) -> dict[str, Any]:
    """Wait until the spool is empty and the event count stops moving."""
    deadline = time.monotonic() + LOAD_WAIT_SECONDS
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status: dict[str, Any] = httpx.get(
            service.ready_url, headers=service.ready_headers, timeout=30
        ).json()
        if status == last:
            return status
        last = status
        time.sleep(1.0)
    console.print("[yellow]The loader was still busy; the summary may miss events.")
    return last


def run_demo(
    sessions: int = 2000,
    catalog_path: Path | None = None,
    browser: bool = False,
    directory: Path | None = None,
    exit_after: bool = False,
    port: int | None = None,
    site_port: int | None = None,
    seed: int = 1,
    workers: int | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> int:
    """Run the demo; return the process exit code.

    ``on_phase`` is called with a phase's name as it begins, so a benchmark
    can time the phases without the demo keeping clocks of its own.
    """
    mark = on_phase or (lambda phase: None)
    console = Console()
    directory = directory or DEFAULT_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    forget_earlier_run(directory)
    catalog = catalog_path or DEFAULT_CATALOG
    port, site_port = port or free_port(), site_port or free_port()
    telemetry_url = f"http://127.0.0.1:{port}"
    site_url = f"http://127.0.0.1:{site_port}"
    env = service_environment(directory, catalog, secrets.token_urlsafe(16))

    mark("service start")
    console.print(f"Starting the telemetry service on {telemetry_url} ...")
    service = telemetry_service(directory, port, env, workers).start()
    site = library_site(directory, site_port, catalog, telemetry_url)
    try:
        mark("site start")
        console.print(f"Starting the library site on {site_url} ...")
        site.start()
        mark("simulation")
        summary = simulate_with_progress(
            console, site_url, telemetry_url, catalog, sessions, seed
        )
        if browser:
            mark("browser sessions")
            from examples.opac.simulation.chromium import run_browser_sessions

            run_browser_sessions(console, site_url, catalog, seed)
        mark("waiting for the loader")
        # Stopping the site first lets its SDK send its last batch on exit,
        # while the service is still there to take it.
        site.stop()
        status = wait_until_loaded(service, console)
        mark("service stop and summary")
        service.stop()
        print_summary(
            console,
            directory / "telemetry.duckdb",
            env,
            summary,
            status,
            since=datetime.now(UTC) - timedelta(SIMULATED_DAYS + 1),
        )
        if exit_after:
            mark("shutdown")
            return 0
        service.start()
        site.start()
        print_addresses(console, telemetry_url, site_url, env)
        wait_for_interrupt(console)
        return 0
    finally:
        site.stop()
        service.stop()


def forget_earlier_run(directory: Path) -> None:
    """Start from an empty database, so the summary speaks of this run only."""
    for leftover in directory.glob("telemetry.duckdb*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def print_addresses(
    console: Console, telemetry_url: str, site_url: str, env: dict[str, str]
) -> None:
    console.print(
        f"\nDashboard: {telemetry_url}/dashboard/  "
        f"(login: admin / {env['LMS_TELEMETRY_DASHBOARD_ADMIN_PASSWORD']})"
    )
    console.print(f"Library site: {site_url}/")
    console.print(f"Admin token for --server: {env['LMS_TELEMETRY_ADMIN_TOKEN']}")


def wait_for_interrupt(console: Console) -> None:
    console.print("Serving until interrupted (Ctrl-C).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("Stopping.")


if __name__ == "__main__":
    raise SystemExit(run_demo(exit_after=os.environ.get("DEMO_EXIT") == "1"))
