"""Ingestion throughput and latency, beside a ceiling and a first draft.

Runs on loopback with `wrk` (Debian's package; installed when missing) as the
load generator, on the same machine as the servers:

- the service (`lms-telemetry serve`, one ingest process per core) with
  batches of 50 realistic events, with single events, and with single events
  at half the rate it reached (for latency under moderate load);
- the ceiling: the same HTTP stack answering 204 with no work;
- the first draft: one event per request, one INSERT per event;
- a DuckDB bulk load of the same events from memory, the storage ceiling.

Prints events/s, requests/s, p50 and p99 latency and peak memory of each,
and the ratios. Usage: .venv/bin/python bench/ingest.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
LUA = HERE / "ingest_load.lua"
BATCH_EVENTS = 50


@dataclass
class Run:
    name: str
    requests_per_second: float
    events_per_request: int
    p50_ms: float
    p99_ms: float
    peak_mb: float
    errors: int

    @property
    def events_per_second(self) -> float:
        return self.requests_per_second * self.events_per_request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of PID and all its descendants."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            children = (
                Path(f"/proc/{current}/task/{current}/children").read_text().split()
            )
        except FileNotFoundError:
            continue
        pids.extend(int(child) for child in children)
    return total / 1024


class MemoryWatch(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(0.1):
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))

    def stop(self) -> float:
        self._stopping.set()
        self.join()
        return self.peak_mb


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.post(f"{url}/api/telemetry", content=b"{}", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _percentile(output: str, label: str) -> float:
    # Anchored to its own line: "99%" also ends other figures ("72.99%").
    found = re.search(r"^\s+" + re.escape(label) + r"[ \t]+(\S+)$", output, re.MULTILINE)
    return _milliseconds(found.group(1)) if found else float("nan")


def _milliseconds(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if found is None:
        return float("nan")  # wrk printed no figure (e.g. no request finished)
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    url: str, seconds: int, connections: int, batch: int, delay_ms: int = 0
) -> tuple[float, float, float, int]:
    env = dict(os.environ, BATCH_EVENTS=str(batch), DELAY_MS=str(delay_ms))
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(LUA),
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _percentile(output, "50%")
    p99 = _percentile(output, "99%")
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    count = int(failed.group(1)) if failed else 0
    count += sum(int(g) for g in errors.groups()) if errors else 0
    return rps, p50, p99, count


class Server:
    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [part.replace("{port}", str(self.port)) for part in command]
        self.process = subprocess.Popen(
            command,
            env=dict(os.environ, **(env or {})),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_ready(self.url, self.process)

    def measure(
        self, name: str, seconds: int, connections: int, batch: int, delay_ms: int = 0
    ) -> Run:
        watch = MemoryWatch(self.process.pid)
        watch.start()
        rps, p50, p99, errors = run_wrk(self.url, seconds, connections, batch, delay_ms)
        return Run(name, rps, max(batch, 1), p50, p99, watch.stop(), errors)

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)


def bulk_load(count: int, directory: Path) -> float:
    """Events per second of an Arrow bulk insert of enriched rows into DuckDB."""
    sys.path.insert(0, str(HERE.parent))
    from bench._ingest_rows import enriched_rows
    from lms_telemetry.storage.duckdb import DuckDBStore

    rows = enriched_rows(count)
    store = DuckDBStore(directory / "bulk.duckdb")
    started = time.perf_counter()
    store.load_spool_records(rows, [], {})
    elapsed = time.perf_counter() - started
    store.close()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    ensure_wrk()
    python = sys.executable
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        service = Server(
            [
                python,
                "-m",
                "lms_telemetry.cli",
                "serve",
                "--port",
                "{port}",
                "--db",
                str(directory / "t.duckdb"),
            ],
            {"LMS_TELEMETRY_PRIVACY_KEY_FILE": str(directory / "keys.json")},
        )
        batches = service.measure(
            "service, batches of 50", args.seconds, args.connections, BATCH_EVENTS
        )
        singles = service.measure(
            "service, single events", args.seconds, args.connections, 0
        )
        target_rps = singles.requests_per_second / 2
        delay_ms = max(1, int(args.connections * 1000 / target_rps - singles.p50_ms))
        half = service.measure(
            "service, single events at half load",
            args.seconds,
            args.connections,
            0,
            delay_ms,
        )
        service.stop()
        runs += [batches, singles, half]
        ceiling = Server(
            [
                python,
                "-m",
                "uvicorn",
                "--app-dir",
                str(HERE),
                "_ingest_baselines:ceiling",
                "--port",
                "{port}",
                "--workers",
                str(os.cpu_count() or 1),
                "--no-access-log",
                "--log-level",
                "warning",
            ]
        )
        runs.append(
            ceiling.measure("ceiling: 204, no work", args.seconds, args.connections, 0)
        )
        ceiling.stop()
        draft = Server(
            [
                python,
                "-m",
                "uvicorn",
                "--app-dir",
                str(HERE),
                "_ingest_baselines:first_draft",
                "--port",
                "{port}",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            {"FIRST_DRAFT_DB": str(directory / "draft.duckdb")},
        )
        runs.append(
            draft.measure(
                "first draft: 1 event, 1 INSERT", args.seconds, args.connections, 0
            )
        )
        draft.stop()
        bulk_rate = bulk_load(200_000, directory)
    report(runs, bulk_rate, half.requests_per_second / max(target_rps, 1e-9))


def report(runs: list[Run], bulk_rate: float, half_ratio: float) -> None:
    print(
        f"{'scenario':40} {'events/s':>10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'peak MB':>8} {'errors':>7}"
    )
    for run in runs:
        print(
            f"{run.name:40} {run.events_per_second:10.0f} {run.requests_per_second:9.0f} "
            f"{run.p50_ms:8.1f} {run.p99_ms:8.1f} {run.peak_mb:8.0f} {run.errors:7d}"
        )
    print(f"{'DuckDB bulk load from memory':40} {bulk_rate:10.0f}")
    batches, singles, half, ceiling, draft = runs
    print()
    print(
        f"batched events/s vs first draft:      {batches.events_per_second / draft.events_per_second:6.1f}x  (target >= 10x; >= 50,000 events/s)"
    )
    print(
        f"single requests/s vs 204 ceiling:     {singles.requests_per_second / ceiling.requests_per_second:6.1%}  (target >= 40%; >= 8,000 req/s)"
    )
    print(
        f"single requests/s vs first draft:     {singles.requests_per_second / draft.requests_per_second:6.1f}x"
    )
    print(
        f"batched events/s vs DuckDB bulk load: {batches.events_per_second / bulk_rate:6.1%}"
    )
    print(
        f"p99 at half load: {half.p99_ms:.1f} ms at {half_ratio:.0%} of the half-load target rate (target < 50 ms)"
    )
    print(
        f"peak memory of the service: {max(r.peak_mb for r in runs[:3]):.0f} MB (target < 400 MB)"
    )


if __name__ == "__main__":
    main()
