"""Experiment definitions parsed from configuration tables."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from typing import Any

import pytest

from lms_telemetry.experiments.assignment import assign_variant
from lms_telemetry.experiments.definitions import (
    load_experiment_definitions,
    public_experiment_definitions,
)
from lms_telemetry.experiments.metrics import Condition, DefinitionError

CONFIG = """
[[experiments]]
key = "one-click-renewal"
name = "One-click renewal button"
start = 2024-05-01T00:00:00Z
end = "2024-06-01T02:00:00+02:00"
variants = [{key = "control", weight = 3}, {key = "one-click", weight = 1}]
coverage = 0.5
personas = ["patron"]
interfaces = ["opac", "kiosk"]
primary_metric = "renewal_conversion"
secondary_metrics = ["renewal_speed", "click_through"]

[experiments.metrics.renewal_speed]
kind = "mean"
event = "item_renewed"
value = "duration_ms"
higher_is_better = false

[experiments.metrics.click_through]
kind = "ratio"
numerator = {event = "result_clicked"}
denominator = {event = "search_submitted", where = {results_count = {">" = 0}}}

[[experiments]]
key = "suggestion-panel"
variants = ["control", "panel", "panel-and-covers"]
primary_metric = "searches"
guardrails = []
"""


def _tables() -> list[dict[str, Any]]:
    tables: list[dict[str, Any]] = tomllib.loads(CONFIG)["experiments"]
    return tables


def test_full_definition_parses_with_defaults() -> None:
    renewal, panel = load_experiment_definitions(_tables())

    assert renewal.seed == "one-click-renewal"
    assert renewal.control.key == "control"
    assert renewal.weights == [0.75, 0.25]
    assert renewal.start == datetime(2024, 5, 1, tzinfo=UTC)
    assert renewal.end == datetime(2024, 6, 1, tzinfo=UTC)
    assert renewal.primary_metric.kind == "conversion"
    assert renewal.primary_metric.selector.conditions == (
        Condition("outcome", "=", "success"),
    )
    speed, clicks = renewal.secondary_metrics
    assert (speed.kind, speed.value_column, speed.is_higher_better) == (
        "mean",
        "duration_ms",
        False,
    )
    assert clicks.denominator is not None
    assert clicks.denominator.conditions == (Condition("results_count", ">", 0),)
    assert [g.key for g in renewal.guardrails] == [
        "server_error_rate",
        "search_zero_result_rate",
    ]
    assert panel.weights == pytest.approx([1 / 3] * 3)
    assert panel.guardrails == ()


def test_targeting_and_running_window() -> None:
    renewal = load_experiment_definitions(_tables())[0]
    assert renewal.is_targeted("patron", "kiosk")
    assert not renewal.is_targeted("librarian", "opac")
    assert renewal.is_running(datetime(2024, 5, 20, tzinfo=UTC))
    assert not renewal.is_running(datetime(2024, 6, 1, tzinfo=UTC))


def test_definition_assigns_like_its_weights() -> None:
    renewal = load_experiment_definitions(_tables())[0]
    variants = [assign_variant(renewal, f"u{i}") for i in range(4000)]
    included = [v for v in variants if v is not None]
    assert abs(len(included) / 4000 - 0.5) < 0.03
    assert abs(included.count(0) / len(included) - 0.75) < 0.03


def test_public_definitions_hold_only_assignment_fields() -> None:
    public = public_experiment_definitions(load_experiment_definitions(_tables()))
    assert public[0] == {
        "key": "one-click-renewal",
        "seed": "one-click-renewal",
        "hash_version": 2,
        "variants": [
            {"key": "control", "weight": 0.75},
            {"key": "one-click", "weight": 0.25},
        ],
        "coverage": 0.5,
        "start": "2024-05-01T00:00:00Z",
        "end": "2024-06-01T00:00:00Z",
        "personas": ["patron"],
        "interfaces": ["opac", "kiosk"],
    }
    assert "metrics" not in str(public)


def _broken(path: str, value: Any) -> list[dict[str, Any]]:
    tables = _tables()
    target: Any = tables[0]
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return tables


def test_errors_do_not_show_python_values() -> None:
    with pytest.raises(DefinitionError) as missing_key:
        load_experiment_definitions(_broken("key", KeyError))
    with pytest.raises(DefinitionError) as one_variant:
        load_experiment_definitions(_broken("variants", [{"key": "control"}]))

    assert str(missing_key.value) == "experiments[0].key: is required"
    assert str(one_variant.value) == (
        "experiments[0].variants: must list at least two variants"
    )


@pytest.mark.parametrize(
    "path,value,message",
    [
        ("colour", "red", r"^experiments\[0\].colour: is not a known field$"),
        (
            "metrics.renewal_speed.numerator",
            {"event": "item_renewed"},
            "renewal_speed.numerator: is not a known field",
        ),
        (
            "metrics.click_through.event",
            "item_renewed",
            "click_through.event: is not a known field",
        ),
        (
            "metrics.click_through.numerator.filter",
            {"status": 200},
            "click_through.numerator.filter: is not a known field",
        ),
        ("variants.0.share", 1, r"variants\[0\].share: is not a known field"),
        ("key", "One Click", "experiments[0].key: 'One Click' must match a key"),
        ("variants", ["control"], "experiments[0].variants: .* at least two"),
        ("variants.1.weight", -1, r"variants\[1\].weight: -1 is not a non-negative"),
        ("variants.1.key", "control", r"variants\[1\].key: 'control' is used twice"),
        ("coverage", 1.5, "experiments[0].coverage: 1.5 must be a number from 0 to 1"),
        ("personas", ["reader"], "personas: 'reader' must be one of patron"),
        ("interfaces", ["web"], "interfaces: 'web' must be one of opac"),
        ("primary_metric", KeyError, "primary_metric: is required"),
        ("primary_metric", "clicks", r"primary_metric\[0\]: 'clicks' is not a metric"),
        ("end", "2024-04-01T00:00:00Z", "end: 2024-04-01T00:00:00.00:00 is not after"),
        ("start", "May first", "start: 'May first' is not an RFC 3339"),
        (
            "metrics.renewal_speed.kind",
            "median",
            "renewal_speed.kind: 'median' must be",
        ),
        (
            "metrics.renewal_speed.value",
            "query",
            "renewal_speed.value: 'query' must be",
        ),
        (
            "metrics.renewal_speed.event",
            "item_renewd",
            "'item_renewd' is not a known event",
        ),
        (
            "metrics.click_through.numerator",
            {"event": "result_clicked", "where": {"payload": "x"}},
            "column 'payload' cannot be filtered",
        ),
        (
            "metrics.click_through.denominator",
            {"event": "search_submitted", "where": {"results_count": {"~": 1}}},
            "must be one operator of",
        ),
    ],
)
def test_errors_name_the_field_and_rule(path: str, value: Any, message: str) -> None:
    with pytest.raises(DefinitionError, match=message.replace("[0]", r"\[0\]")):
        load_experiment_definitions(_broken(path, value))


def test_duplicate_experiment_keys_refused() -> None:
    tables = _tables()
    tables[1]["key"] = "one-click-renewal"
    with pytest.raises(DefinitionError, match=r"experiments\[1\].key: .* used twice"):
        load_experiment_definitions(tables)


def test_deployment_events_can_be_known() -> None:
    tables = _tables()
    tables[1]["metrics"] = {"reads": {"kind": "count", "event": "ebook_opened"}}
    tables[1]["primary_metric"] = "reads"
    with pytest.raises(DefinitionError, match="'ebook_opened' is not a known event"):
        load_experiment_definitions(tables)
    known = {
        "ebook_opened",
        "search_submitted",
        "item_renewed",
        "result_clicked",
        "api_request",
    }
    parsed = load_experiment_definitions(tables, known_events=known)
    assert parsed[1].primary_metric.selector.event == "ebook_opened"
