"""Accounts of people who read the dashboard and the report API.

An account has a name, a role (`admin` sees everything, `viewer` sees reports
only) and an argon2 hash of its password, kept in the `accounts` table of the
store. The first start of the service creates an admin when none exists.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lms_telemetry.config import Config
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

ROLES = ("admin", "viewer")
FIRST_ADMIN_NAME = "admin"
MIN_PASSWORD_CHARS = 10
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

_hasher = PasswordHasher()
# Verifying against this hash when a name is unknown keeps the answer time of
# "no such account" close to that of "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """An account operation was refused: bad name, role or password."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_changed_at: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            f"Account name {name!r} is not valid: use 1-64 letters, digits,"
            " '.', '_', '@' or '-', starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"Role {role!r} is not valid: use admin or viewer")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(
            f"Password is too short: use at least {MIN_PASSWORD_CHARS} characters"
        )
    return password


def generate_password() -> str:
    """A random password of about 128 bits, easy to copy."""
    return secrets.token_urlsafe(16)


def _account(row: dict[str, Any]) -> Account:
    return Account(row["name"], row["role"], str(row["password_changed_at"]))


def find_account(store: Store, name: str) -> Account | None:
    rows = store.query(
        "SELECT name, role, password_changed_at FROM accounts WHERE name = ?",
        [name],
    ).dicts()
    return _account(rows[0]) if rows else None


def list_accounts(store: Store) -> list[Account]:
    rows = store.query(
        "SELECT name, role, password_changed_at FROM accounts ORDER BY name"
    ).dicts()
    return [_account(row) for row in rows]


def add_account(store: Store, name: str, role: str, password: str) -> Account:
    """Create an account; refuse a name that exists."""
    check_name(name)
    check_role(role)
    check_password(password)
    if find_account(store, name) is not None:
        raise AccountError(f"Account {name!r} already exists")
    store.execute(
        "INSERT INTO accounts (name, role, password_hash) VALUES (?, ?, ?)",
        [name, role, _hasher.hash(password)],
    )
    logger.info("account added", extra={"account": name, "role": role})
    account = find_account(store, name)
    assert account is not None
    return account


def set_password(store: Store, name: str, password: str) -> None:
    """Replace an account's password; logins made with the old one end."""
    check_password(password)
    _require_account(store, name)
    store.execute(
        "UPDATE accounts SET password_hash = ?, password_changed_at = now()"
        " WHERE name = ?",
        [_hasher.hash(password), name],
    )
    logger.info("account password changed", extra={"account": name})


def remove_account(store: Store, name: str) -> None:
    """Delete an account; the last admin cannot be removed."""
    account = _require_account(store, name)
    if account.is_admin and _count_admins(store) <= 1:
        raise AccountError(
            f"Account {name!r} is the last admin: add another admin first"
        )
    store.execute("DELETE FROM accounts WHERE name = ?", [name])
    logger.info("account removed", extra={"account": name})


def verify_login(store: Store, name: str, password: str) -> Account | None:
    """The account when the password is right, else None."""
    rows = store.query(
        "SELECT password_hash FROM accounts WHERE name = ?", [name]
    ).rows
    stored_hash = rows[0][0] if rows else _DUMMY_HASH
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return find_account(store, name) if rows else None


def ensure_first_admin(store: Store, config: Config) -> str | None:
    """Create the account `admin` when no admin exists.

    Uses the `dashboard.admin_password` setting when set; otherwise generates
    a password and returns it so the caller prints it once. Returns None when
    an admin already existed or the password came from the configuration.
    """
    if _count_admins(store) > 0:
        return None
    admin_password = str(config.get("dashboard.admin_password") or "")
    password = admin_password or generate_password()
    add_account(store, FIRST_ADMIN_NAME, "admin", password)
    return None if admin_password else password


def _count_admins(store: Store) -> int:
    count = store.query("SELECT count(*) FROM accounts WHERE role = 'admin'").scalar()
    return int(count or 0)


def _require_account(store: Store, name: str) -> Account:
    account = find_account(store, name)
    if account is None:
        raise AccountError(f"Account {name!r} does not exist")
    return account
