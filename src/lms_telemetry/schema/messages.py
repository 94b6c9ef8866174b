"""Validation errors as short sentences that name the field and the rule.

The validator's own messages quote the offending value, which may be personal
data; these sentences never do.
"""

from __future__ import annotations

from typing import Any


def field_name(path: list[str | int]) -> str:
    return ".".join(str(part) for part in path) or "(event)"


def describe_error(error: Any) -> str:
    """'payload.results_count: must be >= 0' for one jsonschema-rs error."""
    kind = error.kind
    name = kind.name
    details = kind.as_dict()
    path = list(error.instance_path)
    if name == "required":
        return f"{field_name([*path, details['property']])}: is required"
    if name == "additionalProperties":
        fields = [
            field_name([*path, str(p)[:64]]) for p in details.get("unexpected", [])
        ]
        return "; ".join(f"{field}: is not a field of this event" for field in fields)
    return f"{field_name(path)}: {_rule(name, details)}"


def _rule(name: str, details: dict[str, Any]) -> str:
    simple = {
        "minimum": "must be >= {limit}",
        "maximum": "must be <= {limit}",
        "exclusiveMinimum": "must be > {limit}",
        "exclusiveMaximum": "must be < {limit}",
        "minLength": "must be at least {limit} characters long",
        "maxLength": "must be at most {limit} characters long",
        "minItems": "must have at least {limit} items",
        "maxItems": "must have at most {limit} items",
        "minProperties": "must have at least {limit} fields",
        "maxProperties": "must have at most {limit} fields",
        "pattern": "must match the pattern {pattern}",
        "format": "must be a valid {format}",
        "multipleOf": "must be a multiple of {multiple_of}",
    }
    if name in simple:
        try:
            return simple[name].format(**details)
        except KeyError:
            return f"breaks the rule {name}"
    if name == "type":
        types = details.get("types") or [details.get("type")]
        return "must be of type " + " or ".join(str(t) for t in types)
    if name == "enum":
        options = ", ".join(repr(option) for option in details.get("options", []))
        return f"must be one of {options}"
    if name == "const":
        return f"must be {details.get('expected_value')!r}"
    if name == "propertyNames":
        return "has a field name that breaks the rules for names"
    if name == "anyOf":
        return "must be a string, a number, a boolean or a list of strings"
    return f"breaks the rule {name}"
