"""`lms-telemetry experiment list|analyze`."""

from __future__ import annotations

import json
from typing import Any

import click
import httpx
from rich.console import Console
from rich.table import Table

from lms_telemetry.config import Config, ConfigError


def _from_database(
    db: str, config_path: str | None, key: str | None, engine: str
) -> Any:
    from lms_telemetry.experiments.analysis import (
        UnknownExperimentError,
        analyze_experiment,
        find_experiment_definition,
    )
    from lms_telemetry.experiments.definitions import public_experiment_definitions
    from lms_telemetry.experiments.registry import all_definitions
    from lms_telemetry.schema import EventSchema
    from lms_telemetry.storage import StorageError, open_store

    try:
        config = Config.load(config_path, overrides={"db": db})
        store = open_store(config.db_path, read_only=True)
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    definitions = all_definitions(
        store, config, EventSchema.load(config["schema_extensions"])
    )
    if key is None:
        return {"experiments": public_experiment_definitions(definitions)}
    try:
        return analyze_experiment(
            store, find_experiment_definition(definitions, key), engine=engine
        )
    except UnknownExperimentError as exc:
        raise click.ClickException(str(exc)) from None


def _from_server(
    server: str, token: str | None, path: str, params: dict[str, str]
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(
            f"{server.rstrip('/')}{path}", params=params, headers=headers, timeout=120
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"Cannot reach {server}: {exc}") from None
    if response.status_code >= 400:
        raise click.ClickException(
            f"{server} answered {response.status_code}: {response.text}"
        )
    return response.json()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _lift_cells(lift: dict[str, Any] | None, engine: str) -> list[str]:
    if not lift:
        return ["(control)", "", ""]
    low, high = lift["ci"]
    interval = f"{_percent(low)} to {_percent(high)}"
    if engine == "bayesian":
        chance = lift.get("chance_to_win")
        evidence = "-" if chance is None else f"chance to win {chance:.1%}"
    else:
        p_value = lift.get("adjusted_p_value", lift.get("p_value"))
        evidence = "-" if p_value is None else f"p = {p_value:.3g}"
    return [_percent(lift["effect"]), interval, evidence]


def print_result(result: dict[str, Any]) -> None:
    console = Console()
    console.print(f"[bold]{result['name']}[/bold] ({result['engine']})")
    units = Table("variant", "units", "in several variants")
    for variant in result["variants"]:
        units.add_row(
            variant["key"],
            str(variant["units"]),
            str(variant["units_in_multiple_variants"]),
        )
    console.print(units)
    console.print(
        f"Sample ratio check: p = {result['srm']['p_value']}"
        + (
            f"  [red]{result['srm']['warning']}[/red]"
            if result["srm"].get("warning")
            else ""
        )
    )
    metrics = Table(
        "metric", "role", "variant", "value", "lift", "interval", "evidence"
    )
    for metric in result["metrics"]:
        for entry in metric["variants"]:
            value = "-" if entry["value"] is None else f"{entry['value']:.4g}"
            metrics.add_row(
                metric["name"],
                metric["role"],
                entry["variant"],
                value,
                *_lift_cells(entry["lift"], result["engine"]),
            )
    console.print(metrics)
    console.print(result["verdict"])


source_options = [
    click.option("--db", help="DuckDB file to read (opened read-only)."),
    click.option("--server", help="URL of a running service to ask instead."),
    click.option(
        "--token", envvar="LMS_TELEMETRY_ADMIN_TOKEN", help="Admin token for --server."
    ),
    click.option(
        "--config", "config_path", help="TOML configuration file (with --db)."
    ),
]


def with_sources(function: Any) -> Any:
    for option in reversed(source_options):
        function = option(function)
    return function


@click.group()
def experiment() -> None:
    """Experiments: definitions and analysis."""


@experiment.command("list")
@with_sources
def list_command(
    db: str | None, server: str | None, token: str | None, config_path: str | None
) -> None:
    """Print the experiment definitions clients receive."""
    if bool(db) == bool(server):
        raise click.UsageError("Give exactly one of --db PATH or --server URL")
    result = (
        _from_server(server, token, "/api/experiments", {})
        if server
        else _from_database(str(db), config_path, None, "")
    )
    click.echo(json.dumps(result, indent=2))


@experiment.command("analyze")
@click.argument("key")
@click.option(
    "--engine",
    type=click.Choice(["frequentist", "bayesian"]),
    default="frequentist",
    show_default=True,
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@with_sources
def analyze_command(
    key: str,
    engine: str,
    output: str,
    db: str | None,
    server: str | None,
    token: str | None,
    config_path: str | None,
) -> None:
    """Analyse experiment KEY: units, metrics, lifts, split check, verdict."""
    if bool(db) == bool(server):
        raise click.UsageError("Give exactly one of --db PATH or --server URL")
    if server:
        result = _from_server(
            server, token, f"/api/experiments/{key}/results", {"engine": engine}
        )
    else:
        result = _from_database(str(db), config_path, key, engine)
    if output == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        print_result(result)
