"""The demo's experiment: one-click renewal on the My loans page.

Patrons in the treatment see a single Renew button beside each loan instead
of a form; the simulation plants an effect (more renewal attempts in the
treatment) that the experiment report should find.
"""

from __future__ import annotations

from typing import Any

from lms_telemetry.experiments.assignment import assign_variant
from lms_telemetry.experiments.definitions import ExperimentDefinition, parse_experiment

#: The experiment as the service's configuration declares it.
ONE_CLICK_RENEWAL: dict[str, Any] = {
    "key": "one-click-renewal",
    "name": "One-click renewal on My loans",
    "variants": ["control", "treatment"],
    "primary_metric": "renewal_conversion",
    "personas": ["patron"],
}
_DEFINITION: ExperimentDefinition = parse_experiment(ONE_CLICK_RENEWAL)


def variant_for(unit_id: str) -> str:
    """The variant the unit is assigned, as the browser's getVariant would say."""
    index = assign_variant(_DEFINITION, unit_id)
    variant = _DEFINITION.variants[index if index is not None else 0]
    return variant.key
