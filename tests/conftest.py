"""Shared fixtures: a real service on loopback, and where the shared data is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service import Service

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A running `lms-telemetry serve` with two ingest workers."""
    running = Service(tmp_path).start()
    yield running
    running.stop()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent: this test reads the shared data sets")
    return SHARED_DATA
