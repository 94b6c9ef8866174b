"""The durable spool: append-only segment files of checksummed frames.

Each ingest process appends to a segment of its own and holds an exclusive
`flock` on it while it lives. A frame is written with one `write` and made
durable with `fsync` before any event in it is acknowledged; many requests
share one fsync (group commit). The loader reads frames up to the first
incomplete or corrupt one: in a live segment that is a frame still being
written, in a sealed segment it is a torn tail that nobody was told about.

Frame: b"LT" | length (4 bytes, big-endian) | CRC-32 of the body | body, where
the body is JSON: {"events": [row, ...], "quarantine": [row, ...]}.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

logger = logging.getLogger(__name__)

MAGIC = b"LT"
_HEADER = struct.Struct(">2sII")
OPEN_SUFFIX = ".open"
SEALED_SUFFIX = ".seg"


def encode_frame(
    events: list[dict[str, Any]], quarantine: list[dict[str, Any]]
) -> bytes:
    body = orjson.dumps({"events": events, "quarantine": quarantine})
    return _HEADER.pack(MAGIC, len(body), zlib.crc32(body)) + body


@dataclass(frozen=True)
class Frame:
    offset_end: int
    events: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]


def read_frames(path: Path, start: int, max_bytes: int = 64 << 20) -> Iterator[Frame]:
    """Complete, valid frames of a segment from byte offset START on."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        handle.seek(start)
        data = handle.read(max(0, min(max_bytes, size - start)))
    position = 0
    while position + _HEADER.size <= len(data):
        magic, length, checksum = _HEADER.unpack_from(data, position)
        body_start = position + _HEADER.size
        body = data[body_start : body_start + length]
        if magic != MAGIC or len(body) < length or zlib.crc32(body) != checksum:
            return
        position = body_start + length
        document = orjson.loads(body)
        yield Frame(start + position, document["events"], document["quarantine"])


def segment_name(path: Path) -> str:
    """The segment's identity, the same before and after sealing."""
    return path.name.rsplit(".", 1)[0]


def list_segments(directory: Path) -> list[Path]:
    """Open and sealed segments, oldest first."""
    found = [
        entry
        for entry in directory.glob("*")
        if entry.suffix in (OPEN_SUFFIX, SEALED_SUFFIX)
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def seal_abandoned(directory: Path) -> list[Path]:
    """Seal open segments whose writer is gone (its flock was released)."""
    sealed = []
    for path in directory.glob("*" + OPEN_SUFFIX):
        try:
            with path.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                target = path.with_suffix(SEALED_SUFFIX)
                path.rename(target)
                sealed.append(target)
        except BlockingIOError:
            continue  # a live writer holds it
        except FileNotFoundError:
            continue  # sealed meanwhile by its writer
    if sealed:
        _fsync_directory(directory)
    return sealed


LOADED_OFFSETS_FILE = "loaded-offsets.json"


def publish_loaded_offsets(directory: Path, offsets: dict[str, int]) -> None:
    """Tell ingest processes how far the loader got (for backlog checks)."""
    temporary = directory / (LOADED_OFFSETS_FILE + ".tmp")
    temporary.write_bytes(orjson.dumps(offsets))
    temporary.replace(directory / LOADED_OFFSETS_FILE)


def backlog_bytes(directory: Path) -> int:
    """Spooled bytes the loader has not stored yet."""
    try:
        loaded = orjson.loads((directory / LOADED_OFFSETS_FILE).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        loaded = {}
    total = 0
    for path in directory.glob("*"):
        if path.suffix in (OPEN_SUFFIX, SEALED_SUFFIX):
            try:
                total += path.stat().st_size - loaded.get(segment_name(path), 0)
            except FileNotFoundError:
                pass
    return max(total, 0)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class SegmentWriter:
    """Synchronous appends to this process's current segment."""

    def __init__(self, directory: Path, tag: str, segment_max_bytes: int) -> None:
        self.directory = directory
        self.tag = tag
        self.segment_max_bytes = segment_max_bytes
        self._sequence = 0
        self._descriptor = -1
        self._path: Path | None = None
        self._size = 0
        directory.mkdir(parents=True, exist_ok=True)

    def _open_next(self) -> None:
        self._sequence += 1
        self._path = self.directory / f"{self.tag}-{self._sequence:06d}{OPEN_SUFFIX}"
        self._descriptor = os.open(
            self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
        )
        fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._size = 0
        _fsync_directory(self.directory)

    def append_durably(self, frame: bytes) -> None:
        """Write one frame and fsync it; rotate the segment when it is full."""
        if self._descriptor < 0:
            self._open_next()
        view = memoryview(frame)
        while view:
            written = os.write(self._descriptor, view)
            view = view[written:]
        os.fsync(self._descriptor)
        self._size += len(frame)
        if self._size >= self.segment_max_bytes:
            self.seal()

    def seal(self) -> None:
        """Close the current segment and mark it sealed for the loader."""
        if self._descriptor < 0 or self._path is None:
            return
        self._path.rename(self._path.with_suffix(SEALED_SUFFIX))
        _fsync_directory(self.directory)
        os.close(self._descriptor)
        self._descriptor = -1
        self._path = None


class GroupCommitSpool:
    """Async appends that share fsyncs: each caller waits for its frame's.

    While one write and fsync runs in a thread, new frames gather; the next
    round writes them all with one fsync, then hands the round's event ids to
    `after_durable` (the door's duplicate index) in one call. `pending_events`
    lets the API refuse work (503) before memory grows without bound.
    """

    def __init__(
        self,
        writer: SegmentWriter,
        after_durable: Callable[[list[str]], None] = lambda ids: None,
    ) -> None:
        self.writer = writer
        self.after_durable = after_durable
        self.pending_events = 0
        self._waiting: list[tuple[bytes, list[str], asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def append(self, frame: bytes, event_ids: list[str]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((frame, event_ids, future))
        self.pending_events += len(event_ids)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_rounds())
        await future

    def _write_round(self, data: bytes, event_ids: list[str]) -> None:
        self.writer.append_durably(data)
        if event_ids:
            self.after_durable(event_ids)

    async def _flush_rounds(self) -> None:
        while self._waiting:
            round_, self._waiting = self._waiting, []
            data = b"".join(frame for frame, _, _ in round_)
            event_ids = [event_id for _, ids, _ in round_ for event_id in ids]
            try:
                await asyncio.to_thread(self._write_round, data, event_ids)
                error: BaseException | None = None
            except Exception as exc:  # every waiter must learn of the failure
                logger.error("spool write failed: %s", exc)
                error = exc
            self.pending_events -= len(event_ids)
            for _, _, future in round_:
                if not future.done():
                    if error is None:
                        future.set_result(None)
                    else:
                        future.set_exception(error)

    def close(self) -> None:
        self.writer.seal()


def erase_pseudonyms(
    directory: Path, pseudonyms: set[str], store: Any | None = None
) -> int:
    """Remove rows carrying any of PSEUDONYMS from the spool's segments.

    Returns the number of rows removed. Erasure needs the database to itself,
    so the service is stopped and no writer holds a segment; should one
    still be held, it is skipped, since rewriting a file another process
    appends to would lose its appends. With STORE, the loader's progress is
    moved to the rewritten offsets.
    """
    progress = store.spool_progress() if store is not None else {}
    removed = 0
    for path in list_segments(directory):
        try:
            with path.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                count, offsets = _rewrite_without(path, pseudonyms)
        except (BlockingIOError, FileNotFoundError):
            continue
        removed += count
        name = segment_name(path)
        if count and store is not None and name in progress:
            loaded, _ = progress[name]
            store.execute(
                "UPDATE spool_progress SET offset_bytes = ? WHERE segment = ?",
                [offsets.get(loaded, 0), name],
            )
    return removed


_ID_COLUMNS = ("pseudonymous_id", "device_pseudonym", "account_pseudonym", "session_id")


def _carries(row: dict[str, Any], pseudonyms: set[str]) -> bool:
    if any(row.get(column) in pseudonyms for column in _ID_COLUMNS):
        return True
    body = row.get("body")
    return isinstance(body, str) and any(p in body for p in pseudonyms)


def _rewrite_without(path: Path, pseudonyms: set[str]) -> tuple[int, dict[int, int]]:
    """Rewrite PATH without matching rows; map old frame ends to new ones."""
    removed = 0
    output = bytearray()
    offsets = {0: 0}
    for frame in read_frames(path, 0, max_bytes=path.stat().st_size):
        events = [r for r in frame.events if not _carries(r, pseudonyms)]
        quarantine = [r for r in frame.quarantine if not _carries(r, pseudonyms)]
        removed += len(frame.events) + len(frame.quarantine)
        removed -= len(events) + len(quarantine)
        output += encode_frame(events, quarantine)
        offsets[frame.offset_end] = len(output)
    if removed:
        temporary = path.with_name(path.name + ".rewrite")
        temporary.write_bytes(bytes(output))
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        temporary.replace(path)
        _fsync_directory(path.parent)
    return removed, offsets
