"""Builds the shared assignment vectors from GrowthBook's own Python SDK.

The vectors in tests/fixtures/experiment_assignment_vectors.json are read by
the Python tests and by the JavaScript client's tests. Their expected values
come from the `growthbook` package, never from our code, so both of our
implementations are held to the reference. Regenerate with
`python -m tests.experiments.assignment_vectors`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from growthbook import Experiment, GrowthBook
from growthbook.core import gbhash

FIXTURE = Path(__file__).parents[1] / "fixtures" / "experiment_assignment_vectors.json"

SETUPS: list[tuple[str, list[float], float]] = [
    ("search-suggestions", [0.5, 0.5], 1.0),
    ("search-suggestions", [0.5, 0.5], 0.4),
    ("one-click-renewal", [0.34, 0.33, 0.33], 1.0),
    ("one-click-renewal", [0.1, 0.9], 0.75),
    ("short-hold-form", [0.25, 0.25, 0.25, 0.25], 1.0),
    ("short-hold-form", [0.2, 0.3, 0.5], 0.25),
    ("opac-layout-2024", [0.7, 0.3], 0.0),
]
UNITS = [
    "p-0001",
    "p-0002",
    "3f2b8c9e-1d4a-4e7b-9f10-5a6b7c8d9e0f",
    "librarian-17",
    "Zoë-Ångström",
    "用户-42",
    "emoji-😀-unit",
    "x",
    "0",
    "kiosk-3",
    "it-admin",
    "p-1000",
    "p-1001",
    "a-very-long-pseudonymous-identifier-" + "0123456789" * 5,
]


def reference_vector(
    seed: str, unit: str, weights: list[float], coverage: float
) -> dict[str, Any]:
    """One vector as GrowthBook's SDK computes it."""
    growthbook = GrowthBook(attributes={"id": unit})
    experiment = Experiment(
        key=seed,
        variations=list(range(len(weights))),
        weights=weights,
        coverage=coverage,
        seed=seed,
        hashVersion=2,
    )
    result = growthbook.run(experiment)
    hash_value = gbhash(seed, unit, 2)
    assert hash_value is not None
    return {
        "seed": seed,
        "unit": unit,
        "weights": weights,
        "coverage": coverage,
        "hash": hash_value,
        "bucket": round(hash_value * 10_000),
        "variant": result.variationId if result.inExperiment else None,
    }


def build_vectors() -> dict[str, Any]:
    return {
        "description": (
            "Experiment assignment test vectors: GrowthBook hashing version 2"
            " into 10,000 buckets. hash = bucket / 10000; variant is the"
            " variant index, or null when coverage leaves the unit out."
        ),
        "hash_version": 2,
        "buckets": 10_000,
        "vectors": [
            reference_vector(seed, unit, weights, coverage)
            for seed, weights, coverage in SETUPS
            for unit in UNITS
        ],
    }


def render(document: dict[str, Any]) -> str:
    """JSON with one vector per line, so a diff shows which vector changed."""
    head = {key: value for key, value in document.items() if key != "vectors"}
    lines = [json.dumps(vector, ensure_ascii=False) for vector in document["vectors"]]
    opening = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    return opening + ',\n "vectors": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


if __name__ == "__main__":
    FIXTURE.write_text(render(build_vectors()), encoding="utf-8")
