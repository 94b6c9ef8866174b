"""The demo's speed: sessions end to end and per phase, beside a 204 stub.

    .venv/bin/python bench/demo.py [--sessions 2000] [--seed 1] [--catalog PATH]

Runs the demo as `lms-telemetry demo --exit` does, on the goodbooks-10k
catalogue (../shared/data/goodbooks-10k/books.csv from the project root, or
the bundled catalogue with a note when ../shared is absent), timing each
phase. Then, in the same run, the control: the same site and the same
simulation (same seed, same sessions) with all telemetry, the pages' and the
back end's, sent to a stub on loopback that counts events and answers 204.
Prints seconds per phase, events/s, peak memory of the process tree and the
ratios, and whether 2,000 sessions finish in under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import MemoryWatch
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# The stub server imports this module too (uvicorn --app-dir bench demo:...),
# so the demo's own modules are imported inside functions: the stub stays as
# small as a server that does nothing should be.
if TYPE_CHECKING:
    from examples.opac.services import Process

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
GOODBOOKS = PROJECT_ROOT.parent / "shared" / "data" / "goodbooks-10k" / "books.csv"
TARGET_SESSIONS = 2000
TARGET_SECONDS = 120.0
TARGET_CORES = 2
#: Phases during which events travel from the site to storage.
PIPELINE_PHASES = ("simulation", "waiting for the loader")

received_events = 0


async def accept_batch(request: Request) -> Response:
    global received_events
    body = await request.body()  # awaited first: += would read the count before
    received_events += len(json.loads(body).get("batch", []))
    return Response(status_code=204)


async def report_count(request: Request) -> Response:
    return JSONResponse({"events": received_events})


telemetry_stub = Starlette(
    routes=[
        Route("/api/telemetry", accept_batch, methods=["POST"]),
        Route("/api/status", report_count),
    ]
)


class PhaseClock:
    """Seconds spent in each phase, from marks taken as each phase begins."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []
        self.stopped_at: float | None = None

    def mark(self, phase: str) -> None:
        self.marks.append((phase, time.perf_counter()))

    def stop(self) -> None:
        """End the last phase, before the benchmark's own bookkeeping."""
        self.stopped_at = time.perf_counter()

    def durations(self) -> dict[str, float]:
        last = self.stopped_at or time.perf_counter()
        ends = [at for _, at in self.marks[1:]] + [last]
        return {name: end - at for (name, at), end in zip(self.marks, ends)}


@dataclass
class RunFigures:
    name: str
    phases: dict[str, float]
    events: int
    peak_mb: float

    @property
    def total_seconds(self) -> float:
        return sum(self.phases.values())

    @property
    def events_per_second(self) -> float:
        seconds = sum(self.phases.get(phase, 0.0) for phase in PIPELINE_PHASES)
        return self.events / seconds if seconds else 0.0


def measured(name: str, run: Callable[[PhaseClock], int]) -> RunFigures:
    """Run ``run`` under a phase clock and a watch on this process tree."""
    clock = PhaseClock()
    watch = MemoryWatch(os.getpid())
    watch.start()
    try:
        events = run(clock)
    finally:
        peak_mb = watch.stop()
    return RunFigures(name, clock.durations(), events, peak_mb)


def run_with_telemetry(
    clock: PhaseClock, directory: Path, catalog: Path, sessions: int, seed: int
) -> int:
    """The demo itself; return the events stored."""
    import duckdb

    from examples.opac.demo import run_demo

    code = run_demo(
        sessions,
        catalog,
        directory=directory,
        exit_after=True,
        seed=seed,
        on_phase=clock.mark,
    )
    clock.stop()
    if code != 0:
        raise SystemExit(f"the demo exited with {code}")
    with duckdb.connect(str(directory / "telemetry.duckdb"), read_only=True) as db:
        row = db.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0]) if row else 0


def run_with_stub(
    clock: PhaseClock, directory: Path, catalog: Path, sessions: int, seed: int
) -> int:
    """The same site and simulation reporting to the stub; return events sent."""
    import httpx
    from rich.console import Console

    from examples.opac.demo import simulate_with_progress
    from examples.opac.services import free_port, library_site

    clock.mark("service start")
    stub = stub_process(directory, free_port()).start()
    stub_url = stub.ready_url.removesuffix("/api/status")
    site = library_site(directory, free_port(), catalog, stub_url)
    try:
        clock.mark("site start")
        site.start()
        clock.mark("simulation")
        site_url = site.ready_url.removesuffix("/api/status")
        simulate_with_progress(Console(), site_url, stub_url, catalog, sessions, seed)
        clock.mark("shutdown")
        site.stop()  # the site's SDK flushes its queue to the stub as it exits
        clock.stop()
        return int(httpx.get(stub.ready_url, timeout=10).json()["events"])
    finally:
        site.stop()
        stub.stop()


def stub_process(directory: Path, port: int) -> Process:
    """The stub under uvicorn, one process, as the control's telemetry service."""
    from examples.opac.services import Process

    quiet = ["--no-access-log", "--log-level", "warning"]
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE)]
    command += ["demo:telemetry_stub", "--host", "127.0.0.1", "--port", str(port)]
    return Process(
        "the telemetry stub",
        command + quiet,
        dict(os.environ),
        directory / "stub.log",
        f"http://127.0.0.1:{port}/api/status",
        {},
    )


def choose_catalog(requested: Path | None) -> Path:
    if requested:
        return requested
    if GOODBOOKS.exists():
        return GOODBOOKS
    from examples.opac.app import DEFAULT_CATALOG

    print(f"Note: {GOODBOOKS} is absent; using the bundled catalogue instead.")
    return DEFAULT_CATALOG


def run_both(catalog: Path, sessions: int, seed: int) -> tuple[RunFigures, RunFigures]:
    """The demo first, so any warm-up favours the control, not the demo."""
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for name, run in (("telemetry", run_with_telemetry), ("stub", run_with_stub)):
            directory = Path(folder) / name
            directory.mkdir()
            work = partial(
                run, directory=directory, catalog=catalog, sessions=sessions, seed=seed
            )
            runs.append(measured(name, work))
    return runs[0], runs[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=TARGET_SESSIONS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--catalog", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_ROOT))
    catalog = choose_catalog(args.catalog)

    telemetry, stub = run_both(catalog, args.sessions, args.seed)
    report(telemetry, stub, args.sessions, catalog)


def ratio(measured: float, control: float) -> str:
    return f"{measured / control:6.2f}x" if control else "      -"


def report(
    telemetry: RunFigures, stub: RunFigures, sessions: int, catalog: Path
) -> None:
    # Other work on the machine slows both runs; the load says how much.
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"\n{sessions} sessions on {catalog.name}, {os.cpu_count()} cores")
    print(f"load average after the runs (1, 5, 15 min): {load}")
    print(f"{'':32} {'telemetry':>10} {'204 stub':>10} {'ratio':>8}")
    for phase in telemetry.phases | stub.phases:
        with_telemetry = telemetry.phases.get(phase)
        with_stub = stub.phases.get(phase)
        print(
            f"{phase + ' (s)':32} {seconds(with_telemetry):>10} "
            f"{seconds(with_stub):>10} "
            f"{ratio(with_telemetry or 0, with_stub or 0):>8}"
        )
    rows = (
        ("end to end (s)", telemetry.total_seconds, stub.total_seconds, ".1f"),
        ("events through the pipeline", telemetry.events, stub.events, ",.0f"),
        ("events/s", telemetry.events_per_second, stub.events_per_second, ",.0f"),
        ("peak memory, process tree (MB)", telemetry.peak_mb, stub.peak_mb, ".0f"),
    )
    for label, with_telemetry, with_stub, form in rows:
        print(
            f"{label:32} {with_telemetry:>10{form}} {with_stub:>10{form}} "
            f"{ratio(with_telemetry, with_stub):>8}"
        )
    print_target(telemetry.total_seconds, sessions)


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_target(total_seconds: float, sessions: int) -> None:
    cores = os.cpu_count()
    target = (
        f"{TARGET_SESSIONS:,} sessions end to end in under {TARGET_SECONDS:.0f} s"
        f" on {TARGET_CORES} cores"
    )
    if sessions != TARGET_SESSIONS:
        print(f"\nTarget: {target}: not judged, this run had {sessions:,} sessions")
        return
    verdict = "met" if total_seconds < TARGET_SECONDS else "NOT met"
    print(f"\nTarget: {target}: {verdict} ({total_seconds:.1f} s on {cores} cores)")


if __name__ == "__main__":
    main()
