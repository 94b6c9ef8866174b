"""The command line: ingest a file, the quarantine and its replay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import duckdb


def run_cli(
    *args: str, env: dict[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lms_telemetry.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=input_text,
        timeout=120,
    )


def envelope(event: str, **payload: Any) -> dict[str, Any]:
    return {
        "event": event,
        "event_id": str(uuid.uuid4()),
        "timestamp": "2026-11-02T09:30:00Z",
        "anonymous_id": "reader-7",
        "persona": "patron",
        "payload": payload,
    }


def write_ndjson(path: Path, events: list[Any]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + "{not json\n")
    return path


def test_ingest_file_reports_accepted_duplicates_and_refused(tmp_path: Path) -> None:
    events = [
        envelope("search_input", query="dune"),
        envelope("hold_cancelled", item_id="b1"),
    ]
    events.append(events[0])  # the same event twice
    events.append(envelope("search_input"))  # query missing
    source = write_ndjson(tmp_path / "events.ndjson", events)
    db = tmp_path / "t.duckdb"

    result = run_cli("ingest", str(source), "--db", str(db))

    summary = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert (
        summary["lines"],
        summary["accepted"],
        summary["duplicates"],
        summary["refused"],
    ) == (5, 2, 1, 2)
    assert summary["first_refusals"] == [
        {"line": 4, "errors": ["payload.query: is required"]},
        {
            "line": 5,
            "errors": [
                "Body is not valid JSON: Expecting property name enclosed in double quotes"
            ],
        },
    ]
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM quarantine").fetchone() == (2,)
        assert connection.execute("SELECT count(*) FROM events").fetchone() == (2,)


def test_ingest_never_stores_the_raw_anonymous_id(tmp_path: Path) -> None:
    source = write_ndjson(
        tmp_path / "events.ndjson", [envelope("search_input", query="x")]
    )
    db = tmp_path / "t.duckdb"

    run_cli("ingest", str(source), "--db", str(db))

    with duckdb.connect(str(db), read_only=True) as connection:
        [(pseudonym,)] = connection.execute(
            "SELECT pseudonymous_id FROM events"
        ).fetchall()
    assert pseudonym and "reader-7" not in pseudonym


def test_quarantine_replay_stores_events_a_schema_extension_now_allows(
    tmp_path: Path,
) -> None:
    custom = envelope("ebook_opened", item_id="e-42")
    source = write_ndjson(tmp_path / "events.ndjson", [custom])
    db = tmp_path / "t.duckdb"
    run_cli("ingest", str(source), "--db", str(db))
    extension = tmp_path / "extension.json"
    extension.write_text(
        json.dumps(
            {
                "events": {
                    "ebook_opened": {
                        "category": "user_action",
                        "payload": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["item_id"],
                            "properties": {
                                "item_id": {"type": "string", "maxLength": 128}
                            },
                        },
                    }
                }
            }
        )
    )
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{db}"\nschema_extensions = ["{extension}"]\n')

    listed = run_cli("quarantine", "list", "--db", str(db), "--format", "json")
    replayed = run_cli("quarantine", "replay", "--config", str(config))

    reasons = sorted(row["reason"] for row in json.loads(listed.stdout))
    assert reasons == ["invalid_event", "not_json"]
    assert json.loads(replayed.stdout) == {
        "examined": 1,
        "stored": 1,
        "duplicates": 0,
        "still_refused": 0,
    }
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute(
            "SELECT event, category, item_id FROM events"
        ).fetchall() == [("ebook_opened", "user_action", "e-42")]


def test_report_on_a_database_held_by_a_server_says_to_use_the_server(
    service: Any,
) -> None:
    result = run_cli("quarantine", "list", "--db", str(service.db_path))

    assert result.returncode == 1
    assert "is held by a running server; use --server URL instead" in result.stderr


def test_unknown_setting_in_config_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[limits]\nmax_body_megabytes = 3\n")

    result = run_cli("quarantine", "list", "--config", str(config))

    assert result.returncode == 1
    assert "'limits.max_body_megabytes' is not a known setting" in result.stderr


def test_serve_refuses_to_start_with_a_broken_experiment(tmp_path: Path) -> None:
    env = dict(os.environ, LMS_TELEMETRY_EXPERIMENTS='[{"key": "x"}]')

    result = run_cli("serve", "--db", str(tmp_path / "t.duckdb"), "--port", "0", env=env)

    assert result.returncode == 1
    assert "experiments[0].primary_metric: is required" in result.stderr


def test_setting_outside_its_choices_is_named(tmp_path: Path) -> None:
    env = dict(os.environ, LMS_TELEMETRY_PRIVACY_KEY_PERIOD="year")

    result = run_cli("quarantine", "list", "--db", str(tmp_path / "t.duckdb"), env=env)

    assert result.returncode == 1
    assert "'year' is not one of day, week, month" in result.stderr


def test_report_period_longer_than_ten_years_is_refused(tmp_path: Path) -> None:
    source = write_ndjson(tmp_path / "events.ndjson", [envelope("search_input", query="x")])
    db = tmp_path / "t.duckdb"
    run_cli("ingest", str(source), "--db", str(db))

    result = run_cli("report", "overview", "--db", str(db), "--since", "0001-01-01", "--until", "9999-12-31")

    assert result.returncode != 0
    assert "a period may span at most 3660 days" in result.stderr
