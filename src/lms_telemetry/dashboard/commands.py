"""`lms-telemetry user ...`: add, re-password and remove dashboard accounts.

The commands open the database file directly, so they run while the service
is stopped (DuckDB lets one process hold a database file).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lms_telemetry.config import Config, ConfigError
from lms_telemetry.dashboard.accounts import (
    ROLES,
    AccountError,
    add_account,
    remove_account,
    set_password,
)
from lms_telemetry.storage.base import StorageError
from lms_telemetry.storage.duckdb import DuckDBStore


def open_accounts_store(db: str | None, config_path: str | None) -> DuckDBStore:
    try:
        path = Path(db) if db else Config.load(config_path).db_path
        return DuckDBStore(path)
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from exc


def read_password(from_stdin: bool) -> str:
    """The new password from standard input (first line) or a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )


db_option = click.option(
    "--db", "db", type=click.Path(dir_okay=False),
    help="DuckDB database file; default: the `db` setting.",
)
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False),
    help="Configuration file (TOML).",
)
stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input.",
)


@click.group("user")
def user() -> None:
    """Manage the accounts that may read the dashboard and report API."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="admin sees everything; viewer sees reports only.")
@db_option
@config_option
@stdin_option
def add_command(
    name: str, role: str, db: str | None, config_path: str | None,
    password_stdin: bool,
) -> None:
    """Create the account NAME with a role."""
    password = read_password(password_stdin)
    store = open_accounts_store(db, config_path)
    try:
        add_account(store, name, role, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"Added {role} account {name!r}.")


@user.command("passwd")
@click.argument("name")
@db_option
@config_option
@stdin_option
def passwd_command(
    name: str, db: str | None, config_path: str | None, password_stdin: bool
) -> None:
    """Set a new password for NAME; its existing logins end."""
    password = read_password(password_stdin)
    store = open_accounts_store(db, config_path)
    try:
        set_password(store, name, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"Changed the password of {name!r}.")


@user.command("remove")
@click.argument("name")
@db_option
@config_option
def remove_command(name: str, db: str | None, config_path: str | None) -> None:
    """Delete the account NAME (never the last admin)."""
    store = open_accounts_store(db, config_path)
    try:
        remove_account(store, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"Removed account {name!r}.")
