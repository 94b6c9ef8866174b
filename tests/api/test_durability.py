"""kill -9 under load: nothing acknowledged is lost, nothing is stored twice."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path

import duckdb
import httpx

from tests.service import Service

SENDERS = 4
EVENTS_PER_BATCH = 20


class LoadGenerator:
    """Threads that post batches and remember which event ids were acknowledged."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acknowledged: set[str] = set()
        self.sent: set[str] = set()
        self.unanswered: list[list[dict[str, object]]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._send) for _ in range(SENDERS)]

    def _batch(self) -> list[dict[str, object]]:
        return [
            {
                "event": "search_input",
                "event_id": str(uuid.uuid4()),
                "payload": {"query": "q"},
            }
            for _ in range(EVENTS_PER_BATCH)
        ]

    def _send(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stopping.is_set():
                batch = self._batch()
                ids = {str(event["event_id"]) for event in batch}
                with self._lock:
                    self.sent |= ids
                try:
                    reply = client.post(
                        f"{self.url}/api/telemetry", json={"batch": batch}
                    )
                except httpx.HTTPError:
                    with self._lock:
                        self.unanswered.append(batch)
                    time.sleep(0.01)
                    continue
                if reply.status_code == 202 and reply.json()["accepted"] == len(batch):
                    with self._lock:
                        self.acknowledged |= ids

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()


def stored_ids(db_path: Path) -> list[str]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        return [
            str(row[0])
            for row in connection.execute("SELECT event_id FROM events").fetchall()
        ]


def drain(service: Service) -> None:
    """Wait until the loader has emptied the spool."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if service.status()["spool_backlog_bytes"] == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the spool did not drain")


def test_kill_9_of_every_process_loses_no_acknowledged_event(tmp_path: Path) -> None:
    service = Service(tmp_path).start()
    load = LoadGenerator(service.url)
    load.start()
    time.sleep(2.0)

    service.kill()
    load.stop()
    restarted = Service(tmp_path).start()
    drain(restarted)
    restarted.stop()

    ids = stored_ids(tmp_path / "telemetry.duckdb")
    assert len(load.acknowledged) > 100
    assert load.acknowledged <= set(ids)
    assert len(ids) == len(set(ids))
    assert set(ids) <= load.sent


def test_kill_9_of_one_worker_loses_nothing_and_service_goes_on(tmp_path: Path) -> None:
    service = Service(tmp_path).start()
    load = LoadGenerator(service.url)
    load.start()
    time.sleep(1.0)

    worker = service.owner_and_workers()[1]
    os.kill(worker, signal.SIGKILL)
    time.sleep(1.5)
    load.stop()
    drain(service)
    service.stop()

    ids = stored_ids(tmp_path / "telemetry.duckdb")
    assert load.acknowledged <= set(ids)
    assert len(ids) == len(set(ids))


def test_unanswered_batches_sent_again_after_restart_are_stored_once(
    tmp_path: Path,
) -> None:
    service = Service(tmp_path).start()
    load = LoadGenerator(service.url)
    load.start()
    time.sleep(1.0)
    service.kill()
    load.stop()

    restarted = Service(tmp_path).start()
    retried = [restarted.post({"batch": batch}).json() for batch in load.unanswered]
    drain(restarted)
    restarted.stop()

    ids = stored_ids(tmp_path / "telemetry.duckdb")
    retried_ids = {str(e["event_id"]) for batch in load.unanswered for e in batch}
    assert retried_ids <= set(ids)
    assert len(ids) == len(set(ids))
    assert all(r["accepted"] + r["duplicates"] == EVENTS_PER_BATCH for r in retried)
