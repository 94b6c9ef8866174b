"""Experiment routes and command against a real service."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from scipy import stats

from lms_telemetry.experiments.assignment import assign_variant
from lms_telemetry.experiments.definitions import parse_experiment
from tests.service import Service

RENEWAL = {
    "key": "one-click-renewal",
    "variants": [
        {"key": "control", "weight": 0.5},
        {"key": "one-click", "weight": 0.5},
    ],
    "primary_metric": "renewal_conversion",
    "guardrails": [],
}
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0"}


def event(
    name: str, device: str, moment: datetime, **payload: object
) -> dict[str, object]:
    return {
        "event": name,
        "event_id": str(uuid.uuid4()),
        "anonymous_id": device,
        "timestamp": moment.isoformat(),
        "persona": "patron",
        "payload": payload,
    }


def test_public_definitions_are_cacheable_and_hold_no_metrics(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(LMS_TELEMETRY_EXPERIMENTS=json.dumps([RENEWAL]))

    response = httpx.get(f"{service.url}/api/experiments")

    assert response.headers["cache-control"] == "public, max-age=60"
    [definition] = response.json()["experiments"]
    assert definition["key"] == "one-click-renewal"
    assert [v["key"] for v in definition["variants"]] == ["control", "one-click"]
    assert "primary_metric" not in definition


def test_admin_api_saves_checks_and_removes_experiments(service: Service) -> None:
    bad = {**RENEWAL, "key": "shorter-hold-form", "coverage": 1.5}
    good = {**RENEWAL, "key": "shorter-hold-form", "primary_metric": "hold_conversion"}
    url = f"{service.url}/api/admin/experiments"

    refused = httpx.post(url, json=bad, headers=service.auth)
    saved = httpx.post(url, json=good, headers=service.auth)
    listed = httpx.get(f"{service.url}/api/experiments").json()["experiments"]
    removed = httpx.delete(f"{url}/shorter-hold-form", headers=service.auth)
    anonymous = httpx.post(url, json=good)

    assert refused.status_code == 400
    assert (
        refused.json()["message"]
        == "experiment.coverage: 1.5 must be a number from 0 to 1"
    )
    assert saved.status_code == 201
    assert [d["key"] for d in listed] == ["shorter-hold-form"]
    assert removed.status_code == 204
    assert anonymous.status_code == 401


def test_results_find_a_planted_effect_and_match_the_command(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(LMS_TELEMETRY_EXPERIMENTS=json.dumps([RENEWAL]))
    definition = parse_experiment(RENEWAL)
    generator = random.Random(7)
    start = datetime.now(UTC) - timedelta(hours=2)
    rates = {0: 0.30, 1: 0.45}
    converted = {0: 0, 1: 0}
    units = {0: 0, 1: 0}
    events = []
    for number in range(600):
        device = f"reader-{number}"
        variant = assign_variant(definition, device)
        assert variant is not None
        units[variant] += 1
        events.append(
            event(
                "experiment_exposure",
                device,
                start,
                experiment=RENEWAL["key"],
                variant=RENEWAL["variants"][variant]["key"],
            )
        )
        if generator.random() < rates[variant]:
            converted[variant] += 1
            events.append(
                event(
                    "item_renewed",
                    device,
                    start + timedelta(minutes=1),
                    item_id="b1",
                    outcome="success",
                )
            )
    for chunk in range(0, len(events), 400):
        service.post({"batch": events[chunk : chunk + 400]}, headers=BROWSER)
    service.wait_loaded(len(events))

    result = httpx.get(
        f"{service.url}/api/experiments/one-click-renewal/results", headers=service.auth
    ).json()
    command = subprocess.run(
        [
            sys.executable,
            "-m",
            "lms_telemetry.cli",
            "experiment",
            "analyze",
            "one-click-renewal",
            "--server",
            service.url,
            "--token",
            service.admin_token,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert [v["units"] for v in result["variants"]] == [units[0], units[1]]
    primary = result["metrics"][0]
    assert [v["value"] for v in primary["variants"]] == [
        converted[0] / units[0],
        converted[1] / units[1],
    ]
    # Independent check of the lift's significance: a two-proportion z-test.
    table = [
        [converted[0], units[0] - converted[0]],
        [converted[1], units[1] - converted[1]],
    ]
    assert stats.chi2_contingency(table, correction=False).pvalue < 0.05
    lift = primary["variants"][1]["lift"]
    control_rate, treatment_rate = converted[0] / units[0], converted[1] / units[1]
    assert lift["effect"] == pytest.approx(
        (treatment_rate - control_rate) / control_rate
    )
    assert lift["p_value"] < 0.05
    assert "one-click" in result["verdict"]
    assert json.loads(command.stdout) == result
