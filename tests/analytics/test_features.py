"""The features report: feature_used by feature, user actions by name."""

from __future__ import annotations

from lms_telemetry.analytics import features
from lms_telemetry.storage import Store
from tests.analytics.events import at, load, make_event


def test_rows_by_persona_then_events_descending(store: Store) -> None:
    rows = [
        make_event("feature_used", at(0), feature="dark_mode", pseudonymous_id="a"),
        make_event("feature_used", at(1), feature="dark_mode", pseudonymous_id="a"),
        make_event("feature_used", at(2), feature="share", pseudonymous_id="b"),
        make_event("item_viewed", at(3), item_id="1", pseudonymous_id="c"),
        make_event("page_viewed", at(4)),  # navigation: not a feature
        make_event("item_borrowed", at(5), item_id="1", persona="librarian"),
        make_event("feature_used", at(6), feature="share", is_bot=True),
    ]
    load(store, rows)
    assert features.report(store, "2024-05-06", "2024-05-07")["rows"] == [
        {
            "persona": "librarian",
            "feature": "item_borrowed",
            "events": 1,
            "pseudonymous_ids": 1,
        },
        {
            "persona": "patron",
            "feature": "dark_mode",
            "events": 2,
            "pseudonymous_ids": 1,
        },
        {
            "persona": "patron",
            "feature": "item_viewed",
            "events": 1,
            "pseudonymous_ids": 1,
        },
        {"persona": "patron", "feature": "share", "events": 1, "pseudonymous_ids": 1},
    ]
