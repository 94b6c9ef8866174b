"""Fixtures for the privacy tests: settings in a temporary folder, a real
DuckDB store, and a gate built from them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from lms_telemetry.config import Config
from lms_telemetry.privacy.gate import PrivacyGate
from lms_telemetry.schema import EventSchema
from lms_telemetry.storage import Store, open_store

SCHEMA = EventSchema.load()


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    def make(**overrides: Any) -> Config:
        settings = {"db": str(tmp_path / "telemetry.duckdb")}
        settings.update({k.replace("__", "."): v for k, v in overrides.items()})
        return Config.load(overrides=settings, environ={})

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture
def gate(config: Config) -> PrivacyGate:
    return PrivacyGate(config, SCHEMA)


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    opened = open_store(config.db_path)
    yield opened
    opened.close()


def insert_event(store: Store, received_at: datetime, **columns: Any) -> str:
    """Insert one stored event row; return its event_id."""
    row = {
        "event_id": str(uuid.uuid4()),
        "event": "page_viewed",
        "category": "navigation",
        "event_time": received_at,
        "received_at": received_at,
    }
    row.update(columns)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    store.execute(f"INSERT INTO events ({names}) VALUES ({marks})", list(row.values()))
    return str(row["event_id"])


def insert_quarantined(store: Store, received_at: datetime, body: str) -> None:
    store.execute(
        "INSERT INTO quarantine (received_at, reason, errors, body)"
        " VALUES (?, 'invalid_event', '[]', ?)",
        [received_at, body],
    )


def count(store: Store, table: str) -> int:
    return int(store.query(f"SELECT count(*) FROM {table}").scalar())
