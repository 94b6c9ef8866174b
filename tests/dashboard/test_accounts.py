"""Accounts in a real DuckDB file: hashing, roles, the first admin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lms_telemetry.config import Config
from lms_telemetry.dashboard.accounts import (
    AccountError,
    add_account,
    ensure_first_admin,
    find_account,
    remove_account,
    set_password,
    verify_login,
)
from lms_telemetry.storage.duckdb import DuckDBStore

PASSWORD = "a long enough password"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBStore]:
    opened = DuckDBStore(tmp_path / "accounts.duckdb")
    yield opened
    opened.close()


def test_password_is_stored_only_as_an_argon2_hash(store: DuckDBStore) -> None:
    add_account(store, "ada", "viewer", PASSWORD)

    stored = store.query("SELECT password_hash FROM accounts").scalar()

    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_succeeds_only_with_the_right_password(store: DuckDBStore) -> None:
    add_account(store, "ada", "viewer", PASSWORD)

    account = verify_login(store, "ada", PASSWORD)

    assert account is not None and account.role == "viewer"
    assert verify_login(store, "ada", PASSWORD + "x") is None
    assert verify_login(store, "nobody", PASSWORD) is None


def test_new_password_replaces_the_old_and_moves_the_change_time(
    store: DuckDBStore,
) -> None:
    before = add_account(store, "ada", "admin", PASSWORD)

    set_password(store, "ada", "another long password")

    after = find_account(store, "ada")
    assert after is not None
    assert after.password_changed_at > before.password_changed_at
    assert verify_login(store, "ada", PASSWORD) is None
    assert verify_login(store, "ada", "another long password") is not None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("bad name", "viewer", PASSWORD, "Account name 'bad name' is not valid"),
        ("ada", "owner", PASSWORD, "Role 'owner' is not valid: use admin or viewer"),
        ("ada", "viewer", "short", "Password is too short: use at least 10"),
    ],
)
def test_bad_account_is_refused_naming_the_rule(
    store: DuckDBStore, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        add_account(store, name, role, password)


def test_existing_name_is_refused(store: DuckDBStore) -> None:
    add_account(store, "ada", "viewer", PASSWORD)

    with pytest.raises(AccountError, match="Account 'ada' already exists"):
        add_account(store, "ada", "admin", PASSWORD)


def test_last_admin_cannot_be_removed(store: DuckDBStore) -> None:
    add_account(store, "ada", "admin", PASSWORD)
    add_account(store, "bob", "viewer", PASSWORD)

    with pytest.raises(AccountError, match="'ada' is the last admin"):
        remove_account(store, "ada")
    remove_account(store, "bob")

    assert find_account(store, "bob") is None


def test_first_start_creates_admin_with_a_generated_password_once(
    store: DuckDBStore,
) -> None:
    config = Config.load(environ={})

    generated = ensure_first_admin(store, config)
    again = ensure_first_admin(store, config)

    assert generated is not None and len(generated) >= 20
    assert again is None
    assert verify_login(store, "admin", generated) is not None


def test_first_admin_takes_the_configured_password_and_returns_none(
    store: DuckDBStore,
) -> None:
    config = Config.load(
        environ={"LMS_TELEMETRY_DASHBOARD_ADMIN_PASSWORD": "configured password"}
    )

    assert ensure_first_admin(store, config) is None
    assert verify_login(store, "admin", "configured password") is not None
