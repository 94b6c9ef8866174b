"""The privacy audit: look through everything stored for what must not be there.

It scans the events table, the quarantine and the spool for personal data
(the scrubber's kinds), raw user agents, and identifiers that are not
pseudonyms made here, and checks that the key file is private. A finding
names where (table, column), what kind and how many; never the value.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms_telemetry.ingest.spool import list_segments, read_frames
from lms_telemetry.privacy.pseudonyms import is_pseudonym
from lms_telemetry.privacy.scrub import Scrubber
from lms_telemetry.storage import Store

# Columns written from free text, scanned for personal data.
TEXT_COLUMNS = (
    "page_path",
    "referrer_path",
    "page_title",
    "query",
    "query_normalized",
    "item_id",
    "reason",
    "endpoint",
    "message",
    "feature",
    "error_type",
)
JSON_COLUMNS = ("payload", "experiments")
IDENTIFIER_COLUMNS = (
    "pseudonymous_id",
    "device_pseudonym",
    "account_pseudonym",
    "session_id",
)
QUARANTINE_TEXT_COLUMNS = ("body", "errors")
_RAW_USER_AGENT = re.compile(
    r"(?:Mozilla|Opera)/\d|AppleWebKit/\d|Gecko/\d{8}|\b(?:curl|Wget|python-requests"
    r"|python-httpx|okhttp|Go-http-client)/\d"
)
_USER_AGENT_KEYS = frozenset(("user_agent", "useragent", "userAgent"))
_BATCH_ROWS = 5000


@dataclass(frozen=True)
class Finding:
    table: str
    column: str
    kind: str
    count: int


class Auditor:
    """Counts what should not be stored, by table, column and kind."""

    def __init__(self, scrubber: Scrubber | None = None) -> None:
        self.scrubber = scrubber or Scrubber()
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def findings(self) -> list[Finding]:
        return [
            Finding(table, column, kind, count)
            for (table, column, kind), count in sorted(self.counts.items())
        ]

    def scan_text(self, table: str, column: str, text: str) -> None:
        for kind, count in self.scrubber.find_kinds(text).items():
            self.counts[(table, column, kind)] += count
        if _RAW_USER_AGENT.search(text):
            self.counts[(table, column, "user_agent")] += 1

    def scan_value(self, table: str, column: str, value: Any) -> None:
        """Scan every string (and map key) inside a decoded JSON value."""
        for key, text in _strings_in(value):
            if key in _USER_AGENT_KEYS and text not in ("", "[removed]"):
                self.counts[(table, column, "user_agent")] += 1
            self.scan_text(table, column, text)

    def scan_event_row(self, table: str, row: Mapping[str, Any]) -> None:
        for column in TEXT_COLUMNS:
            if isinstance(row.get(column), str):
                self.scan_text(table, column, row[column])
        for column in JSON_COLUMNS:
            if row.get(column) is not None:
                self.scan_value(table, column, _decoded(row[column]))
        for column in IDENTIFIER_COLUMNS:
            value = row.get(column)
            if value is not None and not is_pseudonym(str(value)):
                self.counts[(table, column, "identifier")] += 1

    def scan_quarantine_row(self, table: str, row: Mapping[str, Any]) -> None:
        for column in QUARANTINE_TEXT_COLUMNS:
            value = row.get(column)
            if value is not None:
                self.scan_value(table, column, _decoded(value))

    def scan_store(self, store: Store) -> None:
        columns = TEXT_COLUMNS + JSON_COLUMNS + IDENTIFIER_COLUMNS
        for row in _rows(store, "events", columns):
            self.scan_event_row("events", row)
        for row in _rows(store, "quarantine", QUARANTINE_TEXT_COLUMNS):
            self.scan_quarantine_row("quarantine", row)

    def scan_spool(self, spool_dir: Path) -> None:
        if not spool_dir.is_dir():
            return
        for segment in list_segments(spool_dir):
            size = segment.stat().st_size
            for frame in read_frames(segment, 0, max_bytes=max(size, 1)):
                for row in frame.events:
                    self.scan_event_row("spool.events", row)
                for row in frame.quarantine:
                    self.scan_quarantine_row("spool.quarantine", row)

    def check_key_file(self, key_file: Path) -> None:
        """A key file others can read is a finding (kind `key_file_mode`)."""
        try:
            mode = stat.S_IMODE(os.stat(key_file).st_mode)
        except FileNotFoundError:
            return
        if mode & 0o077:
            self.counts[("keys", key_file.name, "key_file_mode")] += 1


def run_audit(
    store: Store, spool_dir: Path, key_file: Path | None = None
) -> list[Finding]:
    """Scan the store, the spool and the key file; return the findings."""
    auditor = Auditor()
    auditor.scan_store(store)
    auditor.scan_spool(spool_dir)
    if key_file is not None:
        auditor.check_key_file(key_file)
    return auditor.findings()


def _rows(store: Store, table: str, columns: Iterable[str]) -> Iterator[dict[str, Any]]:
    names = list(columns)
    selected = ", ".join(f"CAST({name} AS VARCHAR) AS {name}" for name in names)
    offset = 0
    while True:
        result = store.query(
            f"SELECT {selected} FROM {table} ORDER BY rowid LIMIT ? OFFSET ?",
            [_BATCH_ROWS, offset],
        )
        yield from result.dicts()
        if len(result.rows) < _BATCH_ROWS:
            return
        offset += _BATCH_ROWS


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            # Not JSON, or nested too deep to walk: scanned as plain text.
            return value
    return value


def _strings_in(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(field name, string) for every string and map key inside VALUE."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield "", str(name)
            yield from _strings_in(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item, key)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**6:
        yield key, str(value)
