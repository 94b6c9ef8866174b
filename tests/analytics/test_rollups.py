"""Reports read from the rollups give exactly the answers of raw events.

Each test takes a report's answer while the rollups are out of date (so the
report reads raw events), refreshes the rollups, and asks again: the two must
be equal, including after late events, on daylight-saving days, in zones with
half- and quarter-hour offsets, with filters, and with periods that cut
sessions. Some figures are also checked against the plain-Python reference.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lms_telemetry.analytics import REPORTS, overview, sessions
from lms_telemetry.analytics._rollup_scope import rollups_are_current
from lms_telemetry.analytics.rollups import rebuild_rollups, refresh_rollups
from lms_telemetry.storage import Store
from tests.analytics import report_reference as reference
from tests.analytics.events import T0, at, load, make_event, random_stream

CUSTOM_FUNNEL = {
    "name": "browse",
    "steps": ["search_submitted", "result_clicked", "item_viewed"],
    "window_minutes": 20,
}


def answers(store: Store, since: Any, until: Any, **scope: Any) -> dict[str, Any]:
    """Every report's answer, the funnels report with a windowed funnel too."""
    found = {}
    for name, report in REPORTS.items():
        options = {"funnels": [CUSTOM_FUNNEL]} if name == "funnels" else {}
        found[name] = report(store, since, until, **scope, **options)
    return found


def assert_same_answers(store: Store, since: Any, until: Any, **scope: Any) -> None:
    """Answers on raw events (rollups stale) equal answers on the rollups."""
    assert not rollups_are_current(store)
    raw = answers(store, since, until, **scope)
    refresh_rollups(store)
    assert rollups_are_current(store)
    rolled_up = answers(store, since, until, **scope)
    for name in REPORTS:
        assert rolled_up[name] == _rounded(raw[name]), name


def _rounded(value: Any) -> Any:
    # Means are sums divided in a different order; compare them to 1e-9.
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-9)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def shifted(rows: list[dict[str, Any]], start: datetime) -> list[dict[str, Any]]:
    """ROWS moved in time so that the stream starts near START."""
    delta = start - T0
    for row in rows:
        row["event_time"] += delta
        row["received_at"] += delta
    return rows


def spoil(store: Store) -> None:
    """A stored event that changes nothing in reports but makes the rollups
    stale, so the next answer is read from raw events."""
    load(store, [make_event("page_viewed", at(-10 * 24 * 60), is_bot=True)])


def with_performance_and_errors(
    rows: list[dict[str, Any]], seed: int
) -> list[dict[str, Any]]:
    """ROWS plus API requests, page loads, Web Vitals and errors near them."""
    rng = random.Random(seed)
    added = []
    for row in rows[::2]:
        fields = {
            "pseudonymous_id": row["pseudonymous_id"],
            "session_id": row["session_id"],
            "persona": row["persona"],
            "is_bot": row["is_bot"],
        }
        moment = row["event_time"] + timedelta(seconds=rng.randrange(1, 90))
        endpoint = rng.choice(["/api/search", "/api/loans"])
        added += [
            make_event(
                "api_request",
                moment,
                endpoint=endpoint,
                method="GET",
                status=rng.choice([200, 200, 404, 503]),
                duration_ms=float(rng.randrange(5, 2000)),
                **fields,
            ),
            make_event(
                "page_load",
                moment,
                page_path="/x",
                payload={"path": rng.choice(["/", "/item"]), "load_ms": 1200.5},
                **fields,
            ),
            make_event(
                "web_vital",
                moment,
                metric_name=rng.choice(["LCP", "CLS"]),
                metric_value=rng.random() * 3000,
                **fields,
            ),
            make_event(
                "js_error",
                moment,
                message=f"Cannot read properties of undefined (reading '{rng.randrange(3)}')",
                payload={"kind": "error"},
                **fields,
            ),
        ]
    return rows + added


SCOPES = [
    {"tz": "UTC"},
    {"tz": "America/Chicago"},
    {"tz": "Asia/Kolkata"},
    {"tz": "Asia/Kathmandu"},
    {"tz": "America/Chicago", "persona": "patron"},
    {"tz": "UTC", "interface": "opac"},
    {"tz": "Europe/Paris", "persona": "librarian", "interface": "opac"},
]


@pytest.mark.parametrize("scope", SCOPES)
def test_rolled_up_answers_equal_raw_answers_under_zone_and_filters(
    store: Store, scope: dict[str, Any]
) -> None:
    rows = with_performance_and_errors(random_stream(seed=11, sessions=150), 1)
    for row in rows[::7]:
        row["interface"] = "staff"
    load(store, rows)
    assert_same_answers(store, "2024-05-06", "2024-05-10", **scope)


@pytest.mark.parametrize(
    ("since", "until"),
    [
        # Bounds inside sessions and off quarter hours: sessions are cut.
        ("2024-05-06T19:07:30Z", "2024-05-08T03:52:10Z"),
        ("2024-05-07T00:00:00+05:30", "2024-05-07T13:45:00+05:30"),
    ],
)
def test_rolled_up_answers_equal_raw_answers_when_period_cuts_sessions(
    store: Store, since: str, until: str
) -> None:
    load(store, with_performance_and_errors(random_stream(seed=5, sessions=150), 2))
    assert_same_answers(store, since, until, tz="America/Chicago")


@pytest.mark.parametrize("day", ["2024-11-03", "2024-03-10"])
def test_rolled_up_answers_equal_raw_answers_on_daylight_saving_days(
    store: Store, day: str
) -> None:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(days=1)
    load(store, shifted(random_stream(seed=9, sessions=150), start))
    end = (datetime.fromisoformat(day) + timedelta(days=3)).date()
    assert_same_answers(store, start.date(), end, tz="America/Chicago")


def test_dst_day_has_its_local_hours_with_rollups(store: Store) -> None:
    # Events every 30 minutes for 2 days around the 25-hour day in Chicago.
    start = datetime(2024, 11, 3, 5, 0, tzinfo=UTC)  # 00:00 CDT
    rows = [
        make_event("page_viewed", start + timedelta(minutes=30 * n))
        for n in range(-4, 60)
    ]
    load(store, rows)
    refresh_rollups(store)
    result = overview.report(store, "2024-11-03", "2024-11-05", "America/Chicago")
    # 2024-11-03 lasts 25 hours: 50 half hours; the next day starts at 06:00 UTC.
    assert result["daily"][0] == {"day": "2024-11-03", "events": 50, "sessions": 1}
    assert result["daily"][1]["events"] == 60 - 50


def test_late_events_relink_sessions_after_a_refresh(store: Store) -> None:
    # Two runs of one id 50 minutes apart are two sessions, until a late
    # event 25 minutes in bridges them into one.
    load(store, [make_event("page_viewed", at(minute)) for minute in (0, 50)])
    refresh_rollups(store)
    assert sessions.report(store, "2024-05-06", "2024-05-07")["sessions"] == 2

    load(store, [make_event("page_viewed", at(25))])
    assert_same_answers(store, "2024-05-06", "2024-05-07")
    result = sessions.report(store, "2024-05-06", "2024-05-07")
    assert result["sessions"] == 1
    assert result["duration_seconds"]["p50"] == 3000.0


def test_late_events_in_many_rounds_equal_raw_answers_and_a_rebuild(
    store: Store,
) -> None:
    rows = random_stream(seed=21, sessions=200)
    random.Random(4).shuffle(rows)  # later rounds bring events of any time
    for part in range(4):
        load(store, rows[part::4])
        assert_same_answers(store, "2024-05-06", "2024-05-10", tz="America/Chicago")
        spoil(store)
        assert_same_answers(store, "2024-05-06", "2024-05-10", persona="patron")

    refresh_rollups(store)
    incremental = _rollup_tables(store)
    rebuild_rollups(store)
    assert _rollup_tables(store) == incremental


def test_rolled_up_answers_match_the_reference_after_late_events(
    store: Store,
) -> None:
    rows = random_stream(seed=33, sessions=160)
    load(store, rows[::2])
    refresh_rollups(store)
    load(store, rows[1::2])
    refresh_rollups(store)
    start, end = datetime(2024, 5, 6, tzinfo=UTC), datetime(2024, 5, 10, tzinfo=UTC)
    scoped = reference.in_scope(rows, start, end, persona="patron")
    expected = reference.session_figures(scoped)

    result = sessions.report(store, start, end, persona="patron")
    assert result["sessions"] == expected["sessions"]
    assert result["duration_seconds"]["p50"] == pytest.approx(
        expected["duration_seconds"]["p50"]
    )
    assert result["events_per_session"]["mean"] == pytest.approx(
        expected["events_per_session"]["mean"]
    )


def test_deleted_events_rebuild_the_rollups(store: Store) -> None:
    load(store, random_stream(seed=2, sessions=80))
    refresh_rollups(store)
    store.execute("DELETE FROM events WHERE pseudonymous_id = 'id-3'")
    load(store, [make_event("page_viewed", at(5), pseudonymous_id="id-9")])
    assert_same_answers(store, "2024-05-06", "2024-05-10")
    left = store.query(
        "SELECT count(*) FROM report_events JOIN report_pseudonyms AS p"
        " ON p.code = report_events.pid_code WHERE p.pseudonymous_id = 'id-3'"
    ).scalar()
    assert left == 0


def test_stale_rollups_are_not_read(store: Store) -> None:
    load(store, [make_event("page_viewed", at(0))])
    refresh_rollups(store)
    load(store, [make_event("page_viewed", at(1), pseudonymous_id="id-2")])
    assert not rollups_are_current(store)
    assert overview.report(store, "2024-05-06", "2024-05-07")["events"] == 2


def _rollup_tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """The rollups' contents that do not depend on the order of loading."""
    # Codes depend on the order ids arrived in; the sessions they form do not.
    statements = {
        f"{key} groups": f"SELECT list(event_id::VARCHAR ORDER BY event_id)"
        f" FROM report_events GROUP BY {key}"
        for key in (
            "session_key",
            "persona_session_key",
            "interface_session_key",
            "persona_interface_session_key",
        )
    } | {
        "sessions": "SELECT * EXCLUDE (session_key, owner) FROM report_sessions",
        "searches": "SELECT * EXCLUDE (session_key, owner, pseudonymous_id)"
        " FROM report_searches",
        "counts": "SELECT * FROM report_counts",
    }
    tables = {}
    for name, sql in statements.items():
        rows = store.query(sql).rows
        tables[name] = sorted(rows, key=repr)
    return tables
