"""The plain-language verdict line of an experiment's analysis.

Read in order: no data, a broken split (SRM), then the primary metric per
treatment variant, then any guardrail that got significantly worse. A
frequentist comparison counts when its Holm-adjusted p-value is below
alpha; a Bayesian one when the chance to beat control is at least
1 - alpha/2 or at most alpha/2.
"""

from __future__ import annotations

from typing import Any


def _effect_text(effect: float | None, difference: str) -> str:
    if effect is None:
        return "unbounded"
    if difference == "relative":
        return f"{effect * 100:+.1f}%"
    return f"{effect:+.3g}"


def _direction(lift: dict[str, Any], engine: str, alpha: float) -> int:
    """+1 treatment above control, -1 below, 0 not shown by the data."""
    if lift["error"] is not None:
        return 0
    if engine == "bayesian":
        chance = lift["chance_to_win"]
        return 1 if chance >= 1 - alpha / 2 else -1 if chance <= alpha / 2 else 0
    if not lift.get("is_significant"):
        return 0
    return 1 if lift["effect"] > 0 else -1


def _evidence(lift: dict[str, Any], result: dict[str, Any]) -> str:
    low, high = (_effect_text(end, result["difference"]) for end in lift["ci"])
    level = round((1 - result["alpha"]) * 100)
    interval = f"{level}% interval {low} to {high}"
    if result["engine"] == "bayesian":
        return f"{interval}, chance to beat control {lift['chance_to_win']:.0%}"
    return f"{interval}, adjusted p = {lift['adjusted_p_value']:.2g}"


def _primary_sentences(result: dict[str, Any]) -> list[str]:
    metric = next(m for m in result["metrics"] if m["role"] == "primary")
    sentences, undecided = [], []
    for variant in metric["variants"][1:]:
        lift = variant["lift"]
        if lift["error"] is not None:
            sentences.append(
                f"'{variant['variant']}' cannot be compared on {metric['name']}"
                f" ({lift['error']})"
            )
            continue
        direction = _direction(lift, result["engine"], result["alpha"])
        if direction == 0:
            undecided.append(variant["variant"])
            continue
        is_good = (direction > 0) == metric["higher_is_better"]
        sentences.append(
            f"'{variant['variant']}' {'improved' if is_good else 'worsened'}"
            f" {metric['name']} by {_effect_text(lift['effect'], result['difference'])}"
            f" against control ({_evidence(lift, result)})"
        )
    if undecided:
        names = ", ".join(f"'{name}'" for name in undecided)
        sentences.append(
            f"no clear difference from control on {metric['name']} yet for {names}"
        )
    return sentences


def _guardrail_sentence(result: dict[str, Any]) -> str:
    worsened = []
    for metric in result["metrics"]:
        if metric["role"] != "guardrail":
            continue
        for variant in metric["variants"][1:]:
            direction = _direction(variant["lift"], result["engine"], result["alpha"])
            if direction != 0 and (direction > 0) != metric["higher_is_better"]:
                worsened.append(f"{metric['name']} in '{variant['variant']}'")
    if not worsened:
        return "no guardrail got worse"
    return "guardrail got worse: " + ", ".join(worsened)


def verdict_line(result: dict[str, Any]) -> str:
    """One sentence a librarian can act on."""
    if result["units"]["analysed"] == 0:
        return f"No units have been exposed to '{result['experiment']}' yet."
    if result["srm"]["is_mismatch"]:
        return f"Do not trust these results. {result['srm']['warning']}."
    sentences = _primary_sentences(result) + [_guardrail_sentence(result)]
    text = "; ".join(sentences)
    return text[0].upper() + text[1:] + "."
