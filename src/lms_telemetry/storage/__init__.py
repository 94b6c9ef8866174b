"""Storage: one interface, with DuckDB as the default engine."""

from __future__ import annotations

from pathlib import Path

from lms_telemetry.storage.base import QueryResult, StorageError, Store

__all__ = ["QueryResult", "StorageError", "Store", "open_store"]


def open_store(path: str | Path, *, read_only: bool = False) -> Store:
    """Open the store at PATH (a DuckDB file) with migrations applied."""
    from lms_telemetry.storage.duckdb import DuckDBStore

    return DuckDBStore(path, read_only=read_only)
