"""Shared fixtures: the real-data folder (skipped when absent), a config writer, a local HTTP server and one
session-wide Prefect test harness for the few tests that run the real flow."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLE_CONFIG = ROOT / "configs" / "sample.yaml"

needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not present")


def cli_env(prefect_home: Path) -> dict[str, str]:
    """The environment of a `twcorpus` subprocess: this one, with a Prefect home of its own and no
    PREFECT_API_URL (so the command starts and stops the server it uses itself)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PYTHONPATH=str(ROOT), PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def start_cli(cwd: Path, *args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen:
    """`twcorpus ARGS` as a subprocess in `cwd` (environment `cli_env`, Prefect home under `cwd` unless given),
    in a process group of its own, so that a test can signal or kill all of it."""
    command = [sys.executable, "-m", "flows.cli", *args]
    return subprocess.Popen(command, cwd=cwd, env=env or cli_env(cwd / "prefect"), start_new_session=True, **kwargs)


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


@pytest.fixture
def write_config(tmp_path: Path):
    """Write a config dict as YAML into tmp_path (inputs resolve against it); outputs go under tmp_path too."""

    def _write(body: dict[str, Any], name: str = "config.yaml") -> Path:
        body = {"output_dir": str(tmp_path / "corpus"), "data_dir": str(tmp_path / "data"), **body}
        path = tmp_path / name
        path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
        return path

    return _write


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: list[int] = field(default_factory=list)  # statuses to answer before succeeding


class ReplayServer:
    """A real HTTP server on 127.0.0.1 answering from a routes table; counts requests; honours ETags."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.full_bodies: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"Not found", {})
                    return
                if route.fail_first:
                    self._send(route.fail_first.pop(0), b"busy", {"Retry-After": "0"})
                    return
                etag = route.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", {"ETag": etag})
                    return
                server.full_bodies[self.path] = server.full_bodies.get(self.path, 0) + 1
                self._send(route.status, route.body, route.headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, body: bytes | str | dict[str, Any] | list[Any], **kw: Any) -> None:
        if isinstance(body, dict | list):
            body = json.dumps(body, ensure_ascii=False)
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body, **kw)


@contextmanager
def running(server: Any) -> Iterator[Any]:
    """Serve from `server.httpd` on `server.thread` for the block's length; then shut it and free the port."""
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[ReplayServer]:
    with running(ReplayServer()) as server:
        yield server


WORDS = (
    "資料開放政府機關公告辦理申請補助計畫預算審查會議決議修正條例施行細則公布地方中央教育文化交通環境衛生勞動經濟"
    "財政農業科技國防外交內政法務司法考試監察立法行政統計調查報告說明期限截止受理核定撥款評鑑輔導宣導活動講座研習"
)
WORDS = [WORDS[i : i + 2] for i in range(0, len(WORDS), 2)]


def notices(tag: str, n: int) -> list[dict]:
    """n records of distinct made-up notices (no two near-duplicates)."""
    out = []
    for i in range(n):
        rng = random.Random(f"{tag}{i}")
        body = "，".join("".join(rng.choices(WORDS, k=4)) for _ in range(12))
        out.append({"id": f"{tag}{i}", "text": f"第{i}號{tag}公告：{body}。"})
    return out


def jsonl_source(path: str, **extra: Any) -> dict[str, Any]:
    """A `local` source reading JSON Lines with `text` and `id` fields, under an allowed licence."""
    source = {"kind": "local", "paths": [path], "format": "jsonl", "text_field": "text", "id_field": "id"}
    return {**source, "dataset": {"id": "d", "license": "OGDL-Taiwan-1.0"}, **extra}


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One temporary Prefect API server for the whole session (start-up costs seconds)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.testing.utilities import prefect_test_harness

    # Bind Prefect's console handler to the session's stderr now; otherwise the first flow run binds it to
    # whatever stream is current, e.g. a CliRunner's, which is closed after that test.
    ensure_logging_setup()
    with prefect_test_harness(server_startup_timeout=120):
        yield


def run_flow_in(work: Path, config: Path, runs: int = 1) -> list[dict[str, Any]]:
    """Run the build-corpus flow `runs` times with `work` as the working directory (outputs land there)."""
    import os

    from flows.build_corpus import build_corpus

    old = os.getcwd()
    os.chdir(work)
    try:
        return [build_corpus(config_path=str(config)) for _ in range(runs)]
    finally:
        os.chdir(old)


@pytest.fixture(scope="session")
def sample_run(prefect_harness, tmp_path_factory):
    """Run the embedded sample twice from a scratch working directory."""
    work = tmp_path_factory.mktemp("sample")
    first, second = run_flow_in(work, SAMPLE_CONFIG, runs=2)
    return work, first, second


@pytest.fixture(scope="module")
def prefect_server_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `prefect server start` on 127.0.0.1 (what scheduled and Dask runs need); yields its API URL."""
    import os

    from flows.serve import free_port, start_server, stop_server

    home = str(tmp_path_factory.mktemp("prefect-server"))
    server, api = start_server(free_port(), {**os.environ, "PREFECT_HOME": home})
    try:
        yield api
    finally:
        stop_server(server)
