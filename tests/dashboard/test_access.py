"""Who may see what: logins, roles, CSRF, throttling and security headers."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.dashboard.conftest import (
    ADMIN_PAGES,
    PAGE_PATHS,
    REPORT_NAMES,
    THROTTLED_NAME,
    VIEWER_NAME,
    Dashboard,
)

# Every event of the test traffic, within the longest period a report spans.
EVERYTHING = "since=2020-01-01&until=2030-01-01"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_token(client: httpx.Client) -> str:
    page = client.get("/login")
    match = CSRF_INPUT.search(page.text)
    assert match, "the login form carries no CSRF token"
    return match.group(1)


def log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post("/login", data={
        "name": name, "password": password, "csrf_token": csrf_token(client),
        "next": "/dashboard/",
    })


@pytest.fixture
def browser(dashboard: Dashboard) -> httpx.Client:
    return httpx.Client(base_url=dashboard.url, timeout=60)


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_page_redirects_to_login_without_a_login(
    browser: httpx.Client, page: str
) -> None:
    response = browser.get(PAGE_PATHS[page] + "?period=7d")

    assert response.status_code == 303
    encoded = (PAGE_PATHS[page] + "?period=7d").replace("/", "%2F")
    encoded = encoded.replace("?", "%3F").replace("=", "%3D")
    assert response.headers["location"] == "/login?next=" + encoded


def test_root_redirects_to_the_dashboard(browser: httpx.Client) -> None:
    response = browser.get("/")

    assert response.status_code == 307
    assert response.headers["location"] == "/dashboard/"


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_report_route_answers_401_without_credentials(
    browser: httpx.Client, name: str
) -> None:
    response = browser.get(f"/api/reports/{name}?{EVERYTHING}")

    assert response.status_code == 401
    assert "Basic" in response.headers["www-authenticate"]


def test_report_route_accepts_an_account_over_http_basic(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    right = browser.get(
        f"/api/reports/overview?{EVERYTHING}",
        auth=(VIEWER_NAME, dashboard.viewer_password),
    )
    wrong = browser.get(
        f"/api/reports/overview?{EVERYTHING}", auth=(VIEWER_NAME, "not-the-password")
    )

    assert (right.status_code, wrong.status_code) == (200, 401)
    assert right.json()["events"] == dashboard.report("overview", EVERYTHING)["events"]


def test_report_route_accepts_the_dashboard_login(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    log_in(browser, VIEWER_NAME, dashboard.viewer_password)

    response = browser.get(f"/api/reports/overview?{EVERYTHING}")

    assert response.status_code == 200
    assert response.json()["events"] > 0


def test_admin_route_refuses_a_viewer_with_403(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    response = browser.get(
        "/api/admin/status", auth=(VIEWER_NAME, dashboard.viewer_password)
    )

    assert response.status_code == 403


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_page_answers_403_to_a_viewer(
    browser: httpx.Client, dashboard: Dashboard, page: str
) -> None:
    log_in(browser, VIEWER_NAME, dashboard.viewer_password)

    response = browser.get(PAGE_PATHS[page])

    assert response.status_code == 403
    assert "needs the admin role" in response.text


def test_viewer_navigation_hides_admin_pages(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    log_in(browser, VIEWER_NAME, dashboard.viewer_password)

    page = browser.get("/dashboard/privacy")

    assert page.status_code == 200
    assert 'href="/dashboard/data-quality' not in page.text
    assert 'href="/dashboard/search' in page.text


def test_login_with_right_password_sets_a_strict_httponly_cookie(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    response = log_in(browser, "admin", dashboard.admin_password)

    assert response.status_code == 303
    cookie = next(
        value for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith("lms_telemetry_login=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    # Plain HTTP on loopback: a Secure cookie would never come back.
    assert "secure" not in flags


def test_a_new_browser_never_rides_on_someone_elses_login(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    log_in(browser, "admin", dashboard.admin_password)

    # Several tries, so that requests reach every ingest worker's proxy.
    strangers = [
        httpx.get(f"{dashboard.url}/dashboard/privacy").status_code
        for _ in range(6)
    ]

    assert strangers == [303] * 6


def test_login_with_wrong_password_is_refused_with_401(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    response = log_in(browser, VIEWER_NAME, "wrong-password-1")

    assert response.status_code == 401
    assert "Wrong name or password." in response.text
    assert "lms_telemetry_login" not in response.headers.get("set-cookie", "")


def test_login_post_without_csrf_token_is_refused(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    browser.get("/login")

    response = browser.post("/login", data={
        "name": "admin", "password": dashboard.admin_password,
    })

    assert response.status_code == 403
    assert "lms_telemetry_login" not in response.headers.get("set-cookie", "")


def test_login_post_with_another_browsers_token_is_refused(
    dashboard: Dashboard,
) -> None:
    other = httpx.Client(base_url=dashboard.url)
    victim = httpx.Client(base_url=dashboard.url)
    stolen_token = csrf_token(other)
    victim.get("/login")

    response = victim.post("/login", data={
        "name": "admin", "password": dashboard.admin_password,
        "csrf_token": stolen_token,
    })

    assert response.status_code == 403


def test_post_from_another_origin_is_refused(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    token = csrf_token(browser)

    response = browser.post(
        "/login",
        data={"name": "admin", "password": dashboard.admin_password,
              "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403


def test_logout_without_csrf_token_keeps_the_login(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    log_in(browser, VIEWER_NAME, dashboard.viewer_password)

    refused = browser.post("/logout")
    still_in = browser.get("/dashboard/privacy")

    assert refused.status_code == 403
    assert still_in.status_code == 200


def test_logout_with_csrf_token_ends_the_login(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    log_in(browser, VIEWER_NAME, dashboard.viewer_password)
    token = CSRF_INPUT.search(browser.get("/dashboard/privacy").text)

    assert token is not None
    response = browser.post("/logout", data={"csrf_token": token.group(1)})

    assert response.status_code == 303
    assert browser.get("/dashboard/privacy").status_code == 303


def test_forged_login_cookie_is_ignored(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    browser.cookies.set("lms_telemetry_login", '{"name": "admin"}.forged.sig')

    assert browser.get("/dashboard/").status_code == 303


def test_login_target_outside_the_dashboard_is_ignored(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    response = browser.post("/login", data={
        "name": VIEWER_NAME, "password": dashboard.viewer_password,
        "csrf_token": csrf_token(browser), "next": "//evil.example/steal",
    })

    assert response.headers["location"] == "/dashboard/"


def test_repeated_failed_logins_lock_the_account_for_a_while(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    failures = [
        log_in(browser, THROTTLED_NAME, f"guess-number-{attempt}").status_code
        for attempt in range(5)
    ]

    locked = log_in(browser, THROTTLED_NAME, dashboard.viewer_password)

    assert failures == [401] * 5
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert log_in(browser, VIEWER_NAME, dashboard.viewer_password).status_code == 303


@pytest.mark.parametrize(
    "path", ["/login", "/dashboard/", "/dashboard/static/dashboard.js", "/healthz"]
)
def test_security_headers_on_every_response(
    browser: httpx.Client, path: str
) -> None:
    response = browser.get(path)

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_no_page_has_an_inline_script(
    browser: httpx.Client, dashboard: Dashboard
) -> None:
    log_in(browser, "admin", dashboard.admin_password)
    inline_script = re.compile(r'<script(?![^>]*(\bsrc=|type="application/json"))')
    event_handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)

    login_page = httpx.get(f"{dashboard.url}/login")
    assert not inline_script.search(login_page.text)
    for path in PAGE_PATHS.values():
        page = browser.get(path)
        assert page.status_code == 200, path
        assert not inline_script.search(page.text), path
        assert not event_handler.search(page.text), path
