"""User agents reduced to browser, OS, device class and a bot flag."""

from __future__ import annotations

import pytest

from lms_telemetry.privacy.useragent import DeviceFacts, reduce_user_agent

CASES = [
    (
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0.0.0 Safari/537.36"
        ),
        DeviceFacts("Chrome", 124, "Windows", "desktop", False),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
        DeviceFacts("Firefox", 125, "Mac OS X", "desktop", False),
    ),
    (
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
        ),
        DeviceFacts("Mobile Safari", 17, "iOS", "mobile", False),
    ),
    (
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
        ),
        DeviceFacts("Mobile Safari", 17, "iOS", "tablet", False),
    ),
    (
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0 Mobile Safari/537.36"
        ),
        DeviceFacts("Chrome", 124, "Android", "mobile", False),
    ),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        DeviceFacts("Googlebot", 2, None, "bot", True),
    ),
    (
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " HeadlessChrome/120.0.0.0 Safari/537.36"
        ),
        DeviceFacts("HeadlessChrome", 120, "Linux", "bot", True),
    ),
    ("python-requests/2.31.0", DeviceFacts("Python Requests", 2, None, "bot", True)),
    ("curl/8.5.0", DeviceFacts("curl", 8, None, "bot", True)),
    ("Go-http-client/1.1", DeviceFacts("Go-http-client", 1, None, "bot", True)),
    ("python-httpx/0.27.0", DeviceFacts(None, None, None, "bot", True)),
    (None, DeviceFacts(None, None, None, "other", False)),
    ("", DeviceFacts(None, None, None, "other", False)),
]


@pytest.mark.parametrize(("user_agent", "expected"), CASES)
def test_user_agent_is_reduced(user_agent: str | None, expected: DeviceFacts) -> None:
    assert reduce_user_agent(user_agent) == expected


def test_without_bot_signal_clears_the_flag_and_the_bot_class() -> None:
    cleared = reduce_user_agent("python-httpx/0.27.0").without_bot_signal()

    assert (cleared.is_bot, cleared.device_class) == (False, "other")
