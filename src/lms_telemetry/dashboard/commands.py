"""`lms-telemetry user ...`: add, re-password and remove dashboard accounts.

The commands open the database file directly, so they run while the service
is stopped (DuckDB lets one process hold a database file); they say so when
a running server holds it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import duckdb

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


def accounts_db_path(
    db: str | None, config_path: str | None, *, must_exist: bool = False
) -> Path:
    """The database file the accounts live in; ``must_exist`` refuses a new one."""
    try:
        path = Path(db) if db else Config.load(config_path).db_path
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if must_exist and not path.exists():
        raise click.ClickException(f"Database '{path}' does not exist")
    return path


def open_accounts_store(path: Path) -> DuckDBStore:
    """Open PATH, saying so plainly when a running server holds it."""
    try:
        return DuckDBStore(path)
    except StorageError as exc:
        if is_lock_conflict(exc):
            raise click.ClickException(
                f"Database '{path}' is held by a running server; stop it first"
            ) from exc
        raise click.ClickException(str(exc)) from exc


def is_lock_conflict(exc: StorageError) -> bool:
    """Whether opening failed because another process holds the file."""
    # DuckDB reports a held file as an IO error about its lock; it has no
    # more specific exception for it.
    cause = exc.__cause__
    return isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()


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
    path = accounts_db_path(db, config_path)
    password = read_password(password_stdin)
    store = open_accounts_store(path)
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
    path = accounts_db_path(db, config_path, must_exist=True)
    password = read_password(password_stdin)
    store = open_accounts_store(path)
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
    store = open_accounts_store(accounts_db_path(db, config_path, must_exist=True))
    try:
        remove_account(store, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"Removed account {name!r}.")
