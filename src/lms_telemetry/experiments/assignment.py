"""Deterministic assignment of units to experiment variants.

GrowthBook's published hashing, version 2, so that an LMS already running a
GrowthBook SDK puts every unit in the same variant as we do, and so that
`telemetry_client.js` can do the same in the browser:

    hash = fnv1a32(str(fnv1a32(seed + unit_id))) mod 10000 / 10000

FNV-1a runs over UTF-16 code units, as JavaScript's `charCodeAt` sees a
string. The hash picks one of 10,000 buckets. Variant i owns the range
[c_i, c_i + coverage * w_i), where c_i is the sum of the weights before it:
each range starts where it would at full coverage and only its length
shrinks, so changing coverage moves units in or out of the experiment but
never from one variant to another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

HASH_VERSION = 2
BUCKETS = 10_000
_FNV_OFFSET_BASIS = 0x811C9DC5
_FNV_PRIME = 0x01000193
# How far weights may sum from 1 before they are refused as a mistake.
_WEIGHT_SUM_TOLERANCE = 1e-6


class AssignmentError(ValueError):
    """Weights or coverage that cannot define variant ranges."""


class Assignable(Protocol):
    """What assignment needs from an experiment definition."""

    @property
    def seed(self) -> str: ...

    @property
    def weights(self) -> list[float]: ...

    @property
    def coverage(self) -> float: ...


def fnv1a32(text: str) -> int:
    """32-bit FNV-1a over the UTF-16 code units of text."""
    encoded = text.encode("utf-16-le", "surrogatepass")
    value = _FNV_OFFSET_BASIS
    for index in range(0, len(encoded), 2):
        value ^= encoded[index] | (encoded[index + 1] << 8)
        value = (value * _FNV_PRIME) & 0xFFFFFFFF
    return value


def bucket_of(seed: str, unit_id: str) -> int:
    """The unit's bucket, 0 to 9,999."""
    return fnv1a32(str(fnv1a32(seed + unit_id))) % BUCKETS


def bucket_hash(seed: str, unit_id: str) -> float:
    """The unit's hash value in [0, 1), GrowthBook's `hash(seed, id, 2)`."""
    return bucket_of(seed, unit_id) / BUCKETS


def _check_weights(weights: Sequence[float]) -> None:
    if not weights:
        raise AssignmentError("weights must name at least one variant")
    for weight in weights:
        if not (weight >= 0 and math.isfinite(weight)):
            raise AssignmentError(f"weight {weight!r} must be a non-negative number")
    if abs(math.fsum(weights) - 1) > _WEIGHT_SUM_TOLERANCE:
        raise AssignmentError(f"weights {list(weights)!r} must sum to 1")


def variant_ranges(
    weights: Sequence[float], coverage: float = 1.0
) -> list[tuple[float, float]]:
    """Hash range [start, end) of each variant."""
    _check_weights(weights)
    if not 0 <= coverage <= 1:
        raise AssignmentError(f"coverage {coverage!r} must be between 0 and 1")
    ranges = []
    start = 0.0
    for weight in weights:
        ranges.append((start, start + coverage * weight))
        start += weight
    return ranges


def choose_variant(
    hash_value: float, ranges: Sequence[tuple[float, float]]
) -> int | None:
    """Index of the range holding hash_value; None outside every range."""
    for index, (start, end) in enumerate(ranges):
        if start <= hash_value < end:
            return index
    return None


def assign_variant(experiment: Assignable, unit_id: str) -> int | None:
    """Variant index of the unit, or None when coverage leaves it out."""
    if not unit_id:
        # GrowthBook leaves units without an id out; so do we, loudly.
        raise AssignmentError("unit_id must not be empty")
    ranges = variant_ranges(experiment.weights, experiment.coverage)
    return choose_variant(bucket_hash(experiment.seed, unit_id), ranges)
