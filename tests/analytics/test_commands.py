"""The report command against a database file and against a server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms_telemetry.analytics import overview
from lms_telemetry.analytics.commands import report_command
from lms_telemetry.storage import open_store
from tests.analytics.events import at, load, make_event
from tests.api.test_reports import TOKEN, ReportServer

PERIOD = ["--since", "2024-05-06", "--until", "2024-05-07"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "reports.duckdb"
    store = open_store(path)
    load(
        store,
        [
            make_event(
                "search_submitted",
                at(n),
                query="dune",
                results_count=1,
                session_id=f"s-{n}",
                pseudonymous_id=f"id-{n}",
            )
            for n in range(5)
        ],
    )
    store.close()
    return path


def test_json_from_database_file_equals_the_report(db_path: Path) -> None:
    result = CliRunner().invoke(
        report_command, ["overview", "--db", str(db_path), *PERIOD, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    store = open_store(db_path, read_only=True)
    assert json.loads(result.output) == overview.report(
        store, "2024-05-06", "2024-05-07"
    )
    store.close()


def test_csv_lists_summary_figures_and_rows(db_path: Path) -> None:
    result = CliRunner().invoke(
        report_command, ["search", "--db", str(db_path), *PERIOD, "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(result.output)))
    figures = {
        row["figure"]: row["value"] for row in rows if row["section"] == "summary"
    }
    assert figures["searches"] == "5"
    assert figures["other.queries"] == "0"
    queries = [row for row in rows if row["section"] == "top_queries"]
    assert [(row["query"], row["searches"]) for row in queries] == [("dune", "5")]


def test_table_format_prints_figures(db_path: Path) -> None:
    result = CliRunner().invoke(
        report_command, ["sessions", "--db", str(db_path), *PERIOD]
    )
    assert result.exit_code == 0, result.output
    assert "sessions" in result.output and "5" in result.output


def test_server_report_equals_database_report(db_path: Path) -> None:
    local = CliRunner().invoke(
        report_command, ["search", "--db", str(db_path), *PERIOD, "--format", "json"]
    )
    store = open_store(db_path, read_only=True)
    with ReportServer(store) as server:
        remote = CliRunner().invoke(
            report_command,
            [
                "search",
                "--server",
                server.url,
                "--token",
                TOKEN,
                *PERIOD,
                "--format",
                "json",
                "--min-ids",
                "5",
            ],
        )
    store.close()
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == json.loads(local.output)


def test_bad_parameter_names_the_option(db_path: Path) -> None:
    result = CliRunner().invoke(
        report_command,
        [
            "overview",
            "--db",
            str(db_path),
            "--since",
            "2024-05-06",
            "--until",
            "2024-05-07",
            "--tz",
            "Nowhere/City",
        ],
    )
    assert result.exit_code == 2
    assert "--tz" in result.output and "IANA" in result.output


def test_needs_exactly_one_source() -> None:
    result = CliRunner().invoke(report_command, ["overview", *PERIOD])
    assert result.exit_code == 2
    assert "--db PATH or --server URL" in result.output
