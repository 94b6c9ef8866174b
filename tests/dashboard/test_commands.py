"""`lms-telemetry user add | passwd | remove` on a real database file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lms_telemetry.dashboard.accounts import find_account, verify_login
from lms_telemetry.dashboard.commands import user
from lms_telemetry.storage.duckdb import DuckDBStore
from tests.service import Service


def run(db: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(user, [*args, "--db", str(db)], input=stdin)
    return result.exit_code, result.output


def test_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"

    code, output = run(db, "add", "ada", "--role", "viewer", "--password-stdin",
                       stdin="from standard input\n")

    assert (code, output) == (0, "Added viewer account 'ada'.\n")
    store = DuckDBStore(db)
    assert verify_login(store, "ada", "from standard input") is not None
    store.close()


def test_add_prompts_twice_for_the_password(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"

    code, _ = run(db, "add", "ada", "--role", "admin",
                  stdin="typed at a prompt\ntyped at a prompt\n")

    assert code == 0
    store = DuckDBStore(db)
    account = find_account(store, "ada")
    store.close()
    assert account is not None and account.role == "admin"


def test_passwd_then_remove(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    run(db, "add", "root", "--role", "admin", "--password-stdin", stdin="p" * 12)
    run(db, "add", "ada", "--role", "viewer", "--password-stdin", stdin="q" * 12)

    changed = run(db, "passwd", "ada", "--password-stdin", stdin="r" * 12)
    removed = run(db, "remove", "ada")

    assert changed == (0, "Changed the password of 'ada'.\n")
    assert removed == (0, "Removed account 'ada'.\n")
    store = DuckDBStore(db)
    assert find_account(store, "ada") is None
    store.close()


def test_bad_role_and_short_password_fail_with_a_clear_message(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.duckdb"

    role = run(db, "add", "ada", "--role", "owner", "--password-stdin", stdin="x" * 12)
    short = run(db, "add", "ada", "--role", "viewer", "--password-stdin", stdin="x")

    assert role[0] == 2 and "'owner' is not one of 'admin', 'viewer'" in role[1]
    assert short[0] == 1
    assert "Password is too short: use at least 10 characters" in short[1]


def test_removing_an_unknown_account_fails(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    run(db, "add", "root", "--role", "admin", "--password-stdin", stdin="p" * 12)

    code, output = run(db, "remove", "ghost")

    assert (code, output) == (1, "Error: Account 'ghost' does not exist\n")


@pytest.mark.parametrize(
    "args", [("passwd", "ada", "--password-stdin"), ("remove", "ada")]
)
def test_passwd_and_remove_refuse_a_missing_database_without_creating_it(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    db = tmp_path / "missing.duckdb"

    code, output = run(db, *args, stdin="r" * 12)

    assert (code, output) == (1, f"Error: Database '{db}' does not exist\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ("add", "ada", "--role", "viewer", "--password-stdin"),
        ("passwd", "ada", "--password-stdin"),
        ("remove", "ada"),
    ],
)
def test_database_held_by_a_running_server_is_named_plainly(
    service: Service, args: tuple[str, ...]
) -> None:
    code, output = run(service.db_path, *args, stdin="r" * 12)

    held = f"Database '{service.db_path}' is held by a running server; stop it first"
    assert (code, output) == (1, f"Error: {held}\n")
