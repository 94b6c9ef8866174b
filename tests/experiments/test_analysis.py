"""Experiment analysis over a real DuckDB file, against answers from plain Python.

Events are generated with a fixed seed and loaded through the store's own
loader; the expected figures are recomputed from the same event list with
loops over dicts, independently of the SQL.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scipy import stats as scipy_stats

from lms_telemetry.experiments.analysis import (
    UnknownExperimentError,
    analyze_experiment,
    find_experiment_definition,
)
from lms_telemetry.experiments.assignment import assign_variant
from lms_telemetry.experiments.definitions import (
    ExperimentDefinition,
    load_experiment_definitions,
)
from lms_telemetry.storage.duckdb import DuckDBStore

KEY = "suggestion-panel"
START = datetime(2024, 5, 1, tzinfo=UTC)
END = datetime(2024, 5, 29, tzinfo=UTC)
EXPERIMENT_TABLE: dict[str, Any] = {
    "key": KEY,
    "name": "Search suggestion panel",
    "start": START,
    "end": END,
    "variants": [{"key": "control", "weight": 1}, {"key": "panel", "weight": 1}],
    "primary_metric": "searches",
    "secondary_metrics": ["search_click_through", "borrow_conversion", "latency"],
    "metrics": {
        "latency": {
            "kind": "mean",
            "event": "search_submitted",
            "value": "latency_ms",
            "higher_is_better": False,
        },
    },
}
CATEGORIES = {
    "experiment_exposure": "experiment",
    "search_submitted": "user_action",
    "result_clicked": "search",
    "item_borrowed": "user_action",
    "api_request": "performance",
}
PAYLOAD_COLUMNS = ("results_count", "latency_ms", "outcome", "status", "item_id")


def _event(
    unit: str, name: str, at: datetime, is_bot: bool = False, **fields: Any
) -> dict[str, Any]:
    columns = {key: fields[key] for key in PAYLOAD_COLUMNS if key in fields}
    return {
        "event_id": str(uuid.UUID(int=random.getrandbits(128))),
        "event": name,
        "category": CATEGORIES[name],
        "event_time": at,
        "received_at": at,
        "is_clock_corrected": False,
        "pseudonymous_id": unit,
        "persona": "patron",
        "interface": "opac",
        "is_bot": is_bot,
        "payload": json.dumps({**fields}, default=str),
        **columns,
    }


def _exposure(
    unit: str, variant: str, at: datetime, is_bot: bool = False
) -> dict[str, Any]:
    return _event(
        unit, "experiment_exposure", at, is_bot, experiment=KEY, variant=variant
    )


def _unit_activity(
    unit: str, exposed: datetime, boost: float
) -> Iterator[dict[str, Any]]:
    """Searches, clicks, borrows and API calls around one unit's exposure."""
    for _ in range(random.randint(0, 2)):  # before exposure: must not count
        yield _event(
            unit,
            "search_submitted",
            exposed - timedelta(hours=1),
            query="x",
            results_count=3,
            latency_ms=100.0,
        )
    for _ in range(random.randint(0, 4) + (random.random() < boost)):
        at = exposed + timedelta(minutes=random.randint(1, 5000))
        results = random.choice([0, 2, 10])
        yield _event(
            unit,
            "search_submitted",
            at,
            query="q",
            results_count=results,
            latency_ms=random.uniform(50, 400),
        )
        if random.random() < 0.4 + boost:
            yield _event(
                unit,
                "result_clicked",
                at + timedelta(seconds=5),
                query="q",
                item_id="i1",
                position=1,
            )
    if random.random() < 0.2 + boost:
        yield _event(
            unit,
            "item_borrowed",
            exposed + timedelta(hours=2),
            item_id="i2",
            outcome=random.choice(["success", "refused"]),
        )
    for _ in range(random.randint(0, 3)):
        yield _event(
            unit,
            "api_request",
            exposed + timedelta(minutes=3),
            endpoint="/search",
            method="GET",
            status=random.choice([200, 200, 200, 503]),
            duration_ms=30.0,
        )
    yield _event(
        unit,
        "search_submitted",
        END + timedelta(hours=1),
        query="late",
        results_count=1,
        latency_ms=90.0,
    )  # after the end: ignored
    yield _event(
        unit,
        "search_submitted",
        exposed + timedelta(hours=3),
        True,
        query="bot",
        results_count=1,
        latency_ms=5.0,
    )  # bot: ignored


def _events(
    definition: ExperimentDefinition, units: int, boost: float = 0.0
) -> list[dict[str, Any]]:
    random.seed(2024)
    events: list[dict[str, Any]] = []
    for index in range(units):
        unit = f"pseud-{index}"
        variant = definition.variants[assign_variant(definition, unit) or 0].key
        exposed = START + timedelta(minutes=random.randint(0, 20000))
        events.append(_exposure(unit, variant, exposed))
        events.append(_exposure(unit, variant, exposed + timedelta(days=1)))
        events.extend(
            _unit_activity(unit, exposed, boost if variant != "control" else 0)
        )
    events.append(_exposure("both-variants", "control", START + timedelta(hours=1)))
    events.append(_exposure("both-variants", "panel", START + timedelta(hours=2)))
    events.append(_exposure("crawler", "panel", START + timedelta(hours=1), True))
    events.append(_exposure("old-client", "legacy", START + timedelta(hours=1)))
    events.append(_exposure("too-early", "panel", START - timedelta(days=1)))
    return events


def _store(tmp_path: Path, events: list[dict[str, Any]]) -> DuckDBStore:
    store = DuckDBStore(tmp_path / "telemetry.duckdb")
    store.load_spool_records(events, [], {})
    return store


def _expected_unit_values(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per analysed unit: variant and metric values, by plain loops."""
    exposures: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for event in events:
        if (
            event["event"] == "experiment_exposure"
            and not event["is_bot"]
            and START <= event["event_time"] < END
        ):
            payload = json.loads(event["payload"])
            exposures[event["pseudonymous_id"]].append(
                (event["event_time"], payload["variant"])
            )
    units = {}
    for unit, seen in exposures.items():
        if len({variant for _, variant in seen}) == 1:
            units[unit] = {
                "variant": seen[0][1],
                "first": min(t for t, _ in seen),
                "searches": 0,
                "clicks": 0,
                "zero": 0,
                "borrowed": 0,
                "latencies": [],
                "api": 0,
                "errors": 0,
            }
    for event in events:
        unit = units.get(event["pseudonymous_id"])
        if unit is None or event["is_bot"] or event["event"] == "experiment_exposure":
            continue
        if not unit["first"] <= event["event_time"] < END:
            continue
        if event["event"] == "search_submitted":
            unit["searches"] += 1
            unit["zero"] += event["results_count"] == 0
            unit["latencies"].append(event["latency_ms"])
        elif event["event"] == "result_clicked":
            unit["clicks"] += 1
        elif event["event"] == "item_borrowed" and event["outcome"] == "success":
            unit["borrowed"] = 1
        elif event["event"] == "api_request":
            unit["api"] += 1
            unit["errors"] += event["status"] >= 500
    return units


@pytest.fixture(scope="module")
def definition() -> ExperimentDefinition:
    return load_experiment_definitions([EXPERIMENT_TABLE])[0]


def _metric(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(metric for metric in result["metrics"] if metric["key"] == key)


def test_units_and_exclusions_are_counted(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    events = _events(definition, 400)
    expected = _expected_unit_values(events)
    result = analyze_experiment(_store(tmp_path, events), definition)

    by_variant = {v["key"]: v for v in result["variants"]}
    for variant in ("control", "panel"):
        count = sum(1 for u in expected.values() if u["variant"] == variant)
        assert by_variant[variant]["units"] == count
        assert by_variant[variant]["units_in_multiple_variants"] == 1
    assert result["units"] == {
        "analysed": 400,
        "in_multiple_variants": 1,
        "bots_excluded": 1,
        "unknown_variant": 1,
    }
    counts = [by_variant["control"]["units"], by_variant["panel"]["units"]]
    assert result["srm"]["p_value"] == pytest.approx(
        scipy_stats.chisquare(counts).pvalue, rel=1e-9
    )


def test_metric_values_match_plain_python(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    events = _events(definition, 400)
    units = _expected_unit_values(events)
    result = analyze_experiment(_store(tmp_path, events), definition)

    for variant_index, variant in enumerate(("control", "panel")):
        mine = [u for u in units.values() if u["variant"] == variant]
        with_latency = [u for u in mine if u["latencies"]]
        expected = {
            "searches": sum(u["searches"] for u in mine) / len(mine),
            "search_click_through": sum(u["clicks"] for u in mine)
            / sum(u["searches"] for u in mine),
            "borrow_conversion": sum(u["borrowed"] for u in mine) / len(mine),
            "latency": sum(
                sum(u["latencies"]) / len(u["latencies"]) for u in with_latency
            )
            / len(with_latency),
            "search_zero_result_rate": sum(u["zero"] for u in mine)
            / sum(u["searches"] for u in mine),
            "server_error_rate": sum(u["errors"] for u in mine)
            / sum(u["api"] for u in mine),
        }
        for key, value in expected.items():
            entry = _metric(result, key)["variants"][variant_index]
            assert entry["value"] == pytest.approx(value, rel=1e-9), (key, variant)
        assert _metric(result, "latency")["variants"][variant_index]["units"] == len(
            with_latency
        )


def test_absolute_count_comparison_is_welch_test_on_unit_values(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    events = _events(definition, 400)
    units = _expected_unit_values(events)
    result = analyze_experiment(
        _store(tmp_path, events), definition, difference="absolute"
    )

    control = [u["searches"] for u in units.values() if u["variant"] == "control"]
    panel = [u["searches"] for u in units.values() if u["variant"] == "panel"]
    welch = scipy_stats.ttest_ind(panel, control, equal_var=False)
    lift = _metric(result, "searches")["variants"][1]["lift"]
    assert lift["effect"] == pytest.approx(
        sum(panel) / len(panel) - sum(control) / len(control), rel=1e-9
    )
    assert lift["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)


def test_holm_adjusts_across_all_metrics(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    result = analyze_experiment(_store(tmp_path, _events(definition, 400)), definition)
    lifts = [m["variants"][1]["lift"] for m in result["metrics"]]
    raw = [lift["p_value"] for lift in lifts]
    count = len(raw)
    assert count == 6  # four metrics and two default guardrails
    for lift in lifts:
        # Holm's adjusted value by definition: the largest, over the
        # p-values ranked at or below this one, of (count - rank) * p.
        ranked = sorted(raw)
        rank = ranked.index(lift["p_value"])
        expected = max(min(1.0, (count - i) * ranked[i]) for i in range(rank + 1))
        assert lift["adjusted_p_value"] == pytest.approx(expected, rel=1e-12)


def test_planted_effect_is_found_and_stated(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    events = _events(definition, 3000, boost=0.5)
    result = analyze_experiment(_store(tmp_path, events), definition)

    lift = _metric(result, "searches")["variants"][1]["lift"]
    assert lift["is_significant"] and lift["effect"] > 0
    assert result["verdict"].startswith("'panel' improved Searches per unit by +")
    assert "adjusted p = " in result["verdict"]
    json.dumps(result, allow_nan=False)


def test_bayesian_engine_reports_chance_and_risk(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    events = _events(definition, 3000, boost=0.5)
    result = analyze_experiment(_store(tmp_path, events), definition, engine="bayesian")
    lift = _metric(result, "searches")["variants"][1]["lift"]
    assert lift["chance_to_win"] > 0.99
    assert lift["risk"]["treatment"] < lift["risk"]["control"]
    assert "chance to beat control" in result["verdict"]


def test_sample_ratio_mismatch_overrides_verdict(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    events = _events(definition, 1000)
    dropped = {
        e["pseudonymous_id"]
        for e in events
        if e["event"] == "experiment_exposure"
        and json.loads(e["payload"])["variant"] == "panel"
    }
    kept = sorted(dropped)[: len(dropped) // 2]
    events = [
        e
        for e in events
        if e["pseudonymous_id"] not in dropped or e["pseudonymous_id"] in kept
    ]
    result = analyze_experiment(_store(tmp_path, events), definition)

    assert result["srm"]["is_mismatch"]
    assert result["verdict"].startswith("Do not trust these results. Sample ratio")


def test_experiment_without_exposures_says_so(
    tmp_path: Path, definition: ExperimentDefinition
) -> None:
    store = _store(tmp_path, [])
    result = analyze_experiment(store, definition)
    assert result["verdict"] == "No units have been exposed to 'suggestion-panel' yet."
    assert _metric(result, "searches")["variants"][1]["lift"]["error"] == (
        "NO_UNITS_IN_VARIANT"
    )


def test_unknown_key_and_engine_raise(definition: ExperimentDefinition) -> None:
    with pytest.raises(UnknownExperimentError, match="'nope'"):
        find_experiment_definition([definition], "nope")
    assert find_experiment_definition([definition], KEY) is definition
    with pytest.raises(ValueError, match="engine 'magic'"):
        analyze_experiment(DuckDBStore(":memory:"), definition, engine="magic")
