"""User-agent reduction: browser, OS, device class and a bot flag, nothing else.

The raw string is parsed with ua-parser and then forgotten; only the reduced
fields are stored. Results are cached, since a site sees few distinct agents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ua_parser import parse

DEVICE_CLASSES = ("desktop", "mobile", "tablet", "bot", "other")

# Scripted clients and automation that ua-parser reports as ordinary
# families (or not at all): HTTP libraries, command-line tools, headless
# and driven browsers, audit tools.
_AUTOMATION = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|headless|phantomjs|selenium|webdriver"
    r"|puppeteer|playwright|lighthouse|python-|python/|urllib|httpx|aiohttp"
    r"|requests/|curl/|wget/|go-http-client|okhttp|java/|apache-httpclient"
    r"|libwww-perl|node-fetch|undici|axios/|postmanruntime|httpie|scrapy"
    r"|guzzlehttp|ruby|faraday|dart:io|insomnia|k6/|jmeter",
    re.IGNORECASE,
)
_DESKTOP_OS = frozenset(
    [
        "Windows",
        "Mac OS X",
        "Linux",
        "Ubuntu",
        "Fedora",
        "Debian",
        "Chrome OS",
        "ChromeOS",
        "FreeBSD",
        "OpenBSD",
        "NetBSD",
        "Solaris",
        "macOS",
    ]
)
_MOBILE_OS = frozenset(("iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS"))
_TABLET_DEVICES = re.compile(
    r"ipad|tablet|kindle|silk|playbook|sm-t\d|tab", re.IGNORECASE
)


@dataclass(frozen=True)
class DeviceFacts:
    """What is kept of a user agent."""

    browser_family: str | None
    browser_major: int | None
    os_family: str | None
    device_class: str
    is_bot: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "browser_family": self.browser_family,
            "browser_major": self.browser_major,
            "os_family": self.os_family,
            "device_class": self.device_class,
            "is_bot": self.is_bot,
        }

    def without_bot_signal(self) -> DeviceFacts:
        """The same facts with the bot flag cleared (for a back end's own agent)."""
        if not self.is_bot:
            return self
        return DeviceFacts(
            self.browser_family, self.browser_major, self.os_family, "other", False
        )


UNKNOWN_DEVICE = DeviceFacts(None, None, None, "other", False)


@lru_cache(maxsize=4096)
def reduce_user_agent(user_agent: str | None) -> DeviceFacts:
    """Reduce a raw User-Agent string to the fields that may be stored."""
    if not user_agent or not user_agent.strip():
        return UNKNOWN_DEVICE
    result = parse(user_agent)
    browser = result.user_agent
    family = browser.family if browser and browser.family != "Other" else None
    major_text = browser.major if browser else None
    major = int(major_text) if major_text and major_text.isdigit() else None
    os_family = result.os.family if result.os and result.os.family != "Other" else None
    device = result.device.family if result.device else ""
    is_bot = device == "Spider" or bool(_AUTOMATION.search(user_agent))
    return DeviceFacts(
        family,
        major,
        os_family,
        _device_class(user_agent, os_family, device, is_bot),
        is_bot,
    )


def _device_class(
    user_agent: str, os_family: str | None, device: str, is_bot: bool
) -> str:
    if is_bot:
        return "bot"
    if _TABLET_DEVICES.search(device) or "iPad" in user_agent:
        return "tablet"
    if os_family == "Android":
        return "mobile" if "Mobile" in user_agent else "tablet"
    if os_family in _MOBILE_OS or "Mobi" in user_agent:
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "other"
