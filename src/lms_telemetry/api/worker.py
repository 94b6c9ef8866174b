"""Entry point of an ingest worker process started by `lms-telemetry serve`.

Arguments: the inherited listening socket's descriptor and the owner's pid.
A worker exits by itself when its owner is gone, so a killed owner never
leaves workers accepting events that nobody would load.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time

import uvicorn

from lms_telemetry.config import Config
from lms_telemetry.logs import configure_logging

_PARENT_CHECK_SECONDS = 0.5


def _exit_when_orphaned(owner_pid: int) -> None:
    while True:
        time.sleep(_PARENT_CHECK_SECONDS)
        if os.getppid() != owner_pid:
            os._exit(0)


def main(argv: list[str]) -> None:
    listen_fd, owner_pid = int(argv[0]), int(argv[1])
    config = Config(json.loads(os.environ["LMS_TELEMETRY_RESOLVED"]))
    configure_logging(config["log_level"])
    threading.Thread(target=_exit_when_orphaned, args=(owner_pid,), daemon=True).start()

    from lms_telemetry.api.app import create_app

    app = create_app(config, role="worker")
    # uvicorn's own `fd=` takes any inherited socket for a Unix one, and then
    # accepted TCP connections never get TCP_NODELAY: each reply with a body
    # waits for the client's delayed ACK (about 40 ms). A socket object made
    # from the descriptor knows its real family.
    listener = socket.socket(fileno=listen_fd)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            timeout_keep_alive=30,
            backlog=2048,
        )
    )
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the owner stops us too


if __name__ == "__main__":
    main(sys.argv[1:])
