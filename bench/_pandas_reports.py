"""The reports' questions answered with pandas: the benchmark's baseline.

Each function takes the events DataFrame (bots included, as stored) and the
period, and answers what the report of the same name answers, by the same
definitions, the way an analyst would with pandas.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

GAP = pd.Timedelta(minutes=30)


def scoped(events: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    mask = (
        (events["event_time"] >= start)
        & (events["event_time"] < end)
        & ~events["is_bot"]
    )
    return events[mask]


def with_sessions(frame: pd.DataFrame) -> pd.DataFrame:
    """FRAME plus `session_key`: session_id, else 30-minute runs per id."""
    frame = frame.copy()
    frame["session_key"] = frame["session_id"]
    runs = frame[frame["session_id"].isna() & frame["pseudonymous_id"].notna()]
    runs = runs.sort_values(["pseudonymous_id", "event_time", "event_id"])
    is_new = (runs["pseudonymous_id"] != runs["pseudonymous_id"].shift()) | (
        runs["event_time"].diff() > GAP
    )
    frame.loc[runs.index, "session_key"] = "\x1f" + is_new.cumsum().astype(str)
    return frame


def overview(
    events: pd.DataFrame, start: datetime, end: datetime, tz: str
) -> dict[str, Any]:
    frame = with_sessions(scoped(events, start, end))
    starts = frame.groupby("session_key")["event_time"].min()
    return {
        "events": len(frame),
        "sessions": int(starts.size),
        "pseudonymous_ids": int(frame["pseudonymous_id"].nunique()),
        "by_category": frame["category"].value_counts().to_dict(),
        "by_persona": frame["persona"].value_counts().to_dict(),
        "by_event": frame["event"].value_counts().to_dict(),
        "daily_events": frame["event_time"]
        .dt.tz_convert(tz)
        .dt.date.value_counts()
        .to_dict(),
        "daily_sessions": starts.dt.tz_convert(tz).dt.date.value_counts().to_dict(),
        "bots_excluded": int(
            (
                (events["event_time"] >= start)
                & (events["event_time"] < end)
                & events["is_bot"]
            ).sum()
        ),
    }


def features(events: pd.DataFrame, start: datetime, end: datetime, tz: str) -> Any:
    frame = scoped(events, start, end)
    frame = frame[
        ((frame["event"] == "feature_used") & frame["feature"].notna())
        | (frame["category"] == "user_action")
    ]
    feature = frame["feature"].where(frame["event"] == "feature_used", frame["event"])
    grouped = frame.assign(feature=feature).groupby(["persona", "feature"])
    return grouped.agg(events=("event", "size"), ids=("pseudonymous_id", "nunique"))


def sessions(
    events: pd.DataFrame, start: datetime, end: datetime, tz: str
) -> dict[str, Any]:
    frame = with_sessions(scoped(events, start, end)).sort_values("event_time")
    frame = frame[frame["session_key"].notna()]
    known = (
        frame[frame["persona"] != "unknown"].groupby("session_key")["persona"].first()
    )
    grouped = frame.groupby("session_key")["event_time"].agg(["min", "max", "size"])
    grouped["persona"] = known.reindex(grouped.index).fillna("unknown")
    duration = (grouped["max"] - grouped["min"]).dt.total_seconds()
    return {
        "sessions": len(grouped),
        "p50": duration.quantile(0.5),
        "p90": duration.quantile(0.9),
        "mean": duration.mean(),
        "events_p50": grouped["size"].quantile(0.5),
        "events_mean": grouped["size"].mean(),
        "by_persona": duration.groupby(grouped["persona"]).agg(["size", "median"]),
    }


def content(
    events: pd.DataFrame, start: datetime, end: datetime, tz: str
) -> pd.DataFrame:
    frame = scoped(events, start, end)
    frame = frame[frame["item_id"].notna()]
    success = frame["outcome"] == "success"
    counts = pd.DataFrame(
        {
            "item_id": frame["item_id"],
            "views": frame["event"] == "item_viewed",
            "borrows": (frame["event"] == "item_borrowed") & success,
            "holds": (frame["event"] == "hold_placed") & success,
            "renewals": (frame["event"] == "item_renewed") & success,
        }
    )
    totals = counts.groupby("item_id").sum()
    totals = totals[totals.sum(axis=1) > 0].reset_index()
    return totals.sort_values(
        ["borrows", "views", "item_id"], ascending=[False, False, True]
    ).head(20)


def performance(
    events: pd.DataFrame, start: datetime, end: datetime, tz: str
) -> dict[str, Any]:
    frame = scoped(events, start, end)
    api = frame[frame["event"] == "api_request"]
    endpoints = api.groupby(["endpoint", "method"]).agg(
        requests=("status", "size"),
        server=("status", lambda s: (s >= 500).mean()),
        client=("status", lambda s: ((s >= 400) & (s < 500)).mean()),
        p50=("duration_ms", lambda s: s.quantile(0.5)),
        p95=("duration_ms", lambda s: s.quantile(0.95)),
        p99=("duration_ms", lambda s: s.quantile(0.99)),
    )
    loads = frame[frame["event"] == "page_load"]["payload"].map(json.loads)
    pages = pd.DataFrame(
        {
            "path": loads.map(lambda p: p.get("path")),
            "load_ms": loads.map(lambda p: p.get("load_ms")),
        }
    )
    vitals = frame[frame["event"] == "web_vital"].groupby("metric_name")["metric_value"]
    return {
        "endpoints": endpoints,
        "pages": pages.groupby("path")["load_ms"].quantile([0.5, 0.95]),
        "vitals": vitals.quantile(0.75),
    }


def errors(
    events: pd.DataFrame, start: datetime, end: datetime, tz: str
) -> pd.DataFrame:
    frame = with_sessions(scoped(events, start, end))
    frame = frame[frame["event"].isin(["js_error", "backend_exception"])]
    return (
        frame.groupby("error_fingerprint")
        .agg(
            events=("event", "size"),
            sessions=("session_key", "nunique"),
            ids=("pseudonymous_id", "nunique"),
            first_seen=("event_time", "min"),
            last_seen=("event_time", "max"),
            message=("message", "first"),
        )
        .sort_values("events", ascending=False)
    )


def search(
    events: pd.DataFrame, start: datetime, end: datetime, tz: str
) -> dict[str, Any]:
    frame = with_sessions(scoped(events, start, end))
    flow = frame[frame["event"].isin(["search_submitted", "result_clicked"])].copy()
    flow["flow_key"] = flow["session_key"].fillna(flow["event_id"])
    flow["is_click"] = flow["event"] == "result_clicked"
    flow = flow.sort_values(["flow_key", "event_time", "is_click", "event_id"])
    flow["search_number"] = (~flow["is_click"]).groupby(flow["flow_key"]).cumsum()
    searches = flow[~flow["is_click"]].copy()
    searches["next_at"] = searches.groupby("flow_key")["event_time"].shift(-1)
    clicks = flow[flow["is_click"] & (flow["search_number"] > 0)]
    joined = clicks.merge(
        searches[["flow_key", "search_number", "query_normalized"]],
        on=["flow_key", "search_number"],
        suffixes=("", "_search"),
    )
    same = joined[joined["query_normalized"] == joined["query_normalized_search"]]
    first = same.groupby(["flow_key", "search_number"])["position"].first()
    any_click = joined.groupby(["flow_key", "search_number"]).size()
    key = pd.MultiIndex.from_frame(searches[["flow_key", "search_number"]])
    searches["is_clicked"] = key.isin(first.index)
    searches["position"] = first.reindex(key).to_numpy()
    searches["is_reformulated"] = (
        searches["next_at"] - searches["event_time"] <= pd.Timedelta(seconds=60)
    ) & ~key.isin(any_click.index)
    per_query = searches.groupby("query_normalized").agg(
        searches=("event", "size"),
        ids=("pseudonymous_id", "nunique"),
        zero=("results_count", lambda s: (s == 0).sum()),
        clicked=("is_clicked", "sum"),
    )
    shown = (
        per_query[per_query["ids"] >= 5]
        .reset_index()
        .sort_values(["searches", "query_normalized"], ascending=[False, True])
    )
    suggestions = frame[frame["event"] == "suggestion_clicked"]["position"]
    count = len(searches)
    return {
        "searches": count,
        "zero_result_rate": (searches["results_count"] == 0).mean() if count else None,
        "click_through_rate": searches["is_clicked"].mean() if count else None,
        "mean_click_position": searches["position"].mean(),
        "reformulation_rate": searches["is_reformulated"].mean() if count else None,
        "latency": searches["latency_ms"].quantile([0.5, 0.95, 0.99]),
        "suggestions": (len(suggestions), suggestions.mean()),
        "top_queries": shown.head(20),
        "zero_result_queries": shown[shown["zero"] > 0].head(20),
    }


def funnels(events: pd.DataFrame, start: datetime, end: datetime, tz: str) -> list[Any]:
    frame = with_sessions(scoped(events, start, end))
    frame = frame[frame["session_key"].notna()]
    graded = frame["event"].isin(["item_borrowed", "hold_placed"])
    steps = [
        frame["event"] == "search_submitted",
        frame["event"] == "item_viewed",
        graded & (frame["outcome"] == "success"),
    ]
    reached = frame[steps[0]].groupby("session_key")["event_time"].min().rename("at")
    figures = [(len(reached), None)]
    for step in steps[1:]:
        candidates = frame[step][["session_key", "event_time"]].merge(
            reached, left_on="session_key", right_index=True
        )
        candidates = candidates[candidates["event_time"] > candidates["at"]]
        following = candidates.groupby("session_key").agg(
            at=("event_time", "min"), previous=("at", "first")
        )
        gaps = (following["at"] - following["previous"]).dt.total_seconds()
        figures.append((len(following), float(np.median(gaps)) if len(gaps) else None))
        reached = following["at"]
    return figures


BASELINES = {
    "overview": overview,
    "features": features,
    "funnels": funnels,
    "search": search,
    "sessions": sessions,
    "content": content,
    "performance": performance,
    "errors": errors,
}
