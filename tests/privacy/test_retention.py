"""Retention deletes old events and quarantine per category and destroys keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from lms_telemetry.config import Config
from lms_telemetry.privacy.journal import journal_entries
from lms_telemetry.privacy.keys import KeyRing
from lms_telemetry.privacy.retention import (
    RetentionSettingError,
    retention_days_by_category,
    run_retention,
)
from lms_telemetry.storage import Store, open_store
from tests.privacy.conftest import SCHEMA, count, insert_event, insert_quarantined

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def test_events_older_than_their_category_retention_are_deleted(
    make_config: Callable[..., Config],
) -> None:
    config = make_config(
        privacy__retention_days=180,
        privacy__retention_days_by_category={"performance": 30},
    )
    store = open_store(config.db_path)
    kept = insert_event(store, NOW - timedelta(days=179), category="navigation")
    insert_event(store, NOW - timedelta(days=181), category="navigation")
    insert_event(
        store, NOW - timedelta(days=31), category="performance", event="page_load"
    )
    fresh = insert_event(
        store, NOW - timedelta(days=29), category="performance", event="page_load"
    )

    report = run_retention(store, config, NOW, schema=SCHEMA)

    assert report.events_deleted == {"navigation": 1, "performance": 1}
    ids = {
        row[0]
        for row in store.query("SELECT CAST(event_id AS VARCHAR) FROM events").rows
    }
    assert ids == {kept, fresh}
    store.close()


def test_quarantine_is_kept_thirty_days(config: Config, store: Store) -> None:
    insert_quarantined(store, NOW - timedelta(days=31), "{}")
    insert_quarantined(store, NOW - timedelta(days=29), "{}")

    report = run_retention(store, config, NOW, schema=SCHEMA)

    assert report.quarantine_deleted == 1
    assert count(store, "quarantine") == 1


def test_keys_go_after_their_period_plus_the_longest_retention(
    make_config: Callable[..., Config],
) -> None:
    config = make_config(
        privacy__retention_days=30,
        privacy__retention_days_by_category={"error": 60},
    )
    store = open_store(config.db_path)
    keys = KeyRing.from_config(config)
    for month in (6, 7, 8):
        keys.key_for("device", datetime(2026, month, 5, tzinfo=UTC))

    # June ends Jul 1 (+60 days = Aug 30): gone. July ends Aug 1 (+60 = Sep 30).
    report = run_retention(store, config, NOW, schema=SCHEMA, keys=keys)

    assert report.keys_destroyed == ["device/2026-06"]
    assert set(keys.live_keys("device")) == {"2026-07", "2026-08"}
    store.close()


def test_every_run_is_journalled_with_counts_only(config: Config, store: Store) -> None:
    insert_event(store, NOW - timedelta(days=200), device_pseudonym="d_" + "0" * 32)

    run_retention(store, config, NOW, schema=SCHEMA)

    entries = journal_entries(store, "retention")
    assert [e["details"] for e in entries] == [
        {
            "events_deleted": {"navigation": 1},
            "keys_destroyed": [],
            "quarantine_deleted": 0,
        }
    ]


def test_every_schema_category_gets_a_retention(config: Config) -> None:
    days = retention_days_by_category(config, SCHEMA)

    assert days == dict.fromkeys(
        sorted({SCHEMA.category_of(n) for n in SCHEMA.event_names()}), 180
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"searches": 10},
            "retention_days_by_category.searches: 'searches' is not a category",
        ),
        ({"search": 0}, "retention_days_by_category.search: 0 is not a whole number"),
        (
            {"search": "ten"},
            "retention_days_by_category.search: 'ten' is not a whole number",
        ),
    ],
)
def test_bad_retention_setting_names_the_field(
    make_config: Callable[..., Config], overrides: dict[str, object], message: str
) -> None:
    config = make_config(privacy__retention_days_by_category=overrides)

    with pytest.raises(RetentionSettingError, match=message):
        retention_days_by_category(config, SCHEMA)
