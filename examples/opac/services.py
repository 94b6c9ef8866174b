"""Starting the telemetry service and the example site as processes.

Both run exactly as an operator would run them: the service with
`lms-telemetry serve`, the site under uvicorn. Each writes its log into the
demo folder; both are stopped with SIGTERM and waited for.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


class ServiceError(RuntimeError):
    """A process of the demo did not start."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """One child process with its log file and a URL that says it is ready."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        log_path: Path,
        ready_url: str,
        ready_headers: dict[str, str],
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_path
        self.ready_url = ready_url
        self.ready_headers = ready_headers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=PROJECT_ROOT,
                start_new_session=True,
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                break
            try:
                response = httpx.get(
                    self.ready_url, headers=self.ready_headers, timeout=2
                )
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-3000:]
        raise ServiceError(f"{self.name} did not start; its log ends with:\n{tail}")

    def stop(self, timeout_seconds: float = 30) -> None:
        """SIGTERM the process group and wait; SIGKILL if it does not exit."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def telemetry_service(
    directory: Path, port: int, env: dict[str, str], workers: int | None
) -> Process:
    """`lms-telemetry serve` keeping its database in ``directory``."""
    command = [
        sys.executable,
        "-m",
        "lms_telemetry.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(directory / "telemetry.duckdb"),
    ]
    if workers:
        command += ["--workers", str(workers)]
    token = env["LMS_TELEMETRY_ADMIN_TOKEN"]
    return Process(
        "the telemetry service",
        command,
        {**os.environ, **env},
        directory / "service.log",
        f"http://127.0.0.1:{port}/api/admin/status",
        {"Authorization": f"Bearer {token}"},
    )


def library_site(
    directory: Path, port: int, catalog: Path, telemetry_url: str
) -> Process:
    """The example site under uvicorn, reporting to ``telemetry_url``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        ),
        "OPAC_CATALOG": str(catalog.resolve()),
        "OPAC_TELEMETRY_URL": telemetry_url,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "examples.opac.app:create_app_from_environment",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Process(
        "the library site",
        command,
        env,
        directory / "site.log",
        f"http://127.0.0.1:{port}/api/status",
        {},
    )
