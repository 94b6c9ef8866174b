"""`lms-telemetry serve`: one owner process and N ingest worker processes.

The owner binds the public port, hands the listening socket to the workers,
and itself serves the full application on a private Unix socket while its
loader thread moves spooled events into DuckDB. Workers take connections
from the shared socket, spool events, and forward everything else to the
owner. A worker that dies is replaced; its segment is sealed and loaded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys

import uvicorn

from lms_telemetry.config import Config

logger = logging.getLogger(__name__)

_RESTART_PAUSE_SECONDS = 0.5


def bind_public_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def worker_count(config: Config) -> int:
    return int(config["workers"]) or (os.cpu_count() or 1)


def prepare_metrics_dir(config: Config) -> None:
    # Multiprocess metrics keep files per process; old ones would be summed in.
    directory = config.spool_path / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


class WorkerPool:
    """Starts the ingest workers and replaces any that exits unexpectedly."""

    def __init__(self, config: Config, listen_fd: int, count: int) -> None:
        self.config = config
        self.listen_fd = listen_fd
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []
        self.is_stopping = False

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, LMS_TELEMETRY_RESOLVED=json.dumps(self.config.values()))
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lms_telemetry.api.worker",
                str(self.listen_fd),
                str(os.getpid()),
            ],
            pass_fds=(self.listen_fd,),
            env=env,
        )

    def start(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]

    async def watch(self) -> None:
        while not self.is_stopping:
            await asyncio.sleep(_RESTART_PAUSE_SECONDS)
            for index, process in enumerate(self.processes):
                if process.poll() is not None and not self.is_stopping:
                    logger.warning(
                        "ingest worker exited; starting another",
                        extra={"pid": process.pid, "returncode": process.returncode},
                    )
                    self.processes[index] = self._spawn()

    def stop(self) -> None:
        self.is_stopping = True
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def serve(config: Config) -> None:
    """Run the service until SIGINT or SIGTERM."""
    from lms_telemetry.api.app import create_app, owner_socket_path

    config.spool_path.mkdir(parents=True, exist_ok=True)
    prepare_metrics_dir(config)
    public = bind_public_socket(config["host"], int(config["port"]))
    socket_path = owner_socket_path(config)
    socket_path.unlink(missing_ok=True)
    app = create_app(config, role="owner")
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            uds=str(socket_path),
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips="*",
            timeout_keep_alive=30,
        )
    )
    pool = WorkerPool(config, public.fileno(), worker_count(config))
    asyncio.run(_run_owner(server, pool, config))
    public.close()


async def _run_owner(server: uvicorn.Server, pool: WorkerPool, config: Config) -> None:
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            return await serving
        await asyncio.sleep(0.05)
    pool.start()
    address = f"http://{config['host']}:{config['port']}"
    logger.info("serving", extra={"address": address, "workers": pool.count})
    print(f"lms-telemetry is listening on {address}", flush=True)
    watching = asyncio.create_task(pool.watch())
    try:
        await serving
    finally:
        pool.stop()
        watching.cancel()
