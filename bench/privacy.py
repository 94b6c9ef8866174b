"""Privacy gate cost and scrubbing quality, beside Microsoft Presidio's analyzer.

1. Per-event cost on realistic traffic (searches with goodbooks titles and
   authors, page views, API timings, errors with stacks; one event in ten
   carries personal data): our scrubbing of every free-text field, and the
   whole gate (pseudonyms, scrubbing, user agent), median and p99, beside
   Presidio analysing the same fields. Target: scrubbing median < 20 us.
2. The test corpus: recall per kind (a personal datum counts as found when
   ours leaves exactly the expected text, or when a Presidio result covers
   the whole datum), false positives on the look-alikes (ours: the text
   changed; Presidio: any result, and results of the five entity types that
   match our kinds), and time per string.

Presidio runs with its predefined pattern recognizers only: a no-op NLP
engine, no spaCy model, and tldextract pinned to its bundled suffix list so
nothing is fetched from the network.

    .venv/bin/python bench/privacy.py [--events 3000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms_telemetry.config import Config
from lms_telemetry.privacy.gate import PrivacyGate, RequestFacts
from lms_telemetry.schema import EventSchema
from tests.privacy.corpus import (
    ITEM_BARCODES,
    LOOK_ALIKES,
    PATRON_BARCODES,
    goodbooks_isbns,
    goodbooks_rows,
    pii_cases,
)

TARGET_MICROS = 20.0
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/124.0.0.0 Safari/537.36"
)
# Presidio entity types that correspond to one of our kinds.
PRESIDIO_KINDS = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip",
}
FALLBACK_BOOKS = [
    ("The Hunger Games", "Suzanne Collins"),
    ("1984", "George Orwell"),
    ("Fahrenheit 451", "Ray Bradbury"),
    ("The Hobbit", "J.R.R. Tolkien"),
]
PII_SNIPPETS = [
    "jane.doe@example.com",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "123-45-6789",
    "192.168.1.20",
    PATRON_BARCODES[0],
    "(555) 234-5678",
]


def build_presidio() -> Any:
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=())
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    engine.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine, languages=["en"])
    return AnalyzerEngine(
        nlp_engine=engine, registry=registry, supported_languages=["en"]
    )


def realistic_events(count: int, rng: random.Random) -> list[dict[str, Any]]:
    books = [(r["title"], r["authors"]) for r in goodbooks_rows()] or FALLBACK_BOOKS
    makers: list[Callable[[str, str], dict[str, Any]]] = [
        _search,
        _search,
        _page_view,
        _page_view,
        _result_click,
        _api_request,
        _api_request,
        _js_error,
    ]
    events = []
    for index in range(count):
        title, author = rng.choice(books)
        event = rng.choice(makers)(title, author)
        if index % 10 == 0:
            _add_personal_datum(event, rng.choice(PII_SNIPPETS))
        event["anonymous_id"] = f"browser-{rng.randrange(500)}"
        event["session_id"] = f"session-{rng.randrange(2000)}"
        events.append(event)
    return events


def _search(title: str, author: str) -> dict[str, Any]:
    return {
        "event": "search_submitted",
        "page": {"path": "/opac/search", "title": "Search"},
        "payload": {
            "query": f"{title} {author.split(',')[0]}",
            "results_count": 12,
            "filters": {"format": "book", "language": ["eng"]},
        },
    }


def _page_view(title: str, author: str) -> dict[str, Any]:
    path = f"/opac/record/{abs(hash(title)) % 100000}"
    return {
        "event": "page_viewed",
        "page": {
            "path": path,
            "title": title,
            "referrer_path": "/opac/search?q=tolkien&page=2",
        },
        "payload": {"path": path, "title": title, "load_ms": 310},
    }


def _result_click(title: str, author: str) -> dict[str, Any]:
    return {
        "event": "result_clicked",
        "payload": {
            "query": author.split(",")[0],
            "item_id": "b1234567",
            "position": 3,
        },
    }


def _api_request(title: str, author: str) -> dict[str, Any]:
    return {
        "event": "api_request",
        "payload": {
            "endpoint": "/api/v1/items/{id}/holds",
            "method": "GET",
            "status": 200,
            "duration_ms": 41,
        },
    }


def _js_error(title: str, author: str) -> dict[str, Any]:
    stack = (
        "TypeError: Cannot read properties of undefined (reading 'title')\n"
        "    at renderRecord (https://opac.example.org/js/record.js?v=12:88:17)\n"
        "    at HTMLDocument.<anonymous> (https://opac.example.org/js/app.js:12:3)"
    )
    return {
        "event": "js_error",
        "payload": {
            "message": f"cannot render {title}",
            "kind": "error",
            "stack": stack,
        },
    }


def _add_personal_datum(event: dict[str, Any], datum: str) -> None:
    payload = event["payload"]
    for field in ("query", "message", "path"):
        if field in payload:
            payload[field] = f"{payload[field]} {datum}"
            return
    payload["endpoint"] = f"/api/v1/patrons/{datum}/loans"


def free_texts(schema: EventSchema, event: dict[str, Any]) -> list[str]:
    texts = []
    for path in schema.free_text_paths(event["event"]):
        texts += _values_at(event, path)
    return texts


def _values_at(node: Any, path: tuple[str, ...]) -> list[str]:
    if not path:
        return [node] if isinstance(node, str) else []
    head, rest = path[0], path[1:]
    if head == "*":
        children = (
            node.values()
            if isinstance(node, dict)
            else node
            if isinstance(node, list)
            else []
        )
        return [v for child in children for v in _values_at(child, rest)]
    return (
        _values_at(node[head], rest) if isinstance(node, dict) and head in node else []
    )


def timings_micros(
    action: Callable[[Any], object], items: Iterable[Any]
) -> list[float]:
    spent = []
    for item in items:
        started = time.perf_counter_ns()
        action(item)
        spent.append((time.perf_counter_ns() - started) / 1000)
    return spent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_events(
    gate: PrivacyGate, presidio: Any, schema: EventSchema, count: int
) -> None:
    events = realistic_events(count, random.Random(7))
    fields = [free_texts(schema, event) for event in events]
    facts = RequestFacts("203.0.113.9", CHROME, datetime.now(UTC))
    scrub = gate.scrubber.scrub

    for texts in fields[:200]:  # warm caches and regex compilation
        [scrub(t) for t in texts]
    ours = timings_micros(lambda texts: [scrub(t) for t in texts], fields)
    whole = timings_micros(lambda event: gate.protect(event, facts), events)
    theirs = timings_micros(
        lambda texts: [presidio.analyze(t, language="en") for t in texts], fields
    )
    print(
        f"\n1. Per event, {len(events)} realistic events "
        f"({statistics.mean(len(f) for f in fields):.1f} free-text fields each)"
    )
    print(f"{'':34}{'median us':>12}{'p99 us':>12}")
    for name, values in (
        ("ours: scrubbing", ours),
        ("ours: whole gate.protect", whole),
        ("Presidio analyzer (patterns)", theirs),
    ):
        print(
            f"{name:34}{statistics.median(values):12.2f}{percentile(values, 0.99):12.2f}"
        )
    print(
        f"Presidio / ours (scrubbing), median: {statistics.median(theirs) / statistics.median(ours):.0f}x;"
        f" target median < {TARGET_MICROS:.0f} us: "
        f"{'met' if statistics.median(ours) < TARGET_MICROS else 'NOT met'}"
    )


def covered(results: list[Any], start: int, end: int, types: set[str] | None) -> bool:
    return any(
        r.start <= start and r.end >= end and (types is None or r.entity_type in types)
        for r in results
    )


def measure_corpus(gate: PrivacyGate, presidio: Any) -> None:
    cases = pii_cases()
    look_alikes = list(LOOK_ALIKES) + list(ITEM_BARCODES) + goodbooks_isbns(100)
    look_alikes += [r["title"] for r in goodbooks_rows(300)] + [
        r["authors"] for r in goodbooks_rows(300)
    ]
    found: dict[str, list[int]] = {}
    ours_time: list[float] = []
    theirs_time: list[float] = []
    for case in cases:
        text = case.text
        started = time.perf_counter_ns()
        is_ours = gate.scrubber.scrub(text) == case.expected
        ours_time.append((time.perf_counter_ns() - started) / 1000)
        started = time.perf_counter_ns()
        results = presidio.analyze(text, language="en")
        theirs_time.append((time.perf_counter_ns() - started) / 1000)
        start = text.index(case.value)
        is_theirs = covered(results, start, start + len(case.value), None)
        tally = found.setdefault(case.kind, [0, 0, 0])
        tally[0] += 1
        tally[1] += is_ours
        tally[2] += is_theirs
    _print_recall(found, len(cases))
    _print_false_positives(gate, presidio, look_alikes, ours_time, theirs_time)


def _print_recall(found: dict[str, list[int]], total: int) -> None:
    print(f"\n2. Recall on the corpus ({total} personal data in context)")
    print(f"{'kind':10}{'cases':>7}{'ours':>9}{'Presidio':>10}")
    ours_all = theirs_all = 0
    for kind, (cases, ours, theirs) in sorted(found.items()):
        print(f"{kind:10}{cases:7}{ours / cases:9.0%}{theirs / cases:10.0%}")
        ours_all += ours
        theirs_all += theirs
    print(f"{'all':10}{total:7}{ours_all / total:9.0%}{theirs_all / total:10.0%}")
    shared = {k: v for k, v in found.items() if k in PRESIDIO_KINDS.values()}
    n = sum(v[0] for v in shared.values())
    print(
        f"{'5 shared':10}{n:7}{sum(v[1] for v in shared.values()) / n:9.0%}"
        f"{sum(v[2] for v in shared.values()) / n:10.0%}"
        "   (kinds Presidio has: email, phone, card, ssn, ip)"
    )


def _print_false_positives(
    gate: PrivacyGate,
    presidio: Any,
    texts: list[str],
    ours_time: list[float],
    theirs_time: list[float],
) -> None:
    ours_fp = theirs_any = theirs_shared = 0
    for text in texts:
        started = time.perf_counter_ns()
        ours_fp += gate.scrubber.scrub(text) != text
        ours_time.append((time.perf_counter_ns() - started) / 1000)
        started = time.perf_counter_ns()
        results = presidio.analyze(text, language="en")
        theirs_time.append((time.perf_counter_ns() - started) / 1000)
        theirs_any += bool(results)
        theirs_shared += any(r.entity_type in PRESIDIO_KINDS for r in results)
    print(
        f"\n3. False positives on {len(texts)} look-alikes (ISBN, ISSN, call numbers,"
        " dates, item barcodes, goodbooks titles and authors)"
    )
    print(
        f"ours: {ours_fp}   Presidio, any entity: {theirs_any}"
        f"   Presidio, the 5 shared types: {theirs_shared}"
    )
    ours_median, theirs_median = (
        statistics.median(ours_time),
        statistics.median(theirs_time),
    )
    print(
        f"\n4. Time per corpus string, median: ours {ours_median:.2f} us,"
        f" Presidio {theirs_median:.2f} us, ratio {theirs_median / ours_median:.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    arguments = parser.parse_args()
    if not goodbooks_rows():
        print("../shared/data is absent: realistic events use a few built-in titles")
    schema = EventSchema.load()
    presidio = build_presidio()
    with TemporaryDirectory() as folder:
        config = Config.load(overrides={"db": f"{folder}/bench.duckdb"}, environ={})
        gate = PrivacyGate(config, schema)
        measure_events(gate, presidio, schema, arguments.events)
        measure_corpus(gate, presidio)


if __name__ == "__main__":
    main()
