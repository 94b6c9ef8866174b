"""Configuration: one table of every setting, read from TOML and environment.

Each setting has a dotted name (`limits.max_body_bytes`), a type, a default
and a one-line description. A TOML file sets it as `[limits] max_body_bytes =
...`; the environment sets it as `LMS_TELEMETRY_LIMITS_MAX_BODY_BYTES`, and the
environment wins. The table is also the documentation: `lms-telemetry config`
prints it, and a test checks the README documents every row.
"""

from __future__ import annotations

import json
import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "LMS_TELEMETRY_"

logger = logging.getLogger(__name__)


class ConfigError(Exception):
    """A setting has a value of the wrong type or an unknown name."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    default: Any
    description: str
    choices: tuple[str, ...] = ()

    @property
    def env_name(self) -> str:
        return ENV_PREFIX + self.name.replace(".", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    # Service
    Setting("db", str, "lms-telemetry.duckdb", "DuckDB database file."),
    Setting(
        "spool_dir", str, "", "Spool folder; default: the database path + '.spool'."
    ),
    Setting("host", str, "127.0.0.1", "Address the service listens on."),
    Setting("port", int, 8080, "Port the service listens on."),
    Setting("workers", int, 0, "Ingest processes; 0 means one per core."),
    Setting("log_level", str, "info", "Logging level: debug, info, warning, error.", ("debug", "info", "warning", "error")),
    Setting(
        "cors_origins",
        list,
        [],
        "Origins allowed to send events from a browser; '*' for any.",
    ),
    Setting(
        "write_keys", list, [], "Accepted write keys; empty means no key is required."
    ),
    Setting(
        "admin_token",
        str,
        "",
        "Token for the report and admin API (Bearer); empty disables token access.",
    ),
    Setting(
        "schema_extensions",
        list,
        [],
        "JSON files that add a deployment's own events to the schema.",
    ),
    # Limits on what a request may carry
    Setting(
        "limits.max_event_bytes", int, 32 * 1024, "Largest event, in bytes of JSON."
    ),
    Setting(
        "limits.max_body_bytes",
        int,
        1024 * 1024,
        "Largest body after decompression, in bytes.",
    ),
    Setting("limits.max_batch_events", int, 500, "Most events in one batch."),
    Setting(
        "limits.max_depth", int, 10, "Deepest nesting of objects and arrays in a body."
    ),
    Setting(
        "limits.max_future_skew_seconds",
        int,
        300,
        "A timestamp further ahead of receipt than this, with no sent_at, becomes the receipt time.",
    ),
    # Spool and loader
    Setting(
        "spool.segment_max_bytes",
        int,
        16 * 1024 * 1024,
        "Spool segment size at which a new segment starts.",
    ),
    Setting(
        "spool.max_pending_events",
        int,
        50_000,
        "Events waiting for the disk per ingest process before the service answers 503.",
    ),
    Setting(
        "spool.max_backlog_bytes",
        int,
        512 * 1024 * 1024,
        "Spool bytes not yet loaded before the service answers 503.",
    ),
    Setting(
        "spool.load_interval_ms",
        int,
        200,
        "How often the loader looks for new spool records.",
    ),
    Setting(
        "spool.dedup_window_days",
        int,
        7,
        "How long event ids are remembered at the door to count duplicates in replies.",
    ),
    # Privacy
    Setting(
        "privacy.key_file",
        str,
        "",
        "Pseudonym key file (mode 0600); default: beside the database.",
    ),
    Setting(
        "privacy.key_period",
        str,
        "month",
        "Pseudonym key period: day, week or month.",
        ("day", "week", "month"),
    ),
    Setting(
        "privacy.keys",
        str,
        "",
        "Pseudonym keys as JSON, instead of a key file (for the environment).",
    ),
    Setting(
        "privacy.cookieless",
        bool,
        False,
        "Derive a daily device pseudonym from IP and user agent when a client sends no anonymous_id.",
    ),
    Setting("privacy.retention_days", int, 180, "Days raw events are kept."),
    Setting(
        "privacy.retention_days_by_category",
        dict,
        {},
        "Days raw events are kept, per category (overrides retention_days).",
    ),
    Setting(
        "privacy.quarantine_retention_days",
        int,
        30,
        "Days quarantined bodies are kept.",
    ),
    Setting(
        "privacy.barcode_patterns",
        list,
        [],
        "Extra regular expressions for patron barcodes.",
    ),
    Setting(
        "privacy.min_ids",
        int,
        5,
        "Distinct pseudonymous ids a free-text row needs before a report shows it.",
    ),
    # Reports
    Setting(
        "reports.catalog",
        str,
        "",
        "Catalogue CSV (goodbooks-10k layout) that gives titles and authors to item ids.",
    ),
    Setting(
        "reports.funnels",
        list,
        [],
        "Extra funnels: tables with name, steps (event names) and optional window_minutes.",
    ),
    # Dashboard
    Setting(
        "dashboard.admin_password",
        str,
        "",
        "Password of the first admin; generated and printed once when empty.",
    ),
    Setting(
        "dashboard.secret_key",
        str,
        "",
        "Key that signs session cookies; generated and kept beside the database when empty.",
    ),
    # Experiments
    Setting(
        "experiments",
        list,
        [],
        "Experiment definitions: tables with key, variants, metrics (see Experiments).",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    if isinstance(value, str) and setting.kind is not str:
        value = _parse_env_text(setting, value, origin)
    if setting.kind is int and isinstance(value, bool):
        raise ConfigError(f"{origin}: {value!r} is not a whole number")
    if setting.kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, setting.kind):
        raise ConfigError(f"{origin}: {value!r} is not of type {setting.kind.__name__}")
    if setting.choices and value not in setting.choices:
        raise ConfigError(
            f"{origin}: {value!r} is not one of {', '.join(setting.choices)}"
        )
    if setting.kind is int and value < 0:
        raise ConfigError(f"{origin}: {value!r} must not be negative")
    if setting.name.startswith("limits.") and value == 0:
        raise ConfigError(f"{origin}: a limit must be greater than 0")
    return value


def _parse_env_text(setting: Setting, text: str, origin: str) -> Any:
    if setting.kind is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{origin}: {text!r} is not a boolean (true or false)")
    if setting.kind in (int, float):
        try:
            return setting.kind(text)
        except ValueError:
            raise ConfigError(f"{origin}: {text!r} is not a number") from None
    if setting.kind is list and not text.lstrip().startswith("["):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError(f"{origin}: {text!r} is not valid JSON") from None


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in _BY_NAME:
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


class Config:
    """Settings resolved from defaults, a TOML file and the environment."""

    def __init__(self, values: Mapping[str, Any], source: Path | None = None) -> None:
        self._values = dict(values)
        self.source = source

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Config:
        """Defaults, then the TOML file, then environment, then overrides."""
        environ = os.environ if environ is None else environ
        values = {setting.name: setting.default for setting in SETTINGS}
        source = None
        path = path or environ.get(ENV_PREFIX + "CONFIG") or None
        if path:
            source = Path(path)
            values.update(_read_toml(source))
        _warn_about_unknown_variables(environ)
        for setting in SETTINGS:
            if setting.env_name in environ:
                values[setting.name] = _coerce(
                    setting, environ[setting.env_name], setting.env_name
                )
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = _coerce(_known(name, "override"), value, name)
        return cls(values, source)

    def values(self) -> dict[str, Any]:
        """Every setting's resolved value, by dotted name."""
        return dict(self._values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with dotted names given as keyword arguments (dots as '__')."""
        values = dict(self._values)
        for key, value in overrides.items():
            name = key.replace("__", ".")
            values[name] = _coerce(_known(name, "override"), value, name)
        return Config(values, self.source)

    @property
    def db_path(self) -> Path:
        return Path(self["db"])

    @property
    def spool_path(self) -> Path:
        return Path(self["spool_dir"] or f"{self['db']}.spool")


# Variables of the prefix that are not settings but are read elsewhere.
_OTHER_VARIABLES = {ENV_PREFIX + name for name in ("CONFIG", "RESOLVED", "ROLE")}


def _warn_about_unknown_variables(environ: Mapping[str, str]) -> None:
    known = {setting.env_name for setting in SETTINGS} | _OTHER_VARIABLES
    for name in environ:
        if name.startswith(ENV_PREFIX) and name not in known:
            logger.warning("%s is not a setting and is ignored (a typo?)", name)


def _known(name: str, origin: str) -> Setting:
    if name not in _BY_NAME:
        raise ConfigError(f"{origin}: {name!r} is not a known setting")
    return _BY_NAME[name]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"Configuration file {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Configuration file {str(path)!r} is not valid TOML: {exc}"
        ) from None
    values = {}
    for name, value in _flatten(table).items():
        values[name] = _coerce(_known(name, str(path)), value, f"{path}: {name}")
    return values
