"""The Prefect servers the commands start on 127.0.0.1 (offline; they listen only locally).

`twcorpus serve`: scheduled runs are created by a Prefect server's scheduler service, which Prefect's
temporary server does not run; so `serve` uses the server named by PREFECT_API_URL or starts
`prefect server start` for as long as it serves. `twcorpus run`: an API-only server for the run, started
first thing so that it boots while the run starts up (`run_api`).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

STARTUP_S = 120


def api_healthy(api: str, client: httpx.Client) -> bool:
    import httpx

    try:
        return client.get(f"{api}/health").status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started it dies, even by SIGKILL (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def launch_server(
    port: int, env: Mapping[str, str], *, services: bool = True, tied: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """`prefect server start` on 127.0.0.1:`port`, not yet waited for: (process, API URL).

    `services=False`: the API alone (no scheduler or other loop services), enough for one run, started
    without Prefect's command line (`flows.api_server`). `tied`: the
    server of one run stays in the run's process group and is stopped if the run dies, however it dies;
    otherwise it gets a process group of its own (a terminal's Ctrl-C reaches the owner first, which sends
    what logs it holds before stopping the server). Either way, on Linux, it gets SIGTERM when its owner dies,
    however the owner dies; `stop_server` ends it with the API process it runs under it."""
    api = f"http://127.0.0.1:{port}/api"
    env = {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    # The server keeps its database there and cannot create missing parent folders (importing Prefect would
    # have, but a run launches its server before that).
    Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser().mkdir(parents=True, exist_ok=True)
    if services:
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "flows.api_server", str(port)]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=not tied,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # before the owner starts threads
    )
    return server, api


def stop_server(server: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """End a server this process launched and every process under it: SIGTERM to its process group, a
    generous wait (a busy machine is slow to stop a server), then SIGKILL to whatever is left."""
    import psutil

    try:
        tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError, PermissionError):  # no such group: the server is in its owner's
            os.killpg(server.pid, sig)  # a group of its own: the server and the API process it started
        for proc in tree:  # any that left the group
            with suppress(psutil.NoSuchProcess):
                proc.send_signal(sig)
        _, alive = psutil.wait_procs(tree, timeout=timeout_s if sig == signal.SIGTERM else 10)
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=1)
        if not alive and server.poll() is not None:
            return
        tree = alive


def wait_healthy(server: subprocess.Popen[bytes], api: str) -> None:
    """Poll a server this process launched (plain HTTP on 127.0.0.1) until it answers. One client for every
    poll, without TLS: a client per poll loads the CA bundle each time (~60 ms of a core on a slow machine,
    taken from the booting server)."""
    import httpx

    deadline = time.monotonic() + STARTUP_S
    with httpx.Client(timeout=2, verify=False, trust_env=False) as client:
        while not api_healthy(api, client):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                why = f"exited with {server.returncode}" if server.returncode else f"not healthy after {STARTUP_S} s"
                raise RuntimeError(f"prefect server start for {api}: {why} (is the port free?)")
            time.sleep(0.1)


def start_server(port: int, env: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """`prefect server start` on 127.0.0.1:`port` in its own process group, once healthy: (process, API URL)."""
    server, api = launch_server(port, env)
    wait_healthy(server, api)
    return server, api


_LAUNCHED: tuple[subprocess.Popen[bytes], str] | None = None  # a run's API server launched before its config


def launch_run_api() -> None:
    """Launch the API-only server of a `twcorpus run` now, unless PREFECT_API_URL names one: `run_api` takes it
    over; `discard_run_api` stops it (the run needs none); so does this process's exit, whatever comes first."""
    global _LAUNCHED
    if os.environ.get("PREFECT_API_URL") or _LAUNCHED is not None:
        return
    _LAUNCHED = launch_server(free_port(), os.environ, services=False, tied=True)
    atexit.register(discard_run_api)


def discard_run_api() -> None:
    """Stop a server `launch_run_api` launched that `run_api` did not take over."""
    global _LAUNCHED
    if _LAUNCHED is not None:
        server, _LAUNCHED = _LAUNCHED[0], None
        stop_server(server)


@contextmanager
def _owned_server(port: int | None, *, services: bool, tied: bool) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A server this process launches and stops, named by PREFECT_API_URL meanwhile; for the API alone, the one
    `launch_run_api` launched already, if it did."""
    global _LAUNCHED
    if not services and _LAUNCHED is not None:
        (server, api), _LAUNCHED = _LAUNCHED, None
    else:
        server, api = launch_server(port or free_port(), os.environ, services=services, tied=tied)
    try:
        os.environ["PREFECT_API_URL"] = api
        yield server, api
    finally:
        if server.poll() is None:  # a server already gone (Ctrl-C reached it too) cannot take logs any more
            _drain_prefect_workers()
        os.environ.pop("PREFECT_API_URL", None)
        stop_server(server)


@contextmanager
def prefect_server(port: int | None = None) -> Iterator[str]:
    """The API URL to use: PREFECT_API_URL when set, else a `prefect server start` this process owns
    (on `port`, or a free one)."""
    given = os.environ.get("PREFECT_API_URL")
    if given:
        yield given
        return
    with _owned_server(port, services=True, tied=False) as (server, api):
        wait_healthy(server, api)
        yield api


@contextmanager
def run_api() -> Iterator[Callable[[], str]]:
    """The Prefect API of one `twcorpus run`: PREFECT_API_URL when set; else an API-only server this process
    owns, launched at once. It boots (~3.4 s of a core) while the run imports Prefect and its extraction
    workers warm up, where Prefect's own temporary server would be started only by the first flow run and
    waited for. Yields the wait until it answers, which returns its URL."""
    given = os.environ.get("PREFECT_API_URL")
    if given:
        yield lambda: given
        return
    with _owned_server(None, services=False, tied=True) as (server, api):

        def ready() -> str:
            wait_healthy(server, api)
            return api

        yield ready


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
