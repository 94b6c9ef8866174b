"""Turning a request body into events: size limits, gzip, JSON, clean text.

Limits are enforced before work is spent: the body is measured while it is
inflated, so a gzip bomb stops at the limit instead of filling memory.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

_REPLACEMENT = "\ufffd"


class BodyError(Exception):
    """A body that cannot be taken as a whole; carries the HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.body_prefix = b""


@dataclass(frozen=True)
class Limits:
    max_event_bytes: int = 32 * 1024
    max_body_bytes: int = 1024 * 1024
    max_batch_events: int = 500
    max_depth: int = 10

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(
            max_event_bytes=config["limits.max_event_bytes"],
            max_body_bytes=config["limits.max_body_bytes"],
            max_batch_events=config["limits.max_batch_events"],
            max_depth=config["limits.max_depth"],
        )


def body_too_large(limits: Limits) -> BodyError:
    return BodyError(
        413,
        "body_too_large",
        f"Body exceeds the limit of {limits.max_body_bytes} bytes (max_body_bytes)",
    )


def inflate(raw: bytes, content_encoding: str, limits: Limits) -> bytes:
    """The body after Content-Encoding, never longer than max_body_bytes."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        if len(raw) > limits.max_body_bytes:
            raise body_too_large(limits)
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise BodyError(
            415,
            "unsupported_encoding",
            f"Content-Encoding {content_encoding!r} is not supported; use gzip",
        )
    wbits = zlib.MAX_WBITS | 16 if "gzip" in encoding else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        # One byte past the limit is enough to know the limit was crossed.
        body = inflater.decompress(raw, limits.max_body_bytes + 1)
    except zlib.error:
        raise BodyError(400, "bad_encoding", "Body is not valid gzip data") from None
    if len(body) > limits.max_body_bytes:
        raise body_too_large(limits)
    if not inflater.eof:
        raise BodyError(400, "bad_encoding", "Body is truncated gzip data")
    return body


def parse_json(body: bytes) -> Any:
    """Parse JSON strictly; lone surrogates become U+FFFD and NULs go away."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        document = _parse_leniently(body)
        return _clean(document)
    # JSON can only carry a NUL inside a string as the escape \u0000.
    if b"\\u0000" in body:
        document = _clean(document)
    return document


def _parse_leniently(body: bytes) -> Any:
    # orjson refuses lone surrogates and invalid UTF-8; the standard library
    # takes them, so the text can be repaired instead of the event lost.
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except _NonFiniteNumber as exc:
        raise BodyError(
            400,
            "not_json",
            f"Body is not valid JSON: {exc.constant} is not a JSON number",
        ) from None
    except json.JSONDecodeError as exc:
        raise BodyError(400, "not_json", f"Body is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise BodyError(
            413, "too_deep", "Body nests deeper than the parser allows (max_depth)"
        ) from None
    except ValueError:
        # Python refuses to convert integers of more than 4,300 digits.
        raise BodyError(
            400, "not_json", "Body is not valid JSON: a number has too many digits"
        ) from None


class _NonFiniteNumber(ValueError):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


def _refuse_constant(constant: str) -> Any:
    raise _NonFiniteNumber(constant)


def _clean(node: Any) -> Any:
    if isinstance(node, str):
        return _clean_text(node)
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if isinstance(node, dict):
        return {_clean_text(key): _clean(value) for key, value in node.items()}
    return node


def _clean_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Only lone surrogates fail to encode: json.loads joins valid pairs.
        text = "".join(_REPLACEMENT if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def depth_of(node: Any) -> int:
    """Nesting depth of objects and arrays (a scalar is 0, {} is 1)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        children = (
            current.values()
            if isinstance(current, dict)
            else current
            if isinstance(current, list)
            else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend(
            (child, level + 1) for child in children if isinstance(child, (dict, list))
        )
    return deepest


def _is_rfc3339(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


@dataclass(frozen=True)
class DecodedBody:
    """The events of one body and the batch-level sent_at, if any."""

    events: list[Any]
    sent_at: Any
    is_batch: bool


def split_events(document: Any, limits: Limits) -> DecodedBody:
    """One envelope, or a batch object; checks the batch and depth limits."""
    if depth_of(document) > limits.max_depth:
        raise BodyError(
            413,
            "too_deep",
            f"Body nests deeper than the limit of {limits.max_depth} levels (max_depth)",
        )
    if isinstance(document, dict) and "batch" in document:
        events = document["batch"]
        if not isinstance(events, list):
            raise BodyError(400, "bad_batch", "batch: must be an array of events")
        if not _is_rfc3339(document.get("sent_at")):
            raise BodyError(
                400, "bad_batch", "sent_at: must be a valid date-time (RFC 3339)"
            )
        if len(events) > limits.max_batch_events:
            raise BodyError(
                413,
                "batch_too_large",
                f"Batch has {len(events)} events, over the limit of "
                f"{limits.max_batch_events} (max_batch_events)",
            )
        return DecodedBody(events, document.get("sent_at"), True)
    if isinstance(document, dict):
        return DecodedBody([document], None, False)
    raise BodyError(
        400,
        "bad_body",
        'Body must be a JSON object: one event, or {"sent_at": ..., "batch": [...]}',
    )
