"""Logging setup: JSON lines when not on a terminal, plain text when on one."""

from __future__ import annotations

import json
import logging
import sys
import time

# Attributes every LogRecord has; anything else came through `extra`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with `extra` fields as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _RepeatFilter(logging.Filter):
    """Lets the same message through at most once a minute per logger."""

    def __init__(self, interval_seconds: float = 60.0) -> None:
        super().__init__()
        self.interval_seconds = interval_seconds
        self._last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, str(record.msg))
        now = time.monotonic()
        if now - self._last.get(key, -1e9) < self.interval_seconds:
            return False
        self._last[key] = now
        return True


def configure_logging(level: str = "info", stream=None) -> None:  # type: ignore[no-untyped-def]
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    if stream.isatty():
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
    else:
        handler.setFormatter(JsonFormatter())
    handler.addFilter(_RepeatFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request at info; the worker's forwards are routine.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
