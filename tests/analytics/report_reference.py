"""The report definitions of ARCHITECTURE.md in plain Python, written apart
from the SQL, so that tests compare two independent computations.

Events are the row dicts of conftest.make_event. Percentiles come from numpy's
default (linear) method, which is what the definitions name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

GAP = timedelta(minutes=30)
SUCCESS_EVENTS = ("item_borrowed", "item_renewed", "hold_placed")


def in_scope(
    events: list[dict[str, Any]],
    start: datetime,
    end: datetime,
    persona: str | None = None,
    interface: str | None = None,
) -> list[dict[str, Any]]:
    return [
        e
        for e in events
        if start <= e["event_time"] < end
        and not e["is_bot"]
        and (persona is None or e["persona"] == persona)
        and (interface is None or e["interface"] == interface)
    ]


def session_keys(events: list[dict[str, Any]]) -> dict[str, Any]:
    """event_id -> session key (None without session_id and pseudonymous id)."""
    keys: dict[str, Any] = {}
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e.get("session_id"):
            keys[e["event_id"]] = ("sid", e["session_id"])
        elif e.get("pseudonymous_id"):
            runs[e["pseudonymous_id"]].append(e)
        else:
            keys[e["event_id"]] = None
    for owner, owned in runs.items():
        owned.sort(key=lambda e: (e["event_time"], e["event_id"]))
        number, previous = 0, None
        for e in owned:
            if previous is None or e["event_time"] - previous > GAP:
                number += 1
            previous = e["event_time"]
            keys[e["event_id"]] = ("gap", owner, number)
    return keys


def sessions(events: list[dict[str, Any]]) -> dict[Any, list[dict[str, Any]]]:
    keys = session_keys(events)
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if keys[e["event_id"]] is not None:
            grouped[keys[e["event_id"]]].append(e)
    for members in grouped.values():
        members.sort(key=lambda e: (e["event_time"], e["event_id"]))
    return grouped


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def overview(events: list[dict[str, Any]], tz: str) -> dict[str, Any]:
    zone = ZoneInfo(tz)
    grouped = sessions(events)
    daily_events: Counter[date] = Counter(
        e["event_time"].astimezone(zone).date() for e in events
    )
    daily_sessions: Counter[date] = Counter(
        members[0]["event_time"].astimezone(zone).date() for members in grouped.values()
    )
    return {
        "events": len(events),
        "sessions": len(grouped),
        "pseudonymous_ids": len(
            {e["pseudonymous_id"] for e in events if e["pseudonymous_id"]}
        ),
        "by_category": dict(Counter(e["category"] for e in events)),
        "by_persona": dict(Counter(e["persona"] for e in events)),
        "by_event": dict(Counter(e["event"] for e in events)),
        "daily_events": daily_events,
        "daily_sessions": daily_sessions,
    }


def session_figures(events: list[dict[str, Any]]) -> dict[str, Any]:
    grouped = sessions(events)
    durations = [
        (m[-1]["event_time"] - m[0]["event_time"]).total_seconds()
        for m in grouped.values()
    ]
    sizes = [len(m) for m in grouped.values()]
    personas: dict[str, list[float]] = defaultdict(list)
    for members, duration in zip(grouped.values(), durations, strict=True):
        known = [e["persona"] for e in members if e["persona"] != "unknown"]
        personas[known[0] if known else "unknown"].append(duration)
    return {
        "sessions": len(grouped),
        "duration_seconds": {
            "p50": percentile(durations, 50),
            "p90": percentile(durations, 90),
            "mean": mean(durations),
        },
        "events_per_session": {"p50": percentile(sizes, 50), "mean": mean(sizes)},
        "by_persona": {p: (len(d), percentile(d, 50)) for p, d in personas.items()},
    }


def judged_searches(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each search with is_clicked, first_click_position and is_reformulated."""
    keys = session_keys(events)
    flows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e["event"] in ("search_submitted", "result_clicked"):
            flows[keys[e["event_id"]] or ("alone", e["event_id"])].append(e)
    judged = []
    for flow in flows.values():
        flow.sort(
            key=lambda e: (
                e["event_time"],
                e["event"] == "result_clicked",
                e["event_id"],
            )
        )
        searches = [i for i, e in enumerate(flow) if e["event"] == "search_submitted"]
        for n, index in enumerate(searches):
            search = flow[index]
            stop = searches[n + 1] if n + 1 < len(searches) else len(flow)
            clicks = flow[index + 1 : stop]
            same = [
                c for c in clicks if c["query_normalized"] == search["query_normalized"]
            ]
            next_search = flow[stop] if stop < len(flow) else None
            judged.append(
                {
                    **search,
                    "is_clicked": bool(same),
                    "first_click_position": same[0]["position"] if same else None,
                    "is_reformulated": next_search is not None
                    and not clicks
                    and next_search["event_time"] - search["event_time"]
                    <= timedelta(seconds=60),
                }
            )
    return judged


def search(events: list[dict[str, Any]], min_ids: int, limit: int) -> dict[str, Any]:
    judged = judged_searches(events)
    count = len(judged)
    latencies = [s["latency_ms"] for s in judged if s.get("latency_ms") is not None]
    positions = [s["first_click_position"] for s in judged if s["is_clicked"]]
    suggestions = [e for e in events if e["event"] == "suggestion_clicked"]
    per_query: dict[str, dict[str, Any]] = {}
    for s in judged:
        row = per_query.setdefault(
            s["query_normalized"],
            {
                "query": s["query_normalized"],
                "searches": 0,
                "ids": set(),
                "zero_result_searches": 0,
                "clicked_searches": 0,
            },
        )
        row["searches"] += 1
        row["ids"].add(s["pseudonymous_id"])
        row["zero_result_searches"] += s["results_count"] == 0
        row["clicked_searches"] += s["is_clicked"]
    rows = [
        {
            **{k: v for k, v in r.items() if k != "ids"},
            "pseudonymous_ids": len(r["ids"]),
        }
        for r in per_query.values()
    ]
    shown = sorted(
        (r for r in rows if r["pseudonymous_ids"] >= min_ids),
        key=lambda r: (-r["searches"], r["query"]),
    )
    folded = [r for r in rows if r["pseudonymous_ids"] < min_ids]
    return {
        "searches": count,
        "zero_result_rate": ratio(sum(s["results_count"] == 0 for s in judged), count),
        "click_through_rate": ratio(sum(s["is_clicked"] for s in judged), count),
        "mean_click_position": mean(positions),
        "reformulation_rate": ratio(sum(s["is_reformulated"] for s in judged), count),
        "suggestion_clicks": len(suggestions),
        "mean_suggestion_position": mean([e["position"] for e in suggestions]),
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
        },
        "top_queries": shown[:limit],
        "zero_result_queries": [r for r in shown if r["zero_result_searches"] > 0][
            :limit
        ],
        "other": {
            "queries": len(folded),
            "searches": sum(r["searches"] for r in folded),
        },
    }


def step_matches(event: dict[str, Any], step: tuple[str, ...]) -> bool:
    if event["event"] not in step:
        return False
    return event["event"] not in SUCCESS_EVENTS or event.get("outcome") == "success"


def funnel(
    events: list[dict[str, Any]], steps: list[tuple[str, ...]]
) -> list[tuple[int, float | None]]:
    """(sessions, median seconds from previous) per step, windowless."""
    reached: list[int] = [0] * len(steps)
    gaps: list[list[float]] = [[] for _ in steps]
    for members in sessions(events).values():
        previous = None
        for n, step in enumerate(steps):
            found = next(
                (
                    e
                    for e in members
                    if step_matches(e, step)
                    and (previous is None or e["event_time"] > previous)
                ),
                None,
            )
            if found is None:
                break
            reached[n] += 1
            if previous is not None:
                gaps[n].append((found["event_time"] - previous).total_seconds())
            previous = found["event_time"]
    return [(reached[n], percentile(gaps[n], 50)) for n in range(len(steps))]
