"""The errors report: groups by fingerprint behind the privacy threshold."""

from __future__ import annotations

from lms_telemetry.analytics import errors
from lms_telemetry.storage import Store
from tests.analytics.events import at, load, make_event

DAY = ("2024-05-06", "2024-05-07")
STACK = "    at renderItem (https://opac.example.org/static/app.js:10:5)"


def _js_error(minute: float, number: int, owner: str) -> dict:
    return make_event(
        "js_error",
        at(minute),
        pseudonymous_id=owner,
        session_id=owner,
        message=f"TypeError: item {number} has no 'title'",
        payload={"kind": "error", "stack": STACK},
    )


def test_same_error_with_other_values_is_one_group(store: Store) -> None:
    rows = [_js_error(n, 100 + n, f"id-{n}") for n in range(5)]
    rows.append(_js_error(9, 7, "id-0"))
    rows.append(
        make_event(
            "backend_exception",
            at(3),
            pseudonymous_id="id-1",
            error_type="KeyError",
            message="'barcode'",
        )
    )
    load(store, rows)
    result = errors.report(store, *DAY)
    assert result["groups"] == [
        {
            "fingerprint": rows[0]["error_fingerprint"],
            "kind": "error",
            "type": "TypeError",
            "message": "TypeError: item <n> has no '<str>'",
            "events": 6,
            "sessions": 5,
            "pseudonymous_ids": 5,
            "first_seen": "2024-05-06T12:00:00+00:00",
            "last_seen": "2024-05-06T12:09:00+00:00",
        }
    ]
    # The back-end error came from one id: below k = 5, folded away.
    assert result["other"] == {"groups": 1, "events": 1}


def test_group_needs_k_ids_and_is_folded_at_k_minus_one(store: Store) -> None:
    load(store, [_js_error(n, n, f"id-{n}") for n in range(4)])
    assert errors.report(store, *DAY)["groups"] == []
    assert errors.report(store, *DAY)["other"] == {"groups": 1, "events": 4}
    assert len(errors.report(store, *DAY, min_ids=4)["groups"]) == 1


def test_times_are_shown_in_the_report_zone(store: Store) -> None:
    load(store, [_js_error(0, 1, "id-1")])
    group = errors.report(store, *DAY, tz="America/Chicago", min_ids=1)["groups"][0]
    assert group["first_seen"] == "2024-05-06T07:00:00-05:00"
