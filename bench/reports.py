"""Benchmark: every report over millions of realistic events, against pandas.

    .venv/bin/python bench/reports.py [--events 10000000] [--runs 5]

Generates the events (bench/_report_events.py), bulk-loads them into a DuckDB
file, builds the report rollups as the loader does (`refresh_rollups`, timed:
the full build, then the incremental refresh after each of a few rounds of
10,000 late events, on a copy of the file), then times each report (median of --runs after one warm-up) with the
peak memory it adds, and answers the same questions with pandas over the same
rows (bench/_pandas_reports.py) as the baseline, printing the ratio. Headline
numbers of both are compared, so a fast wrong answer shows.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pandas_reports import BASELINES
from _report_events import PERIOD_DAYS, PERIOD_START, generate_events, load_events

from lms_telemetry.analytics import REPORTS
from lms_telemetry.analytics._rollup_scope import rollups_are_current
from lms_telemetry.analytics.rollups import refresh_rollups
from lms_telemetry.storage import open_store

TARGET_MS = 500.0
TARGET_RATIO = 10.0
LATE_EVENTS_PER_ROUND = 10_000
LATE_ROUNDS = 3


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


@contextmanager
def peak_rss() -> Iterator[list[int]]:
    """Samples resident memory every 5 ms; yields [peak bytes above start]."""
    start = rss_bytes()
    found = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            found[0] = max(found[0], rss_bytes() - start)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        done.set()
        sampler.join()


def time_runs(call: Callable[[], Any], runs: int) -> tuple[float, int, Any]:
    """(median seconds, peak extra bytes, last result) over RUNS calls."""
    seconds = []
    with peak_rss() as peak:
        for _ in range(runs):
            started = time.perf_counter()
            result = call()
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), peak[0], result


def build_rollups(db_path: Path) -> None:
    """Build the rollups of DB_PATH as the loader's refresh does, timed."""
    store = open_store(db_path)
    if not rollups_are_current(store):
        started = time.perf_counter()
        refresh_rollups(store)
        print(f"built report rollups in {time.perf_counter() - started:.1f} s")
    store.close()


def time_late_rounds(db_path: Path, folder: Path) -> None:
    """Median refresh cost after a round of late events, on a copy of the
    file so that the timed reports read the generated events only."""
    copy = folder / "late.duckdb"
    shutil.copyfile(db_path, copy)
    store = open_store(copy)
    seconds = []
    for round_number in range(LATE_ROUNDS):
        late = generate_events(LATE_EVENTS_PER_ROUND, seed=100 + round_number)
        rows = late.to_pylist()
        for row in rows:
            row["event_id"] = str(uuid.uuid4())
        store.load_spool_records(rows, [], {})
        started = time.perf_counter()
        refresh_rollups(store)
        seconds.append(time.perf_counter() - started)
    store.close()
    copy.unlink()
    print(
        f"refreshed rollups after {LATE_EVENTS_PER_ROUND:,} late events in "
        f"{statistics.median(seconds) * 1000:.0f} ms (median of {LATE_ROUNDS})"
    )


def headline(name: str, ours: dict[str, Any], theirs: Any) -> str:
    """Whether a few figures of our report and of pandas agree."""
    pairs: list[tuple[Any, Any]] = []
    if name == "overview":
        pairs = [
            (ours["events"], theirs["events"]),
            (ours["sessions"], theirs["sessions"]),
        ]
    elif name == "sessions":
        pairs = [
            (ours["sessions"], theirs["sessions"]),
            (ours["duration_seconds"]["p50"], theirs["p50"]),
        ]
    elif name == "search":
        pairs = [
            (ours["searches"], theirs["searches"]),
            (ours["click_through_rate"], theirs["click_through_rate"]),
            (ours["reformulation_rate"], theirs["reformulation_rate"]),
        ]
    elif name == "funnels":
        pairs = [
            (step["sessions"], figures[0])
            for step, figures in zip(ours["funnels"][0]["steps"], theirs, strict=True)
        ]
    elif name == "content":
        pairs = [([row["item_id"] for row in ours["items"]], list(theirs["item_id"]))]
    elif name == "errors":
        pairs = [
            (
                sum(g["events"] for g in ours["groups"]) + ours["other"]["events"],
                int(theirs["events"].sum()),
            )
        ]
    if not pairs:
        return "-"
    same = all(
        a == b if not isinstance(a, float) else abs(a - b) <= 1e-9 * max(1, abs(b))
        for a, b in pairs
    )
    return "same" if same else f"DIFFERENT {pairs}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pandas-runs", type=int, default=1)
    parser.add_argument("--db", type=Path, help="Reuse or keep this database file.")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory()
    db_path = args.db or Path(folder.name) / "bench.duckdb"
    if not db_path.exists():
        started = time.perf_counter()
        table = generate_events(args.events)
        generated = time.perf_counter() - started
        load_events(db_path, table)
        del table
        print(
            f"generated {args.events:,} events in {generated:.1f} s, loaded in "
            f"{time.perf_counter() - started - generated:.1f} s"
        )

    build_rollups(db_path)
    time_late_rounds(db_path, Path(folder.name))

    since, until = PERIOD_START, PERIOD_START + timedelta(days=PERIOD_DAYS + 1)
    store = open_store(db_path, read_only=True)
    if not rollups_are_current(store):
        print("report rollups are out of date: reports read raw events")
    count = store.query("SELECT count(*) FROM events").scalar()
    print(f"{count:,} events in {db_path.stat().st_size / 1e6:.0f} MB")
    connection = duckdb.connect(str(db_path), read_only=True)
    frame = connection.execute(
        "SELECT * EXCLUDE (event_id), event_id::VARCHAR AS event_id FROM events"
    ).df()
    connection.close()

    print(
        f"\n{'report':12} {'ours ms':>9} {'peak MB':>8} {'pandas ms':>10} "
        f"{'pandas MB':>9} {'ratio':>7}  targets  answers"
    )
    for name, report in REPORTS.items():

        def ours_call(report: Callable[..., Any] = report) -> Any:
            return report(store, since, until, "America/Chicago")

        def pandas_call(baseline: Callable[..., Any] = BASELINES[name]) -> Any:
            return baseline(frame, since, until, "America/Chicago")

        ours_call()  # warm-up: the first run also reads the file into memory
        ours_s, ours_peak, ours = time_runs(ours_call, args.runs)
        base_s, base_peak, theirs = time_runs(pandas_call, args.pandas_runs)
        ratio = base_s / ours_s
        met = (
            ("ok" if ours_s * 1000 < TARGET_MS else "SLOW")
            + "/"
            + ("ok" if ratio >= TARGET_RATIO else "LOW")
        )
        print(
            f"{name:12} {ours_s * 1000:9.0f} {ours_peak / 1e6:8.0f} "
            f"{base_s * 1000:10.0f} {base_peak / 1e6:9.0f} {ratio:6.1f}x  {met:8} "
            f"{headline(name, ours, theirs)}"
        )
    store.close()
    folder.cleanup()


if __name__ == "__main__":
    main()
