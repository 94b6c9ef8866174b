"""The privacy commands, run through click against real database files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from lms_telemetry.config import Config
from lms_telemetry.privacy.commands import erase, privacy, privacy_notice, retention
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.storage import open_store
from tests.privacy.conftest import SCHEMA, insert_event

KEY_ENV = "LMS_TELEMETRY_PRIVACY_KEY_FILE"


def seed(config: Config, query: str) -> str:
    """Store one event of browser-1 made now; return its device pseudonym."""
    gate = PrivacyGate(config, SCHEMA)
    now = datetime.now(UTC)
    envelope = {
        "event": "search_input",
        "anonymous_id": "browser-1",
        "payload": {"query": query},
    }
    pseudonym = str(
        gate.protect(envelope, RequestFacts(None, None, now))["anonymous_id"]
    )
    store = open_store(config.db_path)
    insert_event(
        store,
        now,
        device_pseudonym=pseudonym,
        pseudonymous_id=pseudonym,
        category="search",
        event="search_input",
        query=query,
    )
    insert_event(store, now - timedelta(days=400), device_pseudonym=pseudonym)
    store.close()
    return pseudonym


def test_audit_exits_one_with_findings_and_zero_when_clean(config: Config) -> None:
    seed(config, "mail jane@example.com")
    runner = CliRunner()

    dirty = runner.invoke(
        privacy, ["audit", "--db", str(config.db_path)], env={KEY_ENV: ""}
    )
    store = open_store(config.db_path)
    store.execute("UPDATE events SET query = '[email]'")
    store.close()
    clean = runner.invoke(
        privacy, ["audit", "--db", str(config.db_path)], env={KEY_ENV: ""}
    )

    assert dirty.exit_code == 1
    assert "query" in dirty.output and "email" in dirty.output
    assert "jane" not in dirty.output
    assert clean.exit_code == 0, clean.output
    assert "clean" in clean.output


def test_erase_prints_what_went(config: Config) -> None:
    seed(config, "tolkien")

    result = CliRunner().invoke(
        erase,
        ["--anonymous-id", "browser-1", "--db", str(config.db_path)],
        env={KEY_ENV: ""},
    )

    assert result.exit_code == 0, result.output
    assert "events deleted: 2" in result.output


def test_erase_needs_an_id(config: Config) -> None:
    result = CliRunner().invoke(erase, ["--db", str(config.db_path)])

    assert result.exit_code == 2
    assert "give --anonymous-id or --user-id" in result.output


def test_retention_run_deletes_old_events(config: Config) -> None:
    seed(config, "tolkien")

    result = CliRunner().invoke(
        retention, ["run", "--db", str(config.db_path)], env={KEY_ENV: ""}
    )

    assert result.exit_code == 0, result.output
    assert "events deleted: 1" in result.output
    assert "navigation: 1" in result.output


def test_privacy_notice_renders_html(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        privacy_notice, ["--format", "html", "--db", str(tmp_path / "t.duckdb")]
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!doctype html>")
