"""Command-line commands for privacy: retention, erasure, notice and audit.

`retention run`, `erase`, `privacy-notice` and `privacy audit`; the CLI
registers `retention`, `erase`, `privacy_notice` and `privacy` from here.
Each takes `--db` and `--config` like every other command, and needs the
database to itself (stop the service first, or run it from the service).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from lms_telemetry.config import Config, ConfigError
from lms_telemetry.privacy.audit import run_audit
from lms_telemetry.privacy.erasure import ErasureError
from lms_telemetry.privacy.erasure import erase as erase_id
from lms_telemetry.privacy.gate import PrivacyGate
from lms_telemetry.privacy.keys import PrivacyKeyError, default_key_file
from lms_telemetry.privacy.notice import FORMATS, render_notice
from lms_telemetry.privacy.retention import RetentionSettingError, run_retention
from lms_telemetry.schema import EventSchema
from lms_telemetry.storage import StorageError, Store, open_store

_console = Console(stderr=True)
_ERRORS = (
    ConfigError,
    PrivacyKeyError,
    RetentionSettingError,
    ErasureError,
    StorageError,
)

db_option = click.option(
    "--db", type=click.Path(dir_okay=False), help="DuckDB database file."
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML configuration file.",
)


def _config(config_path: str | None, db: str | None) -> Config:
    try:
        return Config.load(config_path, overrides={"db": db})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _store(config: Config, read_only: bool = False) -> Store:
    # Every privacy command works on stored data: a mistyped path must not
    # quietly create an empty database and report success.
    if not config.db_path.exists():
        raise click.ClickException(f"Database {str(config.db_path)!r} does not exist")
    try:
        return open_store(config.db_path, read_only=read_only)
    except StorageError as exc:
        if "lock" in str(exc).lower():
            raise click.ClickException(
                f"Database {str(config.db_path)!r} is held by a running server; stop it first"
            ) from None
        raise click.ClickException(str(exc)) from None


def _schema(config: Config) -> EventSchema:
    return EventSchema.load(config["schema_extensions"])


@click.group()
def retention() -> None:
    """Delete what is past its retention period."""


@retention.command("run")
@db_option
@config_option
def retention_run(db: str | None, config_path: str | None) -> None:
    """Delete old events and quarantined bodies; destroy expired keys."""
    config = _config(config_path, db)
    store = _store(config)
    try:
        report = run_retention(store, config, datetime.now(UTC), schema=_schema(config))
    except _ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"events deleted: {report.total_events_deleted}")
    for category, count in sorted(report.events_deleted.items()):
        click.echo(f"  {category}: {count}")
    click.echo(f"quarantined bodies deleted: {report.quarantine_deleted}")
    click.echo(f"keys destroyed: {len(report.keys_destroyed)}")


@click.command()
@click.option("--anonymous-id", help="The browser or device id to erase.")
@click.option("--user-id", help="The LMS account id to erase.")
@db_option
@config_option
def erase(
    anonymous_id: str | None,
    user_id: str | None,
    db: str | None,
    config_path: str | None,
) -> None:
    """Erase every stored event of an id: events, quarantine and spool."""
    if not anonymous_id and not user_id:
        raise click.UsageError("give --anonymous-id or --user-id")
    config = _config(config_path, db)
    store = _store(config)
    try:
        gate = PrivacyGate(config, _schema(config))
        report = erase_id(
            store, config.spool_path, gate, anonymous_id=anonymous_id, user_id=user_id
        )
    except _ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"events deleted: {report.events}")
    click.echo(f"quarantined bodies deleted: {report.quarantine}")
    click.echo(f"spool rows deleted: {report.spool}")
    click.echo(f"key periods searched: {report.keys_searched}")


@click.command("privacy-notice")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True
)
@db_option
@config_option
def privacy_notice(fmt: str, db: str | None, config_path: str | None) -> None:
    """Print the privacy notice generated from the schema and the settings."""
    config = _config(config_path, db)
    try:
        click.echo(render_notice(config, _schema(config), fmt))
    except _ERRORS as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def privacy() -> None:
    """Privacy checks."""


@privacy.command()
@db_option
@config_option
def audit(db: str | None, config_path: str | None) -> None:
    """Scan events, quarantine and spool for personal data; exit 1 on findings."""
    config = _config(config_path, db)
    store = _store(config, read_only=True)
    try:
        findings = run_audit(store, config.spool_path, default_key_file(config))
    finally:
        store.close()
    if not findings:
        click.echo("privacy audit: clean (events, quarantine, spool, key file)")
        return
    table = Table("table", "column", "kind", "count", title="privacy audit findings")
    for finding in findings:
        table.add_row(finding.table, finding.column, finding.kind, str(finding.count))
    Console().print(table)
    _console.print(f"{len(findings)} finding(s)")
    sys.exit(1)


COMMANDS: tuple[Any, ...] = (retention, erase, privacy_notice, privacy)
