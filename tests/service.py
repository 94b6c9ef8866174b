"""A real `lms-telemetry serve` process on loopback, for tests.

The service runs exactly as an operator would run it: the same command, its
own processes, a real DuckDB file; tests talk to it over HTTP.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """One running service; stop() or kill() it, start() it again."""

    def __init__(
        self, directory: Path, workers: int = 2, env: dict[str, str] | None = None
    ) -> None:
        self.directory = directory
        self.db_path = directory / "telemetry.duckdb"
        self.workers = workers
        self.admin_token = secrets.token_urlsafe(16)
        self.extra_env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = directory / "service.log"

    def start(self) -> Service:
        env = dict(os.environ)
        env.update(
            LMS_TELEMETRY_ADMIN_TOKEN=self.admin_token,
            LMS_TELEMETRY_PRIVACY_KEY_FILE=str(self.directory / "keys.json"),
            **self.extra_env,
        )
        command = [
            sys.executable,
            "-m",
            "lms_telemetry.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db_path),
            "--workers",
            str(self.workers),
        ]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"service exited:\n{self.log_path.read_text()[-4000:]}"
                )
            try:
                if (
                    httpx.get(
                        f"{self.url}/api/admin/status", headers=self.auth, timeout=2
                    ).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"service did not start:\n{self.log_path.read_text()[-4000:]}"
        )

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def post(self, body: Any, **kwargs: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/api/telemetry", json=body, timeout=30, **kwargs)

    def wait_loaded(self, events: int, timeout: float = 20) -> None:
        """Wait until the database holds at least EVENTS events."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            count = self.status()["events"]
            if count >= events:
                return
            time.sleep(0.05)
        raise AssertionError(f"only {count} of {events} events were loaded")

    def wait_quarantined(self, bodies: int, timeout: float = 20) -> None:
        """Wait until the quarantine holds at least BODIES rows."""
        deadline = time.monotonic() + timeout
        while self.status()["quarantined"] < bodies:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"fewer than {bodies} quarantined bodies were loaded"
                )
            time.sleep(0.05)

    def status(self) -> dict[str, Any]:
        response = httpx.get(
            f"{self.url}/api/admin/status", headers=self.auth, timeout=30
        )
        response.raise_for_status()
        return dict(response.json())

    def owner_and_workers(self) -> list[int]:
        assert self.process is not None
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [self.process.pid, *map(int, children)]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """kill -9 the owner and its workers at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
