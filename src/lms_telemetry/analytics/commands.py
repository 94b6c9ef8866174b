"""The `lms-telemetry report NAME` command: a report from a database file
(opened read-only) or from a running server, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from typing import Any

import click
import httpx
from rich.console import Console
from rich.table import Table

from lms_telemetry.analytics import REPORTS, ReportError, run_report
from lms_telemetry.storage import StorageError, open_store

TOKEN_VARIABLE = "LMS_TELEMETRY_ADMIN_TOKEN"


def _from_database(path: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    from lms_telemetry.config import Config

    try:
        store = open_store(path, read_only=True)
    except StorageError as exc:
        raise click.ClickException(
            f"{exc} (a running server holds it? use --server instead)"
        ) from None
    try:
        return run_report(name, store, config=Config.load(), **params)
    finally:
        store.close()


def _from_server(url: str, token: str | None, name: str, params: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    query = {key: value for key, value in params.items() if value is not None}
    try:
        reply = httpx.get(
            f"{url.rstrip('/')}/api/reports/{name}",
            params=query,
            headers=headers,
            timeout=60.0,
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"Cannot reach server {url!r}: {exc}") from None
    if reply.status_code != 200:
        try:
            message = reply.json().get("message") or reply.json().get("detail")
        except ValueError:
            message = reply.text
        raise click.ClickException(f"Server answered {reply.status_code}: {message}")
    return reply.json()


def _sections(result: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Split a report into scalar figures and tables (lists of rows)."""
    figures: dict[str, Any] = {}
    tables: dict[str, list[Any]] = {}
    for key, value in result.items():
        if isinstance(value, list):
            tables[key] = value
        elif (
            isinstance(value, dict)
            and value
            and all(not isinstance(v, dict | list) for v in value.values())
        ):
            for inner, number in value.items():
                figures[f"{key}.{inner}"] = number
        else:
            figures[key] = value
    return figures, tables


def _flatten_rows(name: str, rows: list[Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """Rows of a table; nested lists (a funnel's steps) become their own rows."""
    for row in rows:
        if not isinstance(row, dict):
            yield name, {"value": row}
            continue
        nested = {k: v for k, v in row.items() if isinstance(v, list)}
        plain = {k: v for k, v in row.items() if k not in nested}
        if not nested:
            yield name, plain
        for key, inner in nested.items():
            for item in inner:
                yield f"{name}.{key}", {**plain, **item}


def _render_table(result: dict[str, Any], console: Console) -> None:
    figures, tables = _sections(result)
    if figures:
        summary = Table("figure", "value", title="summary")
        for key, value in figures.items():
            summary.add_row(key, _cell(value))
        console.print(summary)
    for key, rows in tables.items():
        flat = list(_flatten_rows(key, rows))
        if not flat:
            console.print(f"[dim]{key}: no rows[/dim]")
            continue
        table = Table(*flat[0][1].keys(), title=flat[0][0])
        for _, row in flat:
            table.add_row(*(_cell(value) for value in row.values()))
        console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _render_csv(result: dict[str, Any]) -> str:
    """One CSV: section, then the columns of every section's rows."""
    figures, tables = _sections(result)
    rows: list[dict[str, Any]] = [
        {"section": "summary", "figure": key, "value": value}
        for key, value in figures.items()
    ]
    for key, found in tables.items():
        rows.extend(
            {"section": section, **row} for section, row in _flatten_rows(key, found)
        )
    columns = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v) if isinstance(v, dict | list) else v
                for k, v in row.items()
            }
        )
    return out.getvalue()


@click.command("report")
@click.argument("name", type=click.Choice(list(REPORTS)))
@click.option("--db", "db_path", help="DuckDB file to read (opened read-only).")
@click.option("--server", help="URL of a running service to ask instead.")
@click.option("--token", help=f"Admin token for --server (default: ${TOKEN_VARIABLE}).")
@click.option(
    "--since",
    help="First day or RFC 3339 time (inclusive); default: 30 days before --until.",
)
@click.option(
    "--until", help="Day or RFC 3339 time to stop at (exclusive); default: tomorrow."
)
@click.option(
    "--tz", default="UTC", show_default=True, help="IANA zone days are cut in."
)
@click.option("--persona", help="Only events of this persona.")
@click.option("--interface", help="Only events of this interface.")
@click.option("--limit", type=int, help="Most rows per list (search, content, ...).")
@click.option("--min-ids", type=int, help="Privacy threshold k for free-text rows.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def report_command(
    name: str,
    db_path: str | None,
    server: str | None,
    token: str | None,
    since: str | None,
    until: str | None,
    tz: str,
    persona: str | None,
    interface: str | None,
    limit: int | None,
    min_ids: int | None,
    output: str,
) -> None:
    """Print report NAME for a period, from --db PATH or --server URL."""
    if bool(db_path) == bool(server):
        raise click.UsageError("Give exactly one of --db PATH or --server URL")
    params: dict[str, Any] = {
        "since": since,
        "until": until,
        "tz": tz,
        "persona": persona,
        "interface": interface,
        "limit": limit,
        "min_ids": min_ids,
    }
    try:
        if db_path:
            result = _from_database(db_path, name, params)
        else:
            token = token or os.environ.get(TOKEN_VARIABLE)
            result = _from_server(str(server), token, name, params)
    except ReportError as exc:
        raise click.BadParameter(
            str(exc), param_hint=f"--{exc.parameter.replace('_', '-')}"
        ) from None
    if output == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    elif output == "csv":
        click.echo(_render_csv(result), nl=False)
    else:
        _render_table(result, Console())
