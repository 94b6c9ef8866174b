"""The OpenAPI 3.1 document of the public API, built from the event schema."""

from __future__ import annotations

import json
from typing import Any

from lms_telemetry.schema import EventSchema

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}


def _event_components(schema: EventSchema) -> dict[str, Any]:
    """One flat envelope schema per event, as generators and readers prefer.

    The schema file picks a payload with if/then; here every event gets its
    own envelope whose `event` is a constant, and `Event` is any of them.
    """
    # References inside the event schema point at its own $defs; here those
    # definitions are components.
    text = json.dumps(schema.document["$defs"]).replace(
        '"#/$defs/', '"#/components/schemas/'
    )
    definitions: dict[str, Any] = json.loads(text)
    envelope = definitions.pop("envelope")
    components = dict(definitions)
    names = schema.event_names()
    for name in names:
        properties = dict(envelope["properties"])
        properties["event"] = {"const": name}
        properties["payload"] = {"$ref": f"#/components/schemas/payloads/{name}"}
        components[f"event_{name}"] = {
            **envelope,
            "required": ["event", "payload"],
            "properties": properties,
        }
    components["Event"] = {
        "anyOf": [{"$ref": f"#/components/schemas/event_{n}"} for n in names]
    }
    return components


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": _json({"$ref": "#/components/schemas/Error"}),
    }


def openapi_document(schema: EventSchema) -> dict[str, Any]:
    body = {
        "oneOf": [
            {"$ref": "#/components/schemas/Event"},
            {
                "type": "object",
                "required": ["batch"],
                "properties": {
                    "sent_at": {"type": "string", "format": "date-time"},
                    "batch": {
                        "type": "array",
                        "maxItems": 500,
                        "items": {"$ref": "#/components/schemas/Event"},
                    },
                },
            },
        ]
    }
    reply = {
        "type": "object",
        "required": ["accepted", "duplicates", "rejected"],
        "properties": {
            "accepted": {"type": "integer"},
            "duplicates": {"type": "integer"},
            "rejected": {"type": "array", "items": {"type": "object"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "lms-telemetry", "version": schema.version},
        "paths": {
            "/api/telemetry": {
                "post": {
                    "summary": "Send one event or a batch",
                    "parameters": [
                        {
                            "name": "key",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {**_json(body), "text/plain": {"schema": body}},
                    },
                    "responses": {
                        "202": {
                            "description": "Each event judged on its own",
                            "content": _json(reply),
                        },
                        "400": _error("Body is not JSON or not an event"),
                        "401": _error("Write key missing or wrong"),
                        "413": _error("A limit was crossed"),
                        "415": _error("Unsupported Content-Type or Content-Encoding"),
                        "503": _error("Overloaded; retry after Retry-After seconds"),
                    },
                }
            },
            "/api/schema": {
                "get": {
                    "summary": "The event schema",
                    "responses": {"200": {"description": "JSON Schema 2020-12"}},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "responses": {"200": {"description": "Healthy"}},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics",
                    "responses": {"200": {"description": "Exposition text"}},
                }
            },
        },
        "components": {"schemas": {**_event_components(schema), "Error": _ERROR}},
    }
