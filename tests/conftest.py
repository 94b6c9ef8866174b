"""Shared fixtures: a real service on loopback, and where the shared data is."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.service import Service

# CI runs the property tests on a fixed sequence of examples, so a new run
# can't turn red on a case no change caused; locally each run explores anew.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A running `lms-telemetry serve` with two ingest workers."""
    running = Service(tmp_path).start()
    yield running
    running.stop()


@pytest.fixture
def start_service(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Start services with settings given as environment variables."""
    started: list[Service] = []

    def start(workers: int = 2, **env: str) -> Service:
        directory = tmp_path / f"service-{len(started)}"
        directory.mkdir()
        running = Service(directory, workers=workers, env=env).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent: this test reads the shared data sets")
    return SHARED_DATA
