"""Pages about how the service is set up: configuration and the privacy notice.

The configuration page shows every setting with its effective value, except
secrets, which show only whether they are set.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from lms_telemetry.config import SETTINGS, Config
from lms_telemetry.dashboard.filters import ReportFilters
from lms_telemetry.storage.base import Store

logger = logging.getLogger(__name__)

SECRET_SETTINGS = frozenset(
    {"admin_token", "write_keys", "privacy.keys", "dashboard.admin_password",
     "dashboard.secret_key"}
)


def configuration_context(
    store: Store, filters: ReportFilters, config: Config
) -> dict[str, Any]:
    rows = []
    for setting in SETTINGS:
        value = config.get(setting.name)
        if setting.name in SECRET_SETTINGS:
            shown = "set (hidden)" if value else "not set"
        else:
            shown = value if isinstance(value, str) else setting_json(value)
        rows.append({"name": setting.name, "value": shown,
                     "description": setting.description,
                     "is_default": value == setting.default})
    return {"settings": rows, "source": str(config.source or "")}


def setting_json(value: Any) -> str:
    """A setting's value as JSON; TOML dates and times become their text."""
    return json.dumps(value, default=str, ensure_ascii=False)


def privacy_context(
    store: Store, filters: ReportFilters, config: Config
) -> dict[str, Any]:
    """The sections of the privacy notice, built from the schema and settings
    the service runs with; the template escapes every word of them."""
    from lms_telemetry.privacy.notice import build_notice
    from lms_telemetry.schema import EventSchema

    schema = EventSchema.load(config["schema_extensions"])
    return {"sections": build_notice(config, schema), "schema_version": schema.version}
