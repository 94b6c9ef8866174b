"""A fresh DuckDB file per report test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lms_telemetry.storage import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "reports.duckdb")
    yield opened
    opened.close()
