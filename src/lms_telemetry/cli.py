"""The `lms-telemetry` command line."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click
import httpx
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from lms_telemetry import __version__
from lms_telemetry.config import SETTINGS, Config, ConfigError
from lms_telemetry.logs import configure_logging
from lms_telemetry.storage import StorageError, open_store

console = Console(stderr=True)


def load_config(config_path: str | None, **overrides: Any) -> Config:
    try:
        return Config.load(config_path, overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def open_database(path: Path, read_only: bool = False) -> Any:
    """Open the database file, explaining what to do when a server holds it."""
    if read_only and not path.exists():
        raise click.ClickException(f"Database {str(path)!r} does not exist")
    try:
        return open_store(path, read_only=read_only)
    except StorageError as exc:
        if "lock" in str(exc).lower():
            raise click.ClickException(
                f"Database {str(path)!r} is held by a running server; use --server URL instead"
            ) from None
        raise click.ClickException(str(exc)) from None


def admin_headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def call_server(method: str, url: str, token: str | None, **kwargs: Any) -> Any:
    try:
        response = httpx.request(
            method, url, headers=admin_headers(token), timeout=120, **kwargs
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"Cannot reach {url}: {exc}") from None
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        raise click.ClickException(f"{url} answered {response.status_code}: {message}")
    return response.json()


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML configuration file.",
)
db_option = click.option(
    "--db", type=click.Path(dir_okay=False), help="DuckDB database file."
)
server_option = click.option(
    "--server", help="URL of a running service, e.g. http://127.0.0.1:8080."
)
token_option = click.option(
    "--token", envvar="LMS_TELEMETRY_ADMIN_TOKEN", help="Admin token for --server."
)


class _Commands(click.Group):
    """The command group; a bad setting is an error message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Commands)
@click.version_option(__version__)
def main() -> None:
    """Telemetry and usage analytics for library management systems."""


@main.command()
@config_option
@click.option("--host", help="Address to listen on.")
@click.option("--port", type=int, help="Port to listen on.")
@db_option
@click.option("--workers", type=int, help="Ingest processes (default: one per core).")
def serve(
    config_path: str | None,
    host: str | None,
    port: int | None,
    db: str | None,
    workers: int | None,
) -> None:
    """Run the service: ingestion API, reports, dashboard."""
    from lms_telemetry.api.server import serve as run_service

    config = load_config(config_path, host=host, port=port, db=db, workers=workers)
    check_service_settings(config)
    configure_logging(config["log_level"])
    try:
        run_service(config)
    except KeyboardInterrupt:
        pass  # Ctrl-C: the service stopped its workers on the way out


def check_service_settings(config: Config) -> None:
    """Refuse to start with settings that would only fail later, per request."""
    from lms_telemetry.experiments.definitions import load_experiment_definitions
    from lms_telemetry.experiments.metrics import DefinitionError
    from lms_telemetry.schema import EventSchema, SchemaError

    try:
        schema = EventSchema.load(config["schema_extensions"])
        load_experiment_definitions(config["experiments"], schema.event_names())
    except (DefinitionError, SchemaError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@db_option
def ingest(file: Path, config_path: str | None, db: str | None) -> None:
    """Ingest an NDJSON file of events (one envelope a line) into a database."""
    from lms_telemetry.ingest.files import ingest_file
    from lms_telemetry.ingest.pipeline import Ingestor
    from lms_telemetry.privacy.gate import PrivacyGate
    from lms_telemetry.schema import EventSchema

    config = load_config(config_path, db=db)
    schema = EventSchema.load(config["schema_extensions"])
    ingestor = Ingestor(config, schema, PrivacyGate(config, schema))
    store = open_database(config.db_path)
    columns = [
        *Progress.get_default_columns()[:1],
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("ingesting", total=file.stat().st_size)
        summary = ingest_file(
            file, store, ingestor, lambda n: progress.advance(task, n)
        )
    store.close()
    click.echo(json.dumps(summary.as_dict(), indent=2))
    if summary.refused:
        console.print(
            f"{summary.refused} lines refused; see `lms-telemetry quarantine list`"
        )


@main.group()
def quarantine() -> None:
    """Refused events and bodies, kept with their reasons."""


@quarantine.command("list")
@config_option
@db_option
@server_option
@token_option
@click.option("--limit", type=int, default=50, show_default=True)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table"
)
def quarantine_list(
    config_path: str | None,
    db: str | None,
    server: str | None,
    token: str | None,
    limit: int,
    output: str,
) -> None:
    """Show the newest quarantined bodies with their reasons."""
    from lms_telemetry.ingest.replay import list_quarantine

    if server:
        rows = call_server(
            "GET", f"{server}/api/admin/quarantine", token, params={"limit": limit}
        )["quarantine"]
    else:
        store = open_database(load_config(config_path, db=db).db_path, read_only=True)
        rows = list_quarantine(store, limit)
    if output == "json":
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table("id", "received", "reason", "errors", "body")
    for row in rows:
        table.add_row(
            str(row["quarantine_id"]),
            str(row["received_at"])[:19],
            row["reason"],
            "\n".join(row["errors"]),
            row["body"][:80],
        )
    Console().print(table)


@quarantine.command("replay")
@config_option
@db_option
@server_option
@token_option
def quarantine_replay(
    config_path: str | None, db: str | None, server: str | None, token: str | None
) -> None:
    """Judge refused events again (e.g. after a schema extension); store those that pass."""
    from lms_telemetry.ingest.pipeline import Ingestor
    from lms_telemetry.ingest.replay import replay_quarantine
    from lms_telemetry.privacy.gate import PrivacyGate
    from lms_telemetry.schema import EventSchema

    if server:
        result = call_server("POST", f"{server}/api/admin/quarantine/replay", token)
    else:
        config = load_config(config_path, db=db)
        schema = EventSchema.load(config["schema_extensions"])
        store = open_database(config.db_path)
        result = replay_quarantine(
            store, Ingestor(config, schema, PrivacyGate(config, schema))
        ).as_dict()
        store.close()
    click.echo(json.dumps(result, indent=2))


@main.command("config")
@click.option(
    "--format", "output", type=click.Choice(["table", "markdown"]), default="table"
)
def show_settings(output: str) -> None:
    """List every setting with its environment variable and default."""
    if output == "markdown":
        click.echo(
            "| setting | environment variable | default | meaning |\n|---|---|---|---|"
        )
        for s in SETTINGS:
            click.echo(
                f"| `{s.name}` | `{s.env_name}` | `{json.dumps(s.default)}` | {s.description} |"
            )
        return
    table = Table("setting", "environment variable", "default", "meaning")
    for s in SETTINGS:
        table.add_row(s.name, s.env_name, json.dumps(s.default), s.description)
    Console().print(table)


@main.command()
@click.option(
    "--sessions", type=int, default=2000, show_default=True, help="Visits to simulate."
)
@click.option(
    "--catalog",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Catalogue CSV in the goodbooks-10k layout (default: the bundled classics).",
)
@click.option(
    "--browser",
    is_flag=True,
    help="Run part of the visits in headless Chromium with the real client.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo keeps its database and logs.",
)
@click.option(
    "--exit",
    "exit_after",
    is_flag=True,
    help="Stop after the summary instead of serving the dashboard.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Seed of the simulated behaviour.",
)
def demo(
    sessions: int,
    catalog: Path | None,
    browser: bool,
    directory: Path | None,
    exit_after: bool,
    seed: int,
) -> None:
    """Run the service, a sample library site and simulated visitors; show the results."""
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "examples" / "opac").is_dir():
        raise click.ClickException(
            "The demo runs from a source checkout: examples/opac is missing"
        )
    sys.path.insert(0, str(checkout))
    from examples.opac.demo import run_demo

    # SIGTERM unwinds like Ctrl-C, so the service and site are stopped too.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))

    code = run_demo(
        sessions=sessions,
        catalog_path=catalog,
        browser=browser,
        directory=directory,
        exit_after=exit_after,
        seed=seed,
    )
    sys.exit(code)


# Commands that live with the package they drive.
def _register_commands() -> None:
    from lms_telemetry.analytics.commands import report_command
    from lms_telemetry.dashboard.commands import user
    from lms_telemetry.experiments.commands import experiment
    from lms_telemetry.privacy.commands import erase, privacy, privacy_notice, retention

    commands = (
        report_command,
        experiment,
        retention,
        erase,
        privacy_notice,
        privacy,
        user,
    )
    for command in commands:
        main.add_command(command)


_register_commands()

if __name__ == "__main__":
    sys.exit(main())
