"""The Jinja2 environment of the dashboard and its number formats.

Autoescaping is on for every template: queries, error messages, paths and
titles are text people typed, and must never become markup.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

PACKAGE_DIR = Path(__file__).parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
STATIC_PREFIX = "/dashboard/static"
MISSING = "–"


def format_number(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, int) and digits == 0:
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def format_percent(value: Any) -> str:
    """A rate from 0 to 1 as a percentage; no denominator shows a dash."""
    if value is None:
        return MISSING
    return f"{float(value) * 100:.1f} %"


def format_ms(value: Any) -> str:
    return MISSING if value is None else f"{format_number(value, 1)} ms"


def format_seconds(value: Any) -> str:
    """Seconds as the largest sensible unit: 45 s, 3 min 20 s, 1 h 05 min."""
    if value is None:
        return MISSING
    seconds = float(value)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_bytes(value: Any) -> str:
    if value is None:
        return MISSING
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GiB"


FORMATS = {
    "number": format_number,
    "percent": format_percent,
    "ms": format_ms,
    "seconds": format_seconds,
    "bytes": format_bytes,
}


def format_value(value: Any, kind: str = "number") -> str:
    return FORMATS[kind](value)


def data_value(value: Any) -> str:
    """The exact value for a `data-value` attribute, as JSON (null for None)."""
    return json.dumps(value, default=str)


def json_script(value: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(value, default=str)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(escaped.replace("&", "\\u0026"))


def static_url(name: str) -> str:
    return f"{STATIC_PREFIX}/{name}"


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        number=format_number, percent=format_percent, ms=format_ms,
        seconds=format_seconds, bytes=format_bytes, value=data_value,
        fmt=format_value, json_script=json_script,
    )
    environment.globals["static"] = static_url
    return environment


ENVIRONMENT = build_environment()
