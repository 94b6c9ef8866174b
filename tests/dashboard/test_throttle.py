"""Failed logins lock a name or an address for a while, by an injected clock."""

from __future__ import annotations

from lms_telemetry.dashboard.throttle import LoginThrottle, login_keys_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_account_locked_after_five_failures_until_the_first_expires() -> None:
    clock = Clock()
    throttle = LoginThrottle(window_seconds=900, clock=clock)
    keys = login_keys_for("Ada", "127.0.0.1")
    for _ in range(4):
        throttle.record_failure(key for key, _ in keys)
        clock.now += 10

    assert throttle.retry_after_seconds(keys) == 0
    throttle.record_failure(key for key, _ in keys)
    # First failure at 1000, window 900: free again at 1900; now is 1040.
    assert throttle.retry_after_seconds(keys) == 861
    clock.now = 1900.0
    assert throttle.retry_after_seconds(keys) == 0


def test_name_is_throttled_case_insensitively() -> None:
    throttle = LoginThrottle(clock=Clock())
    for _ in range(5):
        throttle.record_failure(key for key, _ in login_keys_for("ada", "10.0.0.1"))

    assert throttle.retry_after_seconds(login_keys_for("ADA", "127.0.0.2")) > 0
    assert throttle.retry_after_seconds(login_keys_for("grace", "127.0.0.2")) == 0


def test_address_locked_after_thirty_failures_across_names() -> None:
    throttle = LoginThrottle(clock=Clock())
    for attempt in range(30):
        keys = login_keys_for(f"name-{attempt}", "127.0.0.9")
        throttle.record_failure(key for key, _ in keys)

    assert throttle.retry_after_seconds(login_keys_for("fresh", "127.0.0.9")) > 0
    assert throttle.retry_after_seconds(login_keys_for("fresh", "127.0.0.8")) == 0


def test_forget_clears_the_failures_of_a_key() -> None:
    throttle = LoginThrottle(clock=Clock())
    keys = login_keys_for("ada", "127.0.0.1")
    for _ in range(5):
        throttle.record_failure(key for key, _ in keys)

    throttle.forget(keys[0][0])

    assert throttle.retry_after_seconds(keys[:1]) == 0
