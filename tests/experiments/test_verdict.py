"""The verdict line read from hand-built analysis results."""

from __future__ import annotations

from typing import Any

from lms_telemetry.experiments.verdict import verdict_line


def _lift(effect: float, adjusted_p: float, error: str | None = None) -> dict[str, Any]:
    return {
        "effect": effect,
        "ci": [effect - 0.01, effect + 0.01],
        "p_value": adjusted_p / 2,
        "adjusted_p_value": adjusted_p,
        "is_significant": adjusted_p < 0.05,
        "error": error,
    }


def _result(
    primary: list[dict[str, Any]],
    guardrail: dict[str, Any],
    higher_is_better: bool = True,
) -> dict[str, Any]:
    def metric(
        name: str, role: str, lifts: list[dict[str, Any]], better: bool
    ) -> dict[str, Any]:
        variants = [{"variant": "control", "lift": None}] + [
            {"variant": f"v{i + 1}", "lift": lift} for i, lift in enumerate(lifts)
        ]
        return {
            "name": name,
            "role": role,
            "higher_is_better": better,
            "variants": variants,
        }

    return {
        "experiment": "x",
        "engine": "frequentist",
        "difference": "relative",
        "alpha": 0.05,
        "units": {"analysed": 100},
        "srm": {"is_mismatch": False, "warning": None},
        "metrics": [
            metric("Renewals", "primary", primary, higher_is_better),
            metric("Server error rate", "guardrail", [guardrail] * len(primary), False),
        ],
    }


def test_lower_is_better_metric_reads_decrease_as_improvement() -> None:
    result = _result([_lift(-0.12, 0.001)], _lift(0.0, 0.9), higher_is_better=False)
    assert verdict_line(result) == (
        "'v1' improved Renewals by -12.0% against control (95% interval -13.0% to"
        " -11.0%, adjusted p = 0.001); no guardrail got worse."
    )


def test_worse_guardrail_and_mixed_variants_are_named() -> None:
    result = _result([_lift(0.05, 0.01), _lift(0.01, 0.4)], _lift(0.3, 0.02))
    assert verdict_line(result) == (
        "'v1' improved Renewals by +5.0% against control (95% interval +4.0% to"
        " +6.0%, adjusted p = 0.01); no clear difference from control on Renewals"
        " yet for 'v2'; guardrail got worse: Server error rate in 'v1',"
        " Server error rate in 'v2'."
    )


def test_untestable_variant_gives_its_reason() -> None:
    result = _result([_lift(0.0, 1.0, "ZERO_NEGATIVE_VARIANCE")], _lift(0.0, 1.0))
    assert verdict_line(result).startswith(
        "'v1' cannot be compared on Renewals (ZERO_NEGATIVE_VARIANCE)"
    )


def test_sample_ratio_mismatch_comes_first() -> None:
    result = _result([_lift(0.05, 0.01)], _lift(0.0, 0.9))
    result["srm"] = {"is_mismatch": True, "warning": "Sample ratio mismatch: bad"}
    assert verdict_line(result) == (
        "Do not trust these results. Sample ratio mismatch: bad."
    )
