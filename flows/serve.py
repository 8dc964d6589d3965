"""`twcorpus serve`: the build on a schedule, served by this process against a real Prefect server.

Scheduled runs are created by a Prefect server's scheduler service, which the ephemeral in-process server
does not run; so `serve` uses the server named by PREFECT_API_URL or starts `prefect server start` on
127.0.0.1 for as long as it serves (offline; it listens only locally).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx

STARTUP_S = 120


def api_healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """`prefect server start` on 127.0.0.1:`port` in its own process group, once healthy: (process, API URL)."""
    api = f"http://127.0.0.1:{port}/api"
    env = {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + STARTUP_S
    while not api_healthy(api):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            why = f"exited with {server.returncode}" if server.returncode else f"not healthy after {STARTUP_S} s"
            raise RuntimeError(f"prefect server start on port {port}: {why} (is the port free?)")
        time.sleep(0.5)
    return server, api


@contextmanager
def prefect_server(port: int | None = None) -> Iterator[str]:
    """The API URL to use: PREFECT_API_URL when set, else a `prefect server start` this process owns
    (on `port`, or a free one)."""
    given = os.environ.get("PREFECT_API_URL")
    if given:
        yield given
        return
    server, api = start_server(port or free_port(), os.environ)
    try:
        os.environ["PREFECT_API_URL"] = api
        yield api
    finally:
        _drain_prefect_workers()
        os.environ.pop("PREFECT_API_URL", None)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _drain_prefect_workers(timeout_s: float = 15) -> None:
    """Send the logs and events Prefect still holds while the server is up: once it is gone they are retried
    against a closed port for a minute before the process can exit."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout_s)


def serve_build(
    config: Path,
    *,
    name: str,
    cron: str | None,
    interval_s: float | None,
    timezone: str,
    output_dir: str | None,
    workers: int | None,
) -> None:
    """Register the `build-corpus` deployment with its schedule and run what it schedules, until stopped."""
    from prefect.schedules import Cron, Interval

    from flows.build_corpus import build_corpus

    schedule = (
        Cron(cron, timezone=timezone) if cron else Interval(timedelta(seconds=interval_s or 0), timezone=timezone)
    )
    parameters = {"config_path": str(config.resolve()), "output_dir": output_dir, "workers": workers}
    build_corpus.serve(name=name, schedules=[schedule], parameters=parameters)
