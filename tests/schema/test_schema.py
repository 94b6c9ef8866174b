"""The event contract: validation messages, free-text marks and extensions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lms_telemetry.schema import EventSchema, SchemaError

SCHEMA = EventSchema.load()


def test_every_catalogue_event_has_a_category_and_a_closed_payload() -> None:
    payloads = SCHEMA.document["$defs"]["payloads"]

    for name in SCHEMA.event_names():
        assert SCHEMA.category_of(name) in {
            "user_action", "navigation", "search", "performance", "feature", "error", "experiment"
        }
        assert payloads[name]["additionalProperties"] is False


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"feature": "jane.doe@example.com"}, "payload.feature: must match the pattern ^[A-Za-z0-9][A-Za-z0-9 _.:/-]*$"),
        ({"feature": "bulk_checkout", "count": 0}, "payload.count: must be >= 1"),
    ],
)
def test_identifier_fields_refuse_what_looks_like_personal_data(payload: dict[str, object], error: str) -> None:
    assert SCHEMA.errors({"event": "feature_used", "payload": payload}) == [error]


def test_an_item_id_is_never_an_email_address() -> None:
    errors = SCHEMA.errors({"event": "item_renewed", "payload": {"item_id": "jane@example.com"}})

    assert errors == ["payload.item_id: must match the pattern ^[^\\s@]+$"]


def test_free_text_fields_are_the_marked_ones() -> None:
    assert SCHEMA.free_text_paths("search_submitted") == [
        ("page", "path"), ("page", "referrer_path"), ("page", "title"),
        ("payload", "query"), ("payload", "filters", "*"), ("payload", "filters", "*", "*"),
    ]
    assert ("payload", "stack") in SCHEMA.free_text_paths("backend_exception")


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_extension_adds_an_event(tmp_path: Path) -> None:
    extension = write(tmp_path / "ext.json", {"events": {"ebook_opened": {
        "category": "user_action",
        "payload": {"type": "object", "additionalProperties": False,
                    "properties": {"item_id": {"type": "string"}}},
    }}})

    schema = EventSchema.load([extension])

    assert schema.errors({"event": "ebook_opened", "payload": {"item_id": "e1"}}) == []
    assert schema.errors({"event": "ebook_opened", "payload": {"x": 1}}) == [
        "payload.x: is not a field of this event"
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"category": "gossip", "payload": {"type": "object", "additionalProperties": False}}, "'category' must be one of"),
        ({"category": "feature", "payload": {"type": "object"}}, "must set additionalProperties to false"),
    ],
)
def test_bad_extension_is_refused_with_its_reason(tmp_path: Path, spec: dict[str, object], message: str) -> None:
    extension = write(tmp_path / "ext.json", {"events": {"my_event": spec}})

    with pytest.raises(SchemaError, match=message):
        EventSchema.load([extension])


def test_extension_cannot_redefine_a_catalogue_event(tmp_path: Path) -> None:
    extension = write(tmp_path / "ext.json", {"events": {"search_submitted": {
        "category": "search", "payload": {"type": "object", "additionalProperties": False},
    }}})

    with pytest.raises(SchemaError, match="already defined"):
        EventSchema.load([extension])
