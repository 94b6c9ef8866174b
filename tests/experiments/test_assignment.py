"""Assignment against GrowthBook's SDK, the shared vectors and the weights."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from growthbook import Experiment, GrowthBook
from scipy import stats as scipy_stats

from lms_telemetry.experiments.assignment import (
    AssignmentError,
    assign_variant,
    bucket_hash,
    bucket_of,
    fnv1a32,
    variant_ranges,
)
from tests.experiments.assignment_vectors import FIXTURE, reference_vector


@dataclass(frozen=True)
class Setup:
    seed: str
    weights: list[float]
    coverage: float = 1.0


def _vectors() -> list[dict[str, Any]]:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    vectors: list[dict[str, Any]] = document["vectors"]
    return vectors


VECTORS = _vectors()


def test_fnv1a32_known_values() -> None:
    # Published FNV-1a 32-bit test values (offset basis for "", "a", "foobar").
    assert fnv1a32("") == 0x811C9DC5
    assert fnv1a32("a") == 0xE40C292C
    assert fnv1a32("foobar") == 0xBF9CF968


def test_vectors_cover_every_outcome() -> None:
    assert len(VECTORS) >= 50
    outcomes = {vector["variant"] for vector in VECTORS}
    assert {None, 0, 1, 2, 3} <= outcomes


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['seed']}:{v['unit']}")
def test_shared_vector_matches_growthbook_and_ours(vector: dict[str, Any]) -> None:
    seed, unit = vector["seed"], vector["unit"]
    weights, coverage = vector["weights"], vector["coverage"]

    assert reference_vector(seed, unit, weights, coverage) == vector
    assert bucket_hash(seed, unit) == vector["hash"]
    assert bucket_of(seed, unit) == vector["bucket"]
    assert assign_variant(Setup(seed, weights, coverage), unit) == vector["variant"]


def test_same_unit_gets_same_variant_as_growthbook_sdk() -> None:
    setup = Setup("renewal-button", [0.2, 0.5, 0.3], 0.8)
    experiment = Experiment(
        key="renewal-button",
        variations=[0, 1, 2],
        weights=setup.weights,
        coverage=setup.coverage,
        seed=setup.seed,
        hashVersion=2,
    )
    for index in range(2000):
        unit = f"unit-{index}"
        result = GrowthBook(attributes={"id": unit}).run(experiment)
        expected = result.variationId if result.inExperiment else None
        assert assign_variant(setup, unit) == expected, unit


@pytest.mark.parametrize("weights", [[0.5, 0.5], [0.1, 0.9], [0.2, 0.3, 0.5]])
def test_split_over_100000_units_follows_weights(weights: list[float]) -> None:
    setup = Setup(f"split-{len(weights)}-{weights[0]}", weights)
    counts = Counter(assign_variant(setup, f"u{index}") for index in range(100_000))

    assert None not in counts
    for variant, weight in enumerate(weights):
        assert abs(counts[variant] / 100_000 - weight) < 0.01
    observed = [counts[variant] for variant in range(len(weights))]
    expected = [weight * 100_000 for weight in weights]
    assert scipy_stats.chisquare(observed, expected).pvalue > 0.001


def test_changing_coverage_never_moves_a_unit_between_variants() -> None:
    weights = [0.3, 0.3, 0.4]
    by_coverage = {
        coverage: [
            assign_variant(Setup("cover", weights, coverage), f"u{i}")
            for i in range(20_000)
        ]
        for coverage in (0.1, 0.5, 0.9, 1.0)
    }
    full = by_coverage[1.0]
    for coverage, variants in by_coverage.items():
        included = [i for i, variant in enumerate(variants) if variant is not None]
        assert abs(len(included) / 20_000 - coverage) < 0.02
        assert all(variants[i] == full[i] for i in included)
    # Raising coverage only adds units: whoever was in at 0.5 is in at 0.9.
    assert all(
        by_coverage[0.9][i] is not None
        for i, variant in enumerate(by_coverage[0.5])
        if variant is not None
    )


def test_ranges_start_at_cumulative_weights() -> None:
    assert variant_ranges([0.5, 0.5], 0.5) == [(0.0, 0.25), (0.5, 0.75)]
    assert variant_ranges([0.2, 0.8], 0.0) == [(0.0, 0.0), (0.2, 0.2)]


@pytest.mark.parametrize(
    "weights,coverage,message",
    [
        ([0.6, 0.6], 1.0, "must sum to 1"),
        ([1.2, -0.2], 1.0, "weight -0.2"),
        ([], 1.0, "at least one variant"),
        ([0.5, 0.5], 1.5, "coverage 1.5"),
    ],
)
def test_invalid_ranges_raise(
    weights: list[float], coverage: float, message: str
) -> None:
    with pytest.raises(AssignmentError, match=message):
        variant_ranges(weights, coverage)


def test_empty_unit_id_raises() -> None:
    with pytest.raises(AssignmentError, match="unit_id"):
        assign_variant(Setup("s", [0.5, 0.5]), "")
