"""`lms-telemetry ingest FILE`: NDJSON envelopes through the same door.

Each line is judged exactly as an HTTP request's event would be: the same
validation, privacy gate and enrichment; the refused lines go to quarantine
with their reasons. Rows go straight into the store in chunks, since the
process that runs this command holds the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from lms_telemetry.ingest.decoding import BodyError, DecodedBody, parse_json
from lms_telemetry.ingest.pipeline import Ingestor
from lms_telemetry.privacy.gate import RequestFacts
from lms_telemetry.storage.base import Store

CHUNK_LINES = 5000


@dataclass
class IngestSummary:
    lines: int = 0
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    refusals: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "refused": self.refused,
            "first_refusals": self.refusals[:20],
        }


def _chunks(handle: IO[bytes]) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    for number, line in enumerate(handle, start=1):
        if line.strip():
            chunk.append((number, line))
        if len(chunk) >= CHUNK_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest_file(
    path: Path,
    store: Store,
    ingestor: Ingestor,
    on_progress: Callable[[int], None] = lambda size: None,
) -> IngestSummary:
    """Ingest every line of PATH into STORE; ON_PROGRESS gets bytes read."""
    summary = IngestSummary()
    with path.open("rb") as handle:
        for chunk in _chunks(handle):
            _ingest_chunk(chunk, store, ingestor, summary)
            on_progress(sum(len(line) for _, line in chunk))
    return summary


def _ingest_chunk(
    chunk: list[tuple[int, bytes]],
    store: Store,
    ingestor: Ingestor,
    summary: IngestSummary,
) -> None:
    facts = RequestFacts(None, None, datetime.now(UTC))
    events: list[Any] = []
    numbers: list[int] = []
    quarantine: list[dict[str, Any]] = []
    for number, line in chunk:
        summary.lines += 1
        try:
            events.append(parse_json(line))
            numbers.append(number)
        except BodyError as error:
            quarantine.append(
                ingestor.quarantine_row(error.code, [error.message], line, facts)
            )
            _refuse(summary, number, [error.message])
    judgement = ingestor.judge(DecodedBody(events, None, True), facts)
    for rejected in judgement.rejected:
        _refuse(summary, numbers[rejected["index"]], rejected["errors"])
    stored = store.load_spool_records(
        judgement.rows, quarantine + judgement.quarantine, {}
    )
    summary.accepted += stored
    summary.duplicates += len(judgement.rows) - stored
    summary.refusals.sort(key=lambda refusal: refusal["line"])


def _refuse(summary: IngestSummary, line: int, errors: list[str]) -> None:
    summary.refused += 1
    summary.refusals.append({"line": line, "errors": errors})
