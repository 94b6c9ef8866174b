"""Key periods, rotation, the key file's safety and destruction on schedule."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms_telemetry.privacy.keys import (
    KeyRing,
    PrivacyKeyError,
    is_period_expired,
    parse_key_setting,
    period_bounds,
    period_label,
)

MARCH_14 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "label", "start", "end"),
    [
        (
            "month",
            "2026-03",
            datetime(2026, 3, 1, tzinfo=UTC),
            datetime(2026, 4, 1, tzinfo=UTC),
        ),
        (
            "week",
            "2026-W11",
            datetime(2026, 3, 9, tzinfo=UTC),
            datetime(2026, 3, 16, tzinfo=UTC),
        ),
        (
            "day",
            "2026-03-14",
            datetime(2026, 3, 14, tzinfo=UTC),
            datetime(2026, 3, 15, tzinfo=UTC),
        ),
    ],
)
def test_period_label_and_bounds_agree(
    period: str, label: str, start: datetime, end: datetime
) -> None:
    assert period_label(MARCH_14, period) == label
    assert period_bounds(label) == (start, end)


def test_december_month_ends_in_january() -> None:
    assert period_bounds("2025-12")[1] == datetime(2026, 1, 1, tzinfo=UTC)


def test_unknown_period_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(PrivacyKeyError, match="privacy.key_period: 'year'"):
        KeyRing(tmp_path / "keys", "year")


def test_key_is_stable_within_a_period_and_rotates_at_its_end(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", "month")
    march = ring.key_for("device", datetime(2026, 3, 1, tzinfo=UTC))
    late_march = ring.key_for("device", datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    april = ring.key_for("device", datetime(2026, 4, 1, tzinfo=UTC))

    assert march == late_march
    assert april != march
    assert len(march) == 32


def test_each_purpose_has_its_own_key(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", "month")
    keys = {ring.key_for(p, MARCH_14) for p in ("device", "account", "session")}

    assert len(keys) == 3


def test_key_file_is_private_and_shared_between_rings(tmp_path: Path) -> None:
    first = KeyRing(tmp_path / "keys", "month")
    key = first.key_for("account", MARCH_14)
    second = KeyRing(tmp_path / "keys", "month")

    assert stat.S_IMODE(os.stat(tmp_path / "keys").st_mode) == 0o600
    assert second.key_for("account", MARCH_14) == key
    stored = json.loads((tmp_path / "keys").read_text())["keys"]
    assert stored["account"] == {"2026-03": key.hex()}


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    KeyRing(tmp_path / "keys", "month").key_for("device", MARCH_14)
    os.chmod(tmp_path / "keys", 0o644)

    with pytest.raises(PrivacyKeyError, match="mode 0644; expected 0600"):
        KeyRing(tmp_path / "keys", "month").key_for("device", MARCH_14)


def test_keys_are_destroyed_when_their_period_leaves_retention(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", "month")
    for month in (1, 2, 3):
        ring.key_for("device", datetime(2026, month, 10, tzinfo=UTC))

    # January ends Feb 1; with 30 days' retention it may go from Mar 3 on.
    destroyed = ring.destroy_expired(datetime(2026, 3, 3, tzinfo=UTC), 30)

    assert destroyed == ["device/2026-01"]
    assert set(ring.live_keys("device")) == {"2026-02", "2026-03"}
    assert "2026-01" not in (tmp_path / "keys").read_text()


def test_nothing_is_destroyed_a_moment_before_the_schedule(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", "month")
    ring.key_for("device", datetime(2026, 1, 10, tzinfo=UTC))

    assert ring.destroy_expired(datetime(2026, 3, 2, 23, 59, tzinfo=UTC), 30) == []


def test_cookieless_key_lives_for_one_day(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys", "month")
    monday = ring.key_for("cookieless", datetime(2026, 3, 9, 23, 0, tzinfo=UTC))
    tuesday = ring.key_for("cookieless", datetime(2026, 3, 10, 1, 0, tzinfo=UTC))

    assert monday != tuesday
    assert list(ring.live_keys("cookieless")) == ["2026-03-10"]
    assert ring.destroy_expired(datetime(2026, 3, 11, tzinfo=UTC), 180) == [
        "cookieless/2026-03-10"
    ]


def test_keys_from_the_environment_are_used_and_not_written(tmp_path: Path) -> None:
    key_hex = "ab" * 32
    env = parse_key_setting(json.dumps({"device": {"2026-03": key_hex}}))
    ring = KeyRing(tmp_path / "keys", "month", env)

    assert ring.key_for("device", MARCH_14) == bytes.fromhex(key_hex)
    assert not (tmp_path / "keys").exists()
    with pytest.raises(PrivacyKeyError, match="no 'device' key for period '2026-04'"):
        ring.key_for("device", datetime(2026, 4, 2, tzinfo=UTC))


def test_expired_environment_keys_are_dropped(tmp_path: Path) -> None:
    env = parse_key_setting(json.dumps({"account": {"2025-01": "cd" * 32}}))
    ring = KeyRing(tmp_path / "keys", "month", env)

    assert ring.destroy_expired(MARCH_14, 180) == ["account/2025-01"]
    assert ring.live_keys("account") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "privacy.keys is not valid JSON"),
        ('{"cookieless": {}}', "'cookieless' is not a purpose"),
        ('{"device": {"2026-03": "abc"}}', "privacy.keys.device.2026-03 must be 64"),
        ('{"device": {"March": "' + "ab" * 32 + '"}}', "'March' is not a period label"),
    ],
)
def test_bad_key_setting_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(PrivacyKeyError, match=message):
        parse_key_setting(text)


def test_period_expiry_counts_from_the_period_end() -> None:
    assert not is_period_expired("2026-03", datetime(2026, 4, 30, tzinfo=UTC), 30)
    assert is_period_expired("2026-03", datetime(2026, 5, 1, tzinfo=UTC), 30)
