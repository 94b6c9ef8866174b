"""The event contract: the JSON Schema, its extensions, and compiled validators.

`telemetry_schema.json` describes the envelope and every event of the
catalogue. A deployment adds events of its own with extension files; the
merged document is what `GET /api/schema` serves and what validation uses.
Validators are compiled once per event name and reused.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from lms_telemetry.schema.messages import describe_error

SCHEMA_VERSION = "1-0-0"
CATEGORIES = (
    "user_action",
    "navigation",
    "search",
    "performance",
    "feature",
    "error",
    "experiment",
)
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

__all__ = ["CATEGORIES", "SCHEMA_VERSION", "EventSchema", "SchemaError"]


class SchemaError(Exception):
    """The schema or an extension file is not usable."""


def _base_document() -> dict[str, Any]:
    text = (resources.files(__package__) / "telemetry_schema.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


class EventSchema:
    """The merged schema with one compiled validator per event name."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.version: str = document["x-schema-version"]
        self._events: dict[str, dict[str, Any]] = document["x-events"]
        self._validators: dict[str, Any] = {}
        self._free_text: dict[str, list[tuple[str, ...]]] = {}
        for name in self._events:
            self._validators[name] = self._compile(name)

    @classmethod
    def load(cls, extension_paths: Iterable[str | Path] = ()) -> EventSchema:
        document = _base_document()
        for path in extension_paths:
            _merge_extension(document, Path(path))
        return cls(document)

    def _compile(self, name: str) -> Any:
        schema = {
            "$schema": self.document["$schema"],
            "$defs": self.document["$defs"],
            "allOf": [
                {"$ref": "#/$defs/envelope"},
                {"properties": {"payload": {"$ref": f"#/$defs/payloads/{name}"}}},
            ],
        }
        return jsonschema_rs.validator_for(schema, validate_formats=True)

    def event_names(self) -> list[str]:
        return list(self._events)

    def is_known(self, name: object) -> bool:
        return isinstance(name, str) and name in self._events

    def category_of(self, name: str) -> str:
        return str(self._events[name]["category"])

    def errors(self, envelope: Mapping[str, Any]) -> list[str]:
        """Every violation of the contract, as 'field: rule' sentences."""
        name = envelope.get("event")
        if not self.is_known(name):
            return [_unknown_event_message(name)]
        validator = self._validators[name]  # type: ignore[index]
        if validator.is_valid(envelope):
            return []
        return sorted(
            {describe_error(error) for error in validator.iter_errors(envelope)}
        )

    def free_text_paths(self, name: str) -> list[tuple[str, ...]]:
        """Paths of the fields marked as free text in this event's envelope.

        Array items and map values appear as '*' in a path.
        """
        if name not in self._free_text:
            envelope = self.document["$defs"]["envelope"]
            paths = list(self._walk(envelope, ()))
            payload = self.document["$defs"]["payloads"][name]
            paths += [("payload", *path) for path in self._walk(payload, ())]
            self._free_text[name] = paths
        return self._free_text[name]

    def _walk(self, node: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            target = self._resolve(node["$ref"])
            if not node.get("x-lms-free-text"):
                yield from self._walk(target, path)
                return
        if node.get("x-lms-free-text"):
            yield path
            return
        for key, child in node.get("properties", {}).items():
            if key != "payload" or path:
                yield from self._walk(child, (*path, key))
        for keyword in ("additionalProperties", "items"):
            if isinstance(node.get(keyword), dict):
                yield from self._walk(node[keyword], (*path, "*"))
        for keyword in ("anyOf", "oneOf", "allOf"):
            for child in node.get(keyword, []):
                yield from self._walk(child, path)

    def _resolve(self, reference: str) -> Any:
        node: Any = self.document
        for part in reference.removeprefix("#/").split("/"):
            node = node[part]
        return node


def _unknown_event_message(name: object) -> str:
    if not isinstance(name, str):
        return "event: is required and must be a string naming a catalogue event"
    return f"event: {name[:64]!r} is not a known event (add it with a schema extension)"


def _merge_extension(document: dict[str, Any], path: Path) -> None:
    """Add the events of one extension file to the document, checking them."""
    try:
        extension = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SchemaError(
            f"Schema extension {str(path)!r} cannot be read: {exc}"
        ) from None
    events = extension.get("events") if isinstance(extension, dict) else None
    if not isinstance(events, dict) or not events:
        raise SchemaError(
            f"Schema extension {str(path)!r} must have an 'events' object"
        )
    for name, spec in events.items():
        _check_extension_event(document, path, name, spec)
        document["x-events"][name] = {
            "category": spec["category"],
            "description": spec.get("description", ""),
            "extension": path.name,
        }
        document["$defs"]["payloads"][name] = copy.deepcopy(spec["payload"])
        document["allOf"][0]["properties"]["event"]["enum"].append(name)
        document["allOf"].append(
            {
                "if": {"properties": {"event": {"const": name}}, "required": ["event"]},
                "then": {
                    "properties": {"payload": {"$ref": f"#/$defs/payloads/{name}"}}
                },
            }
        )


def _check_extension_event(
    document: Mapping[str, Any], path: Path, name: str, spec: Any
) -> None:
    where = f"Schema extension {str(path)!r}, event {name!r}"
    if not _EVENT_NAME.match(name):
        raise SchemaError(f"{where}: the name must match {_EVENT_NAME.pattern}")
    if name in document["x-events"]:
        raise SchemaError(f"{where}: the name is already defined")
    if not isinstance(spec, dict) or spec.get("category") not in CATEGORIES:
        raise SchemaError(f"{where}: 'category' must be one of {', '.join(CATEGORIES)}")
    payload = spec.get("payload")
    if not isinstance(payload, dict) or payload.get("type") != "object":
        raise SchemaError(f"{where}: 'payload' must be a schema of type object")
    if payload.get("additionalProperties") is not False:
        raise SchemaError(f"{where}: 'payload' must set additionalProperties to false")
    try:
        jsonschema_rs.validator_for(payload)
    except Exception as exc:  # the library raises several types for bad schemas
        raise SchemaError(f"{where}: 'payload' is not a valid schema: {exc}") from None
