"""The report routes over real HTTP: a uvicorn server on loopback serving
`api.reports.routes` over a real DuckDB file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from lms_telemetry.analytics import overview, search
from lms_telemetry.api.reports import routes
from lms_telemetry.storage import Store, open_store
from tests.analytics.events import at, load, make_event
from tests.service import free_port

TOKEN = "test-admin-token"


class ReportServer:
    def __init__(self, store: Store) -> None:
        app = Starlette(routes=routes)
        app.state.store = store
        app.state.config = {"admin_token": TOKEN, "privacy.min_ids": 2}
        self.url = f"http://127.0.0.1:{free_port()}"
        port = int(self.url.rsplit(":", 1)[1])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def get(
        self, name: str, token: str | None = TOKEN, **params: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(
            f"{self.url}/api/reports/{name}", params=params, headers=headers
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReportServer]:
    store = open_store(tmp_path / "reports.duckdb")
    load(
        store,
        [
            make_event(
                "search_submitted",
                at(n),
                query="Dune",
                results_count=n % 2,
                pseudonymous_id=f"id-{n % 3}",
            )
            for n in range(6)
        ],
    )
    with ReportServer(store) as running:
        yield running
    store.close()


def test_report_over_http_equals_the_python_report(server: ReportServer) -> None:
    reply = server.get("overview", since="2024-05-06", until="2024-05-07")
    assert reply.status_code == 200
    app_store = server.server.config.app.state.store
    assert reply.json() == overview.report(app_store, "2024-05-06", "2024-05-07")


def test_min_ids_default_comes_from_configuration(server: ReportServer) -> None:
    store = server.server.config.app.state.store
    reply = server.get("search", since="2024-05-06", until="2024-05-07")
    assert reply.json() == search.report(store, "2024-05-06", "2024-05-07", min_ids=2)
    assert reply.json()["min_ids"] == 2
    assert (
        server.get(
            "search", since="2024-05-06", until="2024-05-07", min_ids="4"
        ).json()["top_queries"]
        == []
    )


def test_period_defaults_to_the_last_30_days_through_today(
    server: ReportServer,
) -> None:
    today = datetime.now(UTC).date()

    days = [row["day"] for row in server.get("overview").json()["daily"]]

    assert len(days) == 30
    assert days[-1] == today.isoformat()
    assert days[0] == (today - timedelta(days=29)).isoformat()


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        (
            {"since": "2024-05-08", "until": "2024-05-07"},
            "until",
            "must be after since",
        ),
        ({"since": "2024-05-06", "until": "May 7"}, "until", "not a date"),
        (
            {"since": "2024-05-06", "until": "2024-05-07", "tz": "Mars/Base"},
            "tz",
            "IANA time zone",
        ),
        (
            {"since": "2024-05-06", "until": "2024-05-07", "persona": "robot"},
            "persona",
            "not one of",
        ),
        (
            {"since": "2024-05-06", "until": "2024-05-07", "limit": "0"},
            "limit",
            "from 1 to",
        ),
        (
            {"since": "2024-05-06", "until": "2024-05-07", "colour": "red"},
            "colour",
            "not known",
        ),
        ({"since": "2024-05-08", "until": "2024-05-07"}, "until", "must be after"),
    ],
)
def test_bad_parameter_gets_400_naming_it(
    server: ReportServer, params: dict[str, str], parameter: str, words: str
) -> None:
    reply = server.get("search", **params)
    assert reply.status_code == 400
    assert reply.json()["parameter"] == parameter
    assert words in reply.json()["message"]


def test_option_a_report_does_not_take_is_refused(server: ReportServer) -> None:
    reply = server.get("overview", since="2024-05-06", until="2024-05-07", limit="3")
    assert reply.status_code == 400
    assert (
        reply.json()["message"] == "Parameter limit is not an option of report overview"
    )


def test_unknown_report_is_404(server: ReportServer) -> None:
    reply = server.get("weather", since="2024-05-06", until="2024-05-07")
    assert reply.status_code == 404
    assert "weather" in reply.json()["message"]


def test_reports_need_a_token(server: ReportServer) -> None:
    assert (
        server.get(
            "overview", token=None, since="2024-05-06", until="2024-05-07"
        ).status_code
        == 401
    )
    assert (
        server.get(
            "overview", token="wrong", since="2024-05-06", until="2024-05-07"
        ).status_code
        == 401
    )
