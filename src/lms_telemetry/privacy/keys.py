"""Pseudonym keys: one per period and purpose, destroyed when out of retention.

A key exists for each purpose (`device`, `account`, `session`, and the daily
`cookieless` key) and each period (day, week or month, by configuration).
Keys live in a JSON key file that only the service may read (mode 0600), or,
for the long-lived purposes, come from the `privacy.keys` setting. Once a
period falls out of retention its key is deleted, so the pseudonyms made with
it can no longer be recomputed from anyone's id (crypto-shredding).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from lms_telemetry.config import Config

logger = logging.getLogger(__name__)

PURPOSES = ("device", "account", "session", "cookieless")
PERIODS = ("day", "week", "month")
KEY_BYTES = 32
FILE_FORMAT = 1


class PrivacyKeyError(Exception):
    """A key file or key setting is unreadable, unsafe or incomplete."""


def period_label(moment: datetime, period: str) -> str:
    """Name of the PERIOD (day, week, month) containing MOMENT, in UTC."""
    day = moment.astimezone(UTC).date()
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if period == "day":
        return day.isoformat()
    raise PrivacyKeyError(
        f"privacy.key_period: {period!r} is not a period; expected day, week or month"
    )


def period_bounds(label: str) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a period named by its label."""
    if "-W" in label:
        iso_year, week = label.split("-W")
        start = date.fromisocalendar(int(iso_year), int(week), 1)
        end = start + timedelta(days=7)
    elif label.count("-") == 1:
        year, month = (int(part) for part in label.split("-"))
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
    else:
        start = date.fromisoformat(label)
        end = start + timedelta(days=1)
    return _midnight(start), _midnight(end)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def is_period_expired(label: str, now: datetime, retention_days: int) -> bool:
    """True when every moment of the period is older than the retention."""
    _, end = period_bounds(label)
    return end + timedelta(days=retention_days) <= now


def default_key_file(config: Config) -> Path:
    """The key file: `privacy.key_file`, or the database path + '.keys'."""
    configured = config["privacy.key_file"]
    return Path(configured) if configured else Path(f"{config['db']}.keys")


def parse_key_setting(text: str) -> dict[str, dict[str, bytes]]:
    """Keys given as JSON: {purpose: {period label: 64 hex digits}}."""
    try:
        table = json.loads(text)
    except json.JSONDecodeError:
        raise PrivacyKeyError("privacy.keys is not valid JSON") from None
    if not isinstance(table, dict):
        raise PrivacyKeyError("privacy.keys must be a JSON object of purposes")
    keys: dict[str, dict[str, bytes]] = {}
    for purpose, periods in table.items():
        if purpose not in PURPOSES or purpose == "cookieless":
            raise PrivacyKeyError(
                f"privacy.keys: {purpose!r} is not a purpose; expected device,"
                " account or session"
            )
        if not isinstance(periods, dict):
            raise PrivacyKeyError(f"privacy.keys.{purpose} must map periods to keys")
        keys[purpose] = {
            label: _key_from_hex(value, f"privacy.keys.{purpose}.{label}")
            for label, value in periods.items()
        }
    return keys


def _key_from_hex(value: object, name: str) -> bytes:
    try:
        key = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise PrivacyKeyError(f"{name} must be {KEY_BYTES * 2} hexadecimal digits")
    period_bounds_or_error(name.rsplit(".", 1)[-1], name)
    return key


def period_bounds_or_error(label: str, name: str) -> tuple[datetime, datetime]:
    """period_bounds, with an error naming the setting when LABEL is malformed."""
    try:
        return period_bounds(label)
    except ValueError:
        raise PrivacyKeyError(
            f"{name}: {label!r} is not a period label (2026-03, 2026-W11 or 2026-03-14)"
        ) from None


class KeyRing:
    """The live keys, read from the key file and the environment setting."""

    def __init__(
        self,
        key_file: Path,
        period: str,
        env_keys: Mapping[str, Mapping[str, bytes]] | None = None,
    ) -> None:
        period_label(datetime(2000, 1, 1, tzinfo=UTC), period)  # validates
        self.key_file = key_file
        self.period = period
        self._env_keys = {p: dict(k) for p, k in (env_keys or {}).items()}
        # purpose -> (period label, start, end, key) of the current period
        self._current: dict[str, tuple[str, datetime, datetime, bytes]] = {}

    @classmethod
    def from_config(cls, config: Config) -> KeyRing:
        env_text = config["privacy.keys"]
        env_keys = parse_key_setting(env_text) if env_text else None
        return cls(
            default_key_file(config),
            config["privacy.key_period"],
            env_keys,
        )

    def is_from_environment(self, purpose: str) -> bool:
        return purpose != "cookieless" and bool(self._env_keys)

    def label_for(self, purpose: str, moment: datetime) -> str:
        return period_label(moment, "day" if purpose == "cookieless" else self.period)

    def key_for(self, purpose: str, moment: datetime) -> bytes:
        """The key of PURPOSE for the period containing MOMENT, made if missing."""
        cached = self._current.get(purpose)
        if cached is not None and cached[1] <= moment < cached[2]:
            return cached[3]
        label = self.label_for(purpose, moment)
        key = self._find_or_make(purpose, label)
        # Only the current period's key is held in memory, so a destroyed
        # key does not outlive its period in a long-running process.
        self._current[purpose] = (label, *period_bounds(label), key)
        return key

    def _find_or_make(self, purpose: str, label: str) -> bytes:
        if self.is_from_environment(purpose):
            key = self._env_keys.get(purpose, {}).get(label)
            if key is None:
                raise PrivacyKeyError(
                    f"privacy.keys has no {purpose!r} key for period {label!r};"
                    " add one or use a key file"
                )
            return key
        with self._locked():
            table = self._read_file()
            key_hex = table.setdefault(purpose, {}).get(label)
            if key_hex is None:
                key_hex = secrets.token_hex(KEY_BYTES)
                table[purpose][label] = key_hex
                if purpose == "cookieless":
                    # A cookieless key lives for its day only.
                    table[purpose] = {label: key_hex}
                self._write_file(table)
                logger.info("made %s key for period %s", purpose, label)
        return bytes.fromhex(key_hex)

    def live_keys(self, purpose: str) -> dict[str, bytes]:
        """Every key of PURPOSE that still exists, by period label."""
        if self.is_from_environment(purpose):
            return dict(self._env_keys.get(purpose, {}))
        with self._locked():
            table = self._read_file()
        return {label: bytes.fromhex(h) for label, h in table.get(purpose, {}).items()}

    def destroy_expired(self, now: datetime, retention_days: int) -> list[str]:
        """Delete keys whose period is out of retention; return 'purpose/label's.

        Cookieless keys go once their day is over. Keys given by the
        environment cannot be deleted here: they are dropped from memory, and
        a warning names them so the operator removes them.
        """
        destroyed: list[str] = []
        for purpose, periods in self._env_keys.items():
            expired = [p for p in periods if is_period_expired(p, now, retention_days)]
            for label in expired:
                del periods[label]
                logger.warning(
                    "key %s/%s from privacy.keys is out of retention; remove it",
                    purpose,
                    label,
                )
                destroyed.append(f"{purpose}/{label}")
        if self.key_file.exists():
            destroyed += self._destroy_in_file(now, retention_days)
        self._current = {
            p: c for p, c in self._current.items() if f"{p}/{c[0]}" not in destroyed
        }
        return destroyed

    def _destroy_in_file(self, now: datetime, retention_days: int) -> list[str]:
        destroyed = []
        with self._locked():
            table = self._read_file()
            for purpose, periods in table.items():
                days = 0 if purpose == "cookieless" else retention_days
                for label in list(periods):
                    if is_period_expired(label, now, days):
                        del periods[label]
                        destroyed.append(f"{purpose}/{label}")
            if destroyed:
                self._write_file(table)
        for name in destroyed:
            logger.info("destroyed key %s", name)
        return destroyed

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Several ingest processes share one key file; the lock makes the
        # first of them to need a new period's key the only one to make it.
        self.key_file.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.key_file.with_name(self.key_file.name + ".lock")
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def _read_file(self) -> dict[str, dict[str, str]]:
        try:
            mode = stat.S_IMODE(os.stat(self.key_file).st_mode)
        except FileNotFoundError:
            return {}
        if mode & 0o077:
            raise PrivacyKeyError(
                f"Key file {str(self.key_file)!r} has mode {mode:04o};"
                " expected 0600 (readable by the service only)"
            )
        try:
            content = json.loads(self.key_file.read_text(encoding="utf-8"))
            keys: dict[str, dict[str, str]] = content["keys"]
        except (ValueError, KeyError, TypeError):
            raise PrivacyKeyError(
                f"Key file {str(self.key_file)!r} is not a key file"
            ) from None
        return keys

    def _write_file(self, table: Mapping[str, Mapping[str, str]]) -> None:
        content = json.dumps({"format": FILE_FORMAT, "keys": table}, indent=2)
        temporary = self.key_file.with_name(self.key_file.name + ".new")
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.key_file)
        directory = os.open(self.key_file.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
