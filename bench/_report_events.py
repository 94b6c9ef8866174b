"""Realistic event streams for the reports benchmark, built with numpy.

Sessions of patrons, librarians, admins and IT staff over 30 days, with a
daily rhythm, searches followed by clicks on the same query, item activity
following the popularity of ../shared/data/goodbooks-10k (a Zipf law when the
data set is absent), API timings with a long tail, Web Vitals, errors, bots,
and a share of sessions without a session_id (split by the 30-minute rule).

Payload JSON is filled where the reports read it (page_load, js_error); the
other events carry their fields in the typed columns, as the loader stores
them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lms_telemetry.analytics.error_groups import error_kind, fingerprint_error
from lms_telemetry.analytics.queries import normalize_query
from lms_telemetry.storage.duckdb import EVENT_COLUMNS

CATALOGUE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
BOOKS_CSV = CATALOGUE / "goodbooks-10k" / "books.csv"
PERIOD_START = datetime(2024, 10, 1, tzinfo=UTC)
PERIOD_DAYS = 30

PERSONA_NAMES = np.array(["patron", "librarian", "admin", "it"])
PERSONA_SHARES = [0.86, 0.10, 0.025, 0.015]

# Event mix per persona (names, weights); weights need not sum to 1.
EVENT_MIX: dict[str, dict[str, float]] = {
    "patron": {
        "page_viewed": 22,
        "search_submitted": 14,
        "search_input": 8,
        "result_clicked": 8,
        "suggestion_clicked": 2,
        "item_viewed": 12,
        "item_borrowed": 3,
        "hold_placed": 2,
        "item_renewed": 2,
        "item_returned": 1,
        "hold_cancelled": 0.5,
        "api_request": 12,
        "page_load": 5,
        "web_vital": 5,
        "feature_used": 2,
        "tab_switched": 1,
        "menu_clicked": 1,
        "js_error": 0.3,
        "backend_exception": 0.1,
    },
    "staff": {
        "page_viewed": 15,
        "search_submitted": 10,
        "search_input": 4,
        "result_clicked": 5,
        "item_viewed": 10,
        "item_borrowed": 10,
        "item_returned": 10,
        "item_renewed": 4,
        "hold_placed": 3,
        "hold_cancelled": 1,
        "api_request": 15,
        "page_load": 4,
        "web_vital": 3,
        "feature_used": 8,
        "tab_switched": 3,
        "menu_clicked": 3,
        "js_error": 0.4,
        "backend_exception": 0.2,
    },
}
CATEGORY = {
    "search_submitted": "user_action",
    "item_viewed": "user_action",
    "item_borrowed": "user_action",
    "item_renewed": "user_action",
    "hold_placed": "user_action",
    "item_returned": "user_action",
    "hold_cancelled": "user_action",
    "page_viewed": "navigation",
    "tab_switched": "navigation",
    "menu_clicked": "navigation",
    "search_input": "search",
    "suggestion_clicked": "search",
    "result_clicked": "search",
    "api_request": "performance",
    "page_load": "performance",
    "web_vital": "performance",
    "feature_used": "feature",
    "js_error": "error",
    "backend_exception": "error",
}
EVENT_NAMES = np.array(list(CATEGORY))
ENDPOINTS = np.array(
    [
        "/api/search",
        "/api/items/{id}",
        "/api/loans",
        "/api/loans/{id}/renew",
        "/api/holds",
        "/api/holds/{id}",
        "/api/patrons/{id}",
        "/api/suggest",
        "/api/covers/{id}",
        "/api/checkin",
        "/api/reports/daily",
        "/api/login",
    ]
)
METHODS = np.array(
    [
        "GET",
        "GET",
        "POST",
        "POST",
        "POST",
        "DELETE",
        "GET",
        "GET",
        "GET",
        "POST",
        "GET",
        "POST",
    ]
)
PAGES = np.array(
    [
        "/",
        "/search",
        "/item",
        "/account",
        "/account/loans",
        "/account/holds",
        "/staff/circulation",
        "/staff/catalogue",
        "/help",
        "/events",
    ]
)
FEATURES = np.array(
    [
        "dark_mode",
        "export_citation",
        "share_item",
        "save_list",
        "advanced_search",
        "bulk_checkin",
        "print_receipt",
        "email_receipt",
        "barcode_scan",
        "language_switch",
    ]
)
VITALS = {
    "LCP": (2000.0, 0.6),
    "INP": (150.0, 0.8),
    "CLS": (0.06, 0.9),
    "FCP": (1400.0, 0.5),
    "TTFB": (500.0, 0.7),
}
ERROR_TEMPLATES = [
    (
        "js_error",
        None,
        "TypeError: Cannot read properties of undefined (reading 'title') #{n}",
        "    at renderItem (https://opac.example.org/static/app.3f9a2b1c.js:10:5)",
    ),
    (
        "js_error",
        None,
        "Failed to fetch cover {n}",
        "    at loadCover (https://opac.example.org/static/covers.js:4:2)",
    ),
    (
        "js_error",
        None,
        "ReferenceError: gtag is not defined",
        "    at https://opac.example.org/static/analytics.js:1:1",
    ),
    (
        "backend_exception",
        "TimeoutError",
        "SIP2 server did not answer in {n} ms",
        'File "/srv/lms/circulation/sip2.py", line 88, in checkout',
    ),
    (
        "backend_exception",
        "KeyError",
        "'barcode' missing for item {n}",
        'File "/srv/lms/catalogue/items.py", line 12, in load_item',
    ),
]


@dataclass(frozen=True)
class Catalogue:
    item_ids: np.ndarray
    weights: np.ndarray
    titles: list[str]


def load_catalogue(rng: np.random.Generator) -> Catalogue:
    """Items weighted by Goodreads ratings count, or a Zipf law without it."""
    if BOOKS_CSV.exists():
        with BOOKS_CSV.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        ids = np.array([row["book_id"] for row in rows])
        weights = np.array([float(row["ratings_count"]) for row in rows])
        titles = [row["original_title"] or row["title"] for row in rows]
    else:
        ids = np.array([str(n) for n in range(1, 10_001)])
        weights = 1.0 / np.arange(1, 10_001)
        titles = [f"title {n}" for n in range(1, 10_001)]
    return Catalogue(ids, weights / weights.sum(), titles)


def _query_vocabulary(
    catalogue: Catalogue, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Raw queries (titles in several spellings) and their normalized forms."""
    titles = catalogue.titles[:3000]
    spellings = [
        t for title in titles for t in (title, title.upper(), f" {title.lower()}  ")
    ]
    raw = np.array(spellings)
    normalized = np.array([normalize_query(text) for text in spellings])
    return raw, normalized


def _session_sizes(n_events: int, rng: np.random.Generator) -> np.ndarray:
    sizes = rng.geometric(1 / 12, size=n_events // 6)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n_events)) + 1
    sizes = sizes[:count].copy()
    sizes[-1] -= int(ends[count - 1] - n_events)
    return sizes[sizes > 0]


def _pick(
    vocabulary: np.ndarray | list[str],
    indices: np.ndarray,
    mask: np.ndarray | None = None,
) -> pa.Array:
    """Strings VOCABULARY[INDICES] (null where MASK is false), built by Arrow:
    numpy's fixed-width string arrays are far slower at this size."""
    chosen = pa.array(indices.astype(np.int32), mask=None if mask is None else ~mask)
    dictionary = pa.array(list(vocabulary), type=pa.string())
    return pa.DictionaryArray.from_arrays(chosen, dictionary).cast(pa.string())


def _prefixed(
    prefix: str, numbers: np.ndarray, mask: np.ndarray | None = None
) -> pa.Array:
    text = pc.cast(pa.array(numbers, mask=None if mask is None else ~mask), pa.string())
    return pc.binary_join_element_wise(prefix, text, "")


def generate_events(n_events: int, seed: int = 7) -> pa.Table:
    """N_EVENTS events as an Arrow table with the events table's columns; the
    event_id column is left empty for the loader to fill."""
    rng = np.random.default_rng(seed)
    catalogue = load_catalogue(rng)
    sizes = _session_sizes(n_events, rng)
    n_sessions = len(sizes)
    n_ids = max(n_sessions // 6, 1)

    id_persona = rng.choice(4, size=n_ids, p=PERSONA_SHARES)
    session_owner = (n_ids * rng.random(n_sessions) ** 2).astype(np.int64)
    is_bot_session = rng.random(n_sessions) < 0.03
    has_session_id = rng.random(n_sessions) < 0.85
    hour_weights = np.array(
        [
            1,
            1,
            1,
            1,
            1,
            2,
            4,
            6,
            9,
            12,
            13,
            13,
            12,
            12,
            13,
            13,
            12,
            11,
            10,
            8,
            6,
            4,
            2,
            1,
        ],
        dtype=float,
    )
    hours = rng.choice(24, size=n_sessions, p=hour_weights / hour_weights.sum())
    starts_us = (
        int(PERIOD_START.timestamp() * 1e6)
        + rng.integers(0, PERIOD_DAYS, n_sessions) * 86_400_000_000
        + hours * 3_600_000_000
        + rng.integers(0, 3_600_000_000, n_sessions)
    )

    session_of = np.repeat(np.arange(n_sessions), sizes)
    first_index = np.cumsum(sizes) - sizes
    gaps_us = rng.exponential(45e6, n_events).astype(np.int64)
    gaps_us[first_index] = 0
    cumulative = np.cumsum(gaps_us)
    event_us = starts_us[session_of] + cumulative - cumulative[first_index][session_of]

    persona_idx = id_persona[session_owner][session_of]
    names = _draw_event_names(persona_idx, rng)
    columns = _payload_columns(names, session_of, first_index, catalogue, rng)
    bot = is_bot_session[session_of]
    interface_idx = np.where(
        persona_idx == 0, rng.choice(3, n_events, p=[0.8, 0.15, 0.05]), 3
    )
    persona_idx = np.where(bot, 4, persona_idx)

    data: dict[str, pa.Array] = {
        "event": _pick(EVENT_NAMES, names),
        "category": _pick([CATEGORY[name] for name in EVENT_NAMES], names),
        "event_time": pa.array(event_us, type=pa.timestamp("us", tz="UTC")),
        "received_at": pa.array(event_us + 150_000, type=pa.timestamp("us", tz="UTC")),
        "pseudonymous_id": _prefixed("p", session_owner[session_of]),
        "session_id": _prefixed("s", session_of, has_session_id[session_of]),
        "persona": _pick([*PERSONA_NAMES, "unknown"], persona_idx),
        "interface": _pick(["opac", "kiosk", "api", "staff"], interface_idx),
        "is_bot": pa.array(bot),
        "is_clock_corrected": pa.array(np.zeros(n_events, dtype=bool)),
        **columns,
    }
    return _with_all_columns(data, n_events)


def _code(name: str) -> int:
    return int(np.flatnonzero(EVENT_NAMES == name)[0])


def _draw_event_names(persona_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Event name codes (indices into EVENT_NAMES)."""
    names = np.empty(len(persona_idx), dtype=np.int32)
    for group, mask in (("patron", persona_idx == 0), ("staff", persona_idx != 0)):
        mix = EVENT_MIX[group]
        codes = np.array([_code(name) for name in mix])
        weights = np.array(list(mix.values()))
        names[mask] = rng.choice(codes, int(mask.sum()), p=weights / weights.sum())
    return names


def _is(names: np.ndarray, *events: str) -> np.ndarray:
    return np.isin(names, [_code(event) for event in events])


def _last_search_index(
    names: np.ndarray, session_of: np.ndarray, first_index: np.ndarray
) -> np.ndarray:
    """For each event, the index of the latest search at or before it in its
    session, or -1."""
    positions = np.where(_is(names, "search_submitted"), np.arange(len(names)), -1)
    latest = np.maximum.accumulate(positions)
    return np.where(latest >= first_index[session_of], latest, -1)


def _payload_columns(
    names: np.ndarray,
    session_of: np.ndarray,
    first_index: np.ndarray,
    catalogue: Catalogue,
    rng: np.random.Generator,
) -> dict[str, pa.Array]:
    n = len(names)
    raw_queries, normalized_queries = _query_vocabulary(catalogue, rng)
    zipf = 1.0 / np.arange(1, len(raw_queries) + 1) ** 0.9
    query_idx = rng.choice(len(raw_queries), n, p=zipf / zipf.sum())
    latest_search = _last_search_index(names, session_of, first_index)
    is_click = _is(names, "result_clicked")
    follows = is_click & (latest_search >= 0) & (rng.random(n) < 0.9)
    query_idx[follows] = query_idx[latest_search[follows]]
    has_query = _is(
        names,
        "search_submitted",
        "search_input",
        "suggestion_clicked",
        "result_clicked",
    )
    has_item = _is(
        names,
        "item_viewed",
        "item_borrowed",
        "item_renewed",
        "hold_placed",
        "item_returned",
        "hold_cancelled",
        "result_clicked",
    )
    is_search = _is(names, "search_submitted")
    is_api = _is(names, "api_request")
    is_vital = _is(names, "web_vital")

    results = np.where(rng.random(n) < 0.08, 0, rng.geometric(0.02, n))
    latency = rng.lognormal(np.log(120), 0.5, n)
    latency[rng.random(n) < 0.001] *= 40
    endpoint_idx = rng.integers(0, len(ENDPOINTS), n)
    status = np.where(
        rng.random(n) < 0.01, 503, np.where(rng.random(n) < 0.03, 404, 200)
    )
    vital_idx = rng.integers(0, len(VITALS), n)
    medians = np.array([m for m, _ in VITALS.values()])
    sigmas = np.array([s for _, s in VITALS.values()])
    item_idx = rng.choice(len(catalogue.item_ids), n, p=catalogue.weights)
    typed = pa.array

    return {
        "query": _pick(raw_queries, query_idx, has_query),
        "query_normalized": _pick(normalized_queries, query_idx, has_query),
        "results_count": typed(results, pa.int32(), mask=~is_search),
        "latency_ms": typed(latency, pa.float64(), mask=~is_search),
        "item_id": _pick(catalogue.item_ids, item_idx, has_item),
        "position": typed(
            rng.geometric(0.35, n),
            pa.int32(),
            mask=~(is_click | _is(names, "suggestion_clicked")),
        ),
        "outcome": _pick(
            ["success", "refused"],
            (rng.random(n) < 0.1).astype(int),
            _is(names, "item_borrowed", "item_renewed", "hold_placed"),
        ),
        "endpoint": _pick(ENDPOINTS, endpoint_idx, is_api),
        "method": _pick(METHODS, endpoint_idx, is_api),
        "status": typed(status, pa.int32(), mask=~is_api),
        "duration_ms": typed(
            rng.lognormal(np.log(80), 0.7, n), pa.float64(), mask=~is_api
        ),
        "metric_name": _pick(list(VITALS), vital_idx, is_vital),
        "metric_value": typed(
            rng.lognormal(np.log(medians[vital_idx]), sigmas[vital_idx]),
            pa.float64(),
            mask=~is_vital,
        ),
        "feature": _pick(
            FEATURES, rng.integers(0, len(FEATURES), n), _is(names, "feature_used")
        ),
        "page_path": _pick(PAGES, rng.integers(0, len(PAGES), n)),
        **_error_and_payload_columns(names, rng),
    }


def _error_and_payload_columns(
    names: np.ndarray, rng: np.random.Generator
) -> dict[str, pa.Array]:
    n = len(names)
    columns = {
        key: np.full(n, None, dtype=object)
        for key in ("message", "error_type", "error_fingerprint", "payload")
    }
    for index in np.flatnonzero(_is(names, "js_error", "backend_exception")):
        event_name = EVENT_NAMES[names[index]]
        templates = [t for t in ERROR_TEMPLATES if t[0] == event_name]
        event, sent_type, template, stack = templates[rng.integers(0, len(templates))]
        text = template.format(n=int(rng.integers(1, 99_999)))
        fingerprint = fingerprint_error(error_kind(event, None), sent_type, text, stack)
        columns["error_fingerprint"][index] = fingerprint[0]
        columns["message"][index] = text
        columns["error_type"][index] = sent_type
        columns["payload"][index] = '{"kind": "error"}' if event == "js_error" else "{}"
    loads = np.flatnonzero(_is(names, "page_load"))
    load_ms = rng.lognormal(np.log(900), 0.6, len(loads))
    paths = PAGES[rng.integers(0, len(PAGES), len(loads))]
    columns["payload"][loads] = [
        f'{{"path": "{path}", "load_ms": {value:.1f}}}'
        for path, value in zip(paths, load_ms, strict=True)
    ]
    return {key: pa.array(values, type=pa.string()) for key, values in columns.items()}


def _with_all_columns(data: dict[str, pa.Array], n_events: int) -> pa.Table:
    arrays = []
    for name, kind in EVENT_COLUMNS.items():
        array = data.get(name)
        if array is None:
            array = pa.nulls(n_events, type=kind)
        elif array.type != kind:
            array = pc.cast(array, kind)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=list(EVENT_COLUMNS))


def load_events(db_path: Path, table: pa.Table) -> None:
    """Bulk-load TABLE into a new database file, in event time order."""
    from lms_telemetry.storage import open_store

    open_store(db_path).close()  # creates the file with the project's schema
    connection = duckdb.connect(str(db_path))
    connection.execute("SET enable_progress_bar = false")
    connection.register("staged_events", table)
    connection.execute(
        "INSERT INTO events BY NAME SELECT * REPLACE (gen_random_uuid() AS event_id,"
        " payload::JSON AS payload, experiments::JSON AS experiments)"
        " FROM staged_events ORDER BY event_time"
    )
    connection.unregister("staged_events")
    connection.execute("CHECKPOINT")
    connection.close()
