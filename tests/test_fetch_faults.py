"""The fetcher against servers that misbehave on purpose: a scripted HTTP server and a raw socket server on
127.0.0.1, started here. Every failure must name the URL and the reason, leave nothing in the raw store (no
file, no temp file) and never reach a place the config did not allow."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import FetchConfig, load_config
from pipeline.fetch import Fetcher, FetchError, HostPolicy, Ledger, RawStore, redact, retry_after_seconds
from pipeline.fetch.policy import proxy_configured
from pipeline.paths import make_context
from pipeline.sources.base import Resource
from pipeline.stages import fetch_resource
from tests.conftest import running

Reply = tuple[int, dict[str, str], bytes]


class ScriptedServer:
    """HTTP on 127.0.0.1: each path answers its n-th request with `script(n)` (a 304 when the ETag matches);
    request times are kept."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[int], Reply]] = {}
        self.hits: dict[str, list[float]] = {}
        self.auth: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                times = server.hits.setdefault(path, [])
                times.append(time.monotonic())
                server.auth.append(self.headers.get("Authorization"))
                script = server.routes.get(path)
                status, headers, body = script(len(times) - 1) if script else (404, {}, b"no such path")
                if status == 200 and headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client stopped reading: what an oversized body causes
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=lambda: self.httpd.serve_forever(poll_interval=0.05), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def add(self, path: str, *replies: Reply) -> None:
        """Answer the n-th request with replies[n]; the last reply repeats."""
        self.routes[path] = lambda n: replies[min(n, len(replies) - 1)]

    def count(self, path: str) -> int:
        return len(self.hits.get(path, []))


def ok(body: bytes, **headers: str) -> Reply:
    return 200, headers, body


def redirect(location: str, status: int = 302) -> Reply:
    return status, {"Location": location}, b""


class RawServer:
    """A socket on 127.0.0.1 whose n-th connection is handed to `script(conn, n, stop)`: for the byte-level
    faults an HTTP library will not produce (resets, short bodies, drips, endless bodies)."""

    def __init__(self, script: Callable[[socket.socket, int, threading.Event], None]) -> None:
        self.script = script
        self.stop = threading.Event()
        self.connections = 0
        self.sent = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            n = self.connections
            self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn, n), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket, n: int) -> None:
        with conn:
            try:
                read_request(conn)
                self.script(conn, n, self.stop)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()
        for t in self.threads:
            t.join(timeout=5)


def read_request(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def head(length: int | None = None, extra: str = "") -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: text/csv"]
    lines += [f"Content-Length: {length}"] if length is not None else ["Connection: close"]
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def reset(conn: socket.socket) -> None:
    """Close with RST instead of FIN: the peer sees 'connection reset by peer'."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.fixture
def http() -> Iterator[ScriptedServer]:
    with running(ScriptedServer()) as server:
        yield server


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    started: list[RawServer] = []

    def start(script: Callable[[socket.socket, int, threading.Event], None]) -> RawServer:
        started.append(RawServer(script))
        return started[-1]

    try:
        yield start
    finally:
        for s in started:
            s.close()


@pytest.fixture
def make_fetcher(tmp_path: Path) -> Callable[..., Fetcher]:
    def make(**kw: Any) -> Fetcher:
        settings: dict[str, Any] = {"backoff_s": 0.01, "timeout_s": 2.0, "retries": 2, **kw}
        return Fetcher(RawStore(tmp_path / "raw"), Ledger(tmp_path / "state/ledger.sqlite"), FetchConfig(**settings))

    return make


def stored(fetcher: Fetcher) -> list[str]:
    """Every file under the raw store, temp files included."""
    root = fetcher.store.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- status codes and Retry-After -------------------------------------------------------------------------


def test_5xx_answers_are_retried_until_the_body_comes(http, make_fetcher):
    http.add("/a.csv", (500, {}, b"oops"), (502, {}, b"bad gateway"), (503, {}, b"busy"), ok(b"a,b\r\n"))
    fetcher = make_fetcher(retries=3)
    got = fetcher.fetch(http.url + "/a.csv")
    assert got.path.read_bytes() == b"a,b\r\n" and http.count("/a.csv") == 4
    assert stored(fetcher) == [f"{got.sha256[:2]}/{got.sha256}"]


def test_5xx_until_the_retries_run_out_is_an_error_naming_url_and_status(http, make_fetcher):
    http.add("/down", (503, {}, b"busy"))
    fetcher = make_fetcher(retries=2)
    with pytest.raises(FetchError, match=r"^http://127\.0\.0\.1:\d+/down: HTTP 503 after 3 attempts$"):
        fetcher.fetch(http.url + "/down")
    assert http.count("/down") == 3 and stored(fetcher) == []


def test_404_is_an_error_naming_url_and_status_and_is_not_retried(http, make_fetcher):
    fetcher = make_fetcher(retries=3)
    for status in (404, 403, 410):
        http.add(f"/gone{status}", (status, {}, b"nope"))
        with pytest.raises(FetchError, match=rf"/gone{status}: HTTP {status}$"):
            fetcher.fetch(f"{http.url}/gone{status}")
        assert http.count(f"/gone{status}") == 1
    assert stored(fetcher) == []


def test_408_is_retried(http, make_fetcher):
    http.add("/slow", (408, {}, b""), ok(b"done"))
    assert make_fetcher().fetch(http.url + "/slow").path.read_bytes() == b"done"
    assert http.count("/slow") == 2


def _gap(http: ScriptedServer, path: str) -> float:
    times = http.hits[path]
    return times[1] - times[0]


def test_429_retry_after_in_seconds_is_honoured(http, make_fetcher):
    http.add("/limited", (429, {"Retry-After": "1"}, b""), ok(b"ok"))
    make_fetcher(max_retry_after_s=10).fetch(http.url + "/limited")
    assert 0.9 <= _gap(http, "/limited") < 3


def test_429_retry_after_as_an_http_date_is_honoured(http, make_fetcher):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    http.add("/limited", (429, {"Retry-After": when}, b""), ok(b"ok"))
    make_fetcher(max_retry_after_s=10).fetch(http.url + "/limited")
    assert 0.9 <= _gap(http, "/limited") < 3.5  # the date has a one-second resolution


def test_retry_after_is_capped_by_the_config(http, make_fetcher):
    far = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    http.add("/secs", (429, {"Retry-After": "3600"}, b""), ok(b"ok"))
    http.add("/date", (503, {"Retry-After": far}, b""), ok(b"ok"))
    fetcher = make_fetcher(max_retry_after_s=0.3)
    started = time.monotonic()
    fetcher.fetch(http.url + "/secs")
    fetcher.fetch(http.url + "/date")
    assert time.monotonic() - started < 3
    assert _gap(http, "/secs") >= 0.25 and _gap(http, "/date") >= 0.25  # waited the cap, not the 0.01 s backoff


def test_retry_after_parsing():
    now = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Wed, 01 Jan 2025 00:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 31 Dec 2024 23:00:00 GMT", now) == 0.0  # in the past: no wait
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
    assert retry_after_seconds("-5", now) is None


def test_a_retry_after_beyond_the_deadline_gives_up_at_once(http, make_fetcher):
    http.add("/later", (503, {"Retry-After": "60"}, b""), ok(b"ok"))
    fetcher = make_fetcher(max_retry_after_s=60, deadline_s=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/later: deadline of 0.5 s would pass before the next attempt.*HTTP 503"):
        fetcher.fetch(http.url + "/later")
    assert time.monotonic() - started < 2 and http.count("/later") == 1


# --- connections ------------------------------------------------------------------------------------------


def test_connection_refused_is_retried_then_reported(make_fetcher):
    url = f"http://127.0.0.1:{free_port()}/data.csv"
    fetcher = make_fetcher(retries=2)
    with pytest.raises(FetchError, match=r"/data.csv: gave up after 3 attempts \(ConnectError: .*refused"):
        fetcher.fetch(url)
    assert stored(fetcher) == []


def test_connection_reset_mid_body_stores_nothing(raw_server, make_fetcher):
    def script(conn: socket.socket, n: int, stop: threading.Event) -> None:
        conn.sendall(head(1000) + b"x" * 300)
        time.sleep(0.05)
        reset(conn)

    server = raw_server(script)
    fetcher = make_fetcher(retries=1)
    with pytest.raises(FetchError, match=r"/r.csv: gave up after 2 attempts \((ReadError|RemoteProtocolError)"):
        fetcher.fetch(server.url + "/r.csv")
    assert server.connections == 2 and stored(fetcher) == []


def test_read_timeout_is_retried_then_reported(raw_server, make_fetcher):
    def script(conn: socket.socket, n: int, stop: threading.Event) -> None:
        conn.sendall(head(100) + b"x" * 10)
        stop.wait(5)  # then silence

    server = raw_server(script)
    fetcher = make_fetcher(retries=1, timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/t.csv: gave up after 2 attempts \(ReadTimeout"):
        fetcher.fetch(server.url + "/t.csv")
    assert time.monotonic() - started < 3 and stored(fetcher) == []


def test_a_slow_drip_is_cut_off_by_the_download_deadline(raw_server, make_fetcher):
    def script(conn: socket.socket, n: int, stop: threading.Event) -> None:
        conn.sendall(head(10_000_000))
        while not stop.is_set():  # a few bytes per interval, forever: never idle long enough to time out
            conn.sendall(b"abc")
            stop.wait(0.05)

    server = raw_server(script)
    fetcher = make_fetcher(timeout_s=1.0, deadline_s=0.6, retries=3)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/drip.csv: deadline of 0.6 s passed after \d+ bytes"):
        fetcher.fetch(server.url + "/drip.csv")
    assert time.monotonic() - started < 2.5 and server.connections == 1  # not retried
    assert stored(fetcher) == []


def test_a_body_shorter_than_its_content_length_is_an_error_and_not_stored(raw_server, make_fetcher):
    def script(conn: socket.socket, n: int, stop: threading.Event) -> None:
        conn.sendall(head(100) + b"y" * 60)  # then a clean close: 40 bytes never come

    server = raw_server(script)
    fetcher = make_fetcher(retries=1)
    with pytest.raises(FetchError, match=r"/short.csv: gave up after 2 attempts \(RemoteProtocolError"):
        fetcher.fetch(server.url + "/short.csv")
    assert server.connections == 2 and stored(fetcher) == []
    assert fetcher.ledger.downloads() == 0


def test_a_body_that_changes_between_retries_is_stored_whole_never_spliced(raw_server, make_fetcher):
    first = b"version-1," * 200
    second = b"version-2;" * 150

    def script(conn: socket.socket, n: int, stop: threading.Event) -> None:
        if n == 0:
            conn.sendall(head(len(first)) + first[:700])
            time.sleep(0.05)
            reset(conn)
        else:
            conn.sendall(head(len(second)) + second)

    server = raw_server(script)
    fetcher = make_fetcher(retries=2)
    got = fetcher.fetch(server.url + "/v.csv")
    assert server.connections == 2
    data = got.path.read_bytes()
    assert data == second and got.size == len(second)
    assert got.sha256 == hashlib.sha256(second).hexdigest() == got.path.name
    assert stored(fetcher) == [f"{got.sha256[:2]}/{got.sha256}"]


# --- redirects --------------------------------------------------------------------------------------------


def test_redirects_are_followed_relative_and_absolute(http, make_fetcher):
    http.add("/r1", redirect("/r2", 301))
    http.add("/r2", redirect(f"{http.url}/r3", 307))
    http.add("/r3", redirect("final.csv", 308))
    http.add("/final.csv", ok(b"end"))
    got = make_fetcher(allow_private=True).fetch(http.url + "/r1")
    assert got.path.read_bytes() == b"end" and got.url == http.url + "/r1"


def test_redirects_stop_at_the_limit(http, make_fetcher):
    for i in range(6):
        http.add(f"/hop{i}", redirect(f"/hop{i + 1}"))
    http.add("/hop6", ok(b"too far"))
    http.add("/loop", redirect("/loop"))
    fetcher = make_fetcher(allow_private=True, max_redirects=5, retries=2)
    with pytest.raises(FetchError, match=r"/hop0: more than 5 redirects \(last to http://127.0.0.1:\d+/hop6\)"):
        fetcher.fetch(http.url + "/hop0")
    assert http.count("/hop6") == 0 and http.count("/hop0") == 1  # not retried
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.fetch(http.url + "/loop")
    assert stored(fetcher) == []
    assert fetcher.fetch(http.url + "/hop1").path.read_bytes() == b"too far"  # five hops: allowed


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/_x"])
def test_redirects_lead_only_to_http_or_https(http, make_fetcher, target):
    http.add("/go", redirect(target))
    fetcher = make_fetcher(allow_private=True, retries=2)
    scheme = target.split(":")[0]
    with pytest.raises(FetchError, match=rf"/go: redirect to {scheme}:.* refused: scheme '{scheme}' is not fetched"):
        fetcher.fetch(http.url + "/go")
    assert http.count("/go") == 1 and stored(fetcher) == []


def test_a_trusted_host_cannot_redirect_to_a_private_address(http, make_fetcher):
    http.add("/meta", redirect("http://169.254.169.254/latest/meta-data/"))
    http.add("/local", redirect(f"http://localhost:{http.port}/secret"))
    http.add("/secret", ok(b"internal"))
    fetcher = make_fetcher(retries=2)  # allow_private is off; the first URL is trusted (from the config)
    with pytest.raises(FetchError, match=r"/meta: redirect to http://169.254.169.254/\S+ refused: .*link-local"):
        fetcher.fetch(http.url + "/meta")
    with pytest.raises(FetchError, match=r"/local: redirect to http://localhost:\d+/secret refused: .*loopback"):
        fetcher.fetch(http.url + "/local")
    assert http.count("/secret") == 0 and stored(fetcher) == []


def test_redirect_targets_must_be_allowed_hosts(http, make_fetcher):
    http.add("/away", redirect(f"http://localhost:{http.port}/x"))
    http.add("/x", ok(b"x"))
    fetcher = make_fetcher(allow_private=True, allow_hosts=["127.0.0.1"])
    with pytest.raises(FetchError, match=r"/away: redirect to http://localhost:\d+/x refused: host localhost is not"):
        fetcher.fetch(http.url + "/away")
    assert http.count("/x") == 0
    http.add("/near", redirect(f"{http.url}/x"))
    assert fetcher.fetch(http.url + "/near").path.read_bytes() == b"x"


# --- size and content type --------------------------------------------------------------------------------


def test_a_declared_length_over_max_bytes_is_refused_before_reading(http, make_fetcher):
    http.add("/big", ok(b"x" * 5000))
    fetcher = make_fetcher(max_bytes=1000)
    with pytest.raises(FetchError, match=r"/big: response larger than 1000 bytes \(5000 declared\)"):
        fetcher.fetch(http.url + "/big")
    assert http.count("/big") == 1 and stored(fetcher) == []


@pytest.mark.parametrize("framing", ["close", "chunked"])
def test_an_endless_body_without_content_length_is_cut_at_max_bytes(raw_server, make_fetcher, framing):
    chunk = b"z" * 65536

    def script(conn: socket.socket, n: int, stop: threading.Event) -> None:
        if framing == "chunked":
            conn.sendall(head(None, "Transfer-Encoding: chunked\r\n").replace(b"Connection: close\r\n", b""))
            piece = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        else:
            conn.sendall(head(None))
            piece = chunk
        while not stop.is_set() and server.sent < 200 * 1024**2:
            conn.sendall(piece)
            server.sent += len(piece)

    server = raw_server(script)
    fetcher = make_fetcher(max_bytes=300_000)
    with pytest.raises(FetchError, match=r"/endless: response larger than 300000 bytes$"):
        fetcher.fetch(server.url + "/endless")
    time.sleep(0.2)
    assert server.connections == 1 and server.sent < 50 * 1024**2  # the reader stopped; the server was cut off
    assert stored(fetcher) == []


def test_an_html_error_page_for_a_csv_or_json_resource_is_refused_with_its_content_type(http, make_fetcher):
    page = b"<!DOCTYPE html>\n<html><head><title>\xe7\xb3\xbb\xe7\xb5\xb1\xe7\xb6\xad\xe8\xad\xb7</title></head></html>"
    http.add("/data.csv", ok(page, **{"Content-Type": "text/html; charset=utf-8"}))
    http.add("/data.json", ok(b"\xef\xbb\xbf  \r\n" + page, **{"Content-Type": "text/html"}))
    fetcher = make_fetcher()
    for name, fmt in (("data.csv", "csv"), ("data.json", "json")):
        with pytest.raises(FetchError, match=rf"/{name}: served an HTML page \(text/html.*\) where a {fmt} file"):
            fetcher.fetch(f"{http.url}/{name}", expect=fmt)
        assert http.count(f"/{name}") == 1  # not retried
    assert stored(fetcher) == []
    http.add("/data.zip", ok(b"<HTML><body>Service Unavailable</body></HTML>", **{"Content-Type": "application/zip"}))
    with pytest.raises(FetchError, match=r"/data.zip: served an HTML page \(application/zip\) where a zip file"):
        fetcher.fetch(f"{http.url}/data.zip", expect="zip")
    assert stored(fetcher) == []
    # The same page asked for as HTML is fine, and the fetched record names the declared type.
    got = fetcher.fetch(http.url + "/data.csv", expect="html")
    assert got.content_type == "text/html; charset=utf-8" and got.path.read_bytes() == page


def test_a_csv_mislabelled_as_html_is_still_accepted_and_its_content_type_recorded(http, make_fetcher):
    body = "日期,備註\r\n20250101,開國紀念日\r\n".encode("cp950")
    http.add("/cal.csv", ok(body, **{"Content-Type": "text/html; charset=UTF-8", "ETag": '"e1"'}))
    fetcher = make_fetcher()
    got = fetcher.fetch(http.url + "/cal.csv", expect="csv")
    assert got.path.read_bytes() == body and got.content_type == "text/html; charset=UTF-8"
    assert fetcher.ledger.last(http.url + "/cal.csv")["content_type"] == "text/html; charset=UTF-8"
    again = fetcher.fetch(http.url + "/cal.csv", expect="csv")  # 304: the type is remembered
    assert not again.downloaded and again.content_type == "text/html; charset=UTF-8"


def test_a_ledger_from_before_the_content_type_column_is_upgraded(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE fetches (url TEXT, status INTEGER, etag TEXT, last_modified TEXT,"
            " size INTEGER, sha256 TEXT, fetched_at TEXT, downloaded INTEGER)"
        )
        db.execute("INSERT INTO fetches VALUES ('u', 200, NULL, NULL, 1, 'ab', '2025-01-01T00:00:00+00:00', 1)")
    db.close()
    ledger = Ledger(path)
    ledger.record("u", 200, "cd", 2, content_type="text/csv", downloaded=True)
    assert ledger.last("u")["content_type"] == "text/csv" and ledger.downloads() == 2


# --- host policy ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/hostname", "ftp://files.example.gov.tw/a.csv", "gopher://example.gov.tw/", "/etc/hostname"],
)
def test_an_untrusted_url_must_be_http_or_https(make_fetcher, url):
    fetcher = make_fetcher(allow_private=True)
    with pytest.raises(FetchError, match=r"refused: scheme '.*' is not fetched \(http or https only\)"):
        fetcher.fetch(url, untrusted=True)
    assert fetcher.ledger.last(url) is None and stored(fetcher) == []


def test_an_untrusted_url_may_not_reach_loopback_unless_private_addresses_are_allowed(http, make_fetcher):
    http.add("/a.csv", ok(b"a"))
    for url in (f"{http.url}/a.csv", f"http://localhost:{http.port}/a.csv", f"http://2130706433:{http.port}/a.csv"):
        with pytest.raises(FetchError, match=r"/a.csv: refused: host \S+ resolves to 127.0.0.1, a loopback address"):
            make_fetcher().fetch(url, untrusted=True)
    assert http.count("/a.csv") == 0
    assert make_fetcher().fetch(f"{http.url}/a.csv").path.read_bytes() == b"a"  # trusted: as the config wrote
    got = make_fetcher(allow_private=True).fetch(f"{http.url}/a.csv", untrusted=True)
    assert got.path.read_bytes() == b"a"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("[::1]", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("[fd00::1]", "private"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("100.64.0.1", "non-global"),
    ],
)
def test_non_public_addresses_are_refused(address, kind):
    refusal = HostPolicy().refusal(f"http://{address}/latest/meta-data/")
    assert refusal is not None and f"a {kind} address" in refusal
    assert HostPolicy(allow_private=True).refusal(f"http://{address}/x") is None


@pytest.mark.skipif(proxy_configured(), reason="through a proxy the peer address is the proxy's")
def test_a_name_that_resolves_public_but_connects_to_loopback_is_refused(http, make_fetcher, monkeypatch):
    """The address connected to is checked as well as the lookup: a name may answer differently the second time."""
    http.add("/a.csv", ok(b"internal"))
    monkeypatch.setattr("pipeline.fetch.policy._resolve", lambda host, port: [ipaddress.ip_address("93.184.216.34")])
    fetcher = make_fetcher()
    with pytest.raises(FetchError, match=r"/a.csv: http://localhost:\d+/a.csv connected to 127.0.0.1, a loopback"):
        fetcher.fetch(f"http://localhost:{http.port}/a.csv", untrusted=True)
    assert stored(fetcher) == [] and fetcher.ledger.downloads() == 0


def test_allow_hosts_with_wildcards():
    policy = HostPolicy(allow_hosts=("data.gov.tw", "*.moj.gov.tw"))
    assert policy.host_allowed("data.gov.tw") and policy.host_allowed("DATA.gov.tw.")
    assert policy.host_allowed("law.moj.gov.tw") and policy.host_allowed("a.b.moj.gov.tw")
    assert not policy.host_allowed("moj.gov.tw")  # the wildcard covers subdomains only
    assert not policy.host_allowed("evilmoj.gov.tw") and not policy.host_allowed("data.gov.tw.evil.com")
    refusal = policy.refusal("https://evil.example.com/x.csv")
    assert refusal == "host evil.example.com is not in fetch.allow_hosts"
    assert HostPolicy(allow_hosts=("127.0.0.1",), allow_private=True).refusal("http://127.0.0.1:1/x") is None


def test_a_name_that_does_not_resolve_is_not_a_policy_error(monkeypatch):
    def fail(*args: Any, **kw: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("pipeline.fetch.policy.socket.getaddrinfo", fail)
    assert HostPolicy().refusal("https://nowhere.example.gov.tw/a.csv") is None


def test_the_fetch_stage_checks_urls_from_remote_metadata_but_trusts_url_map_targets(http, write_config, tmp_path):
    http.add("/files/a.csv", ok(b"a,b\r\n"))
    cfg = load_config(
        write_config(
            {
                "fetch": {"backoff_s": 0.01, "retries": 0},
                "sources": [{"kind": "datagovtw", "base_url": "https://data.gov.tw", "datasets": ["1"]}],
            }
        )
    )
    ctx = make_context(cfg)

    def resource(url: str, fetch_url: str, fmt: str = "csv") -> Resource:
        return Resource.model_validate(
            {
                "source_index": 0,
                "source_kind": "datagovtw",
                "source_name": "datagovtw",
                "url": url,
                "fetch_url": fetch_url,
                "format": fmt,
                "dataset": {"id": "1"},
            }
        )

    listed = f"{http.url}/files/a.csv"  # as a publisher's metadata listed it, not rewritten
    refused = fetch_resource(cfg, ctx, resource(listed, listed))
    assert refused.path is None and "refused: host 127.0.0.1 resolves to 127.0.0.1, a loopback" in str(refused.error)
    assert http.count("/files/a.csv") == 0
    mapped = fetch_resource(cfg, ctx, resource("https://files.example.gov.tw/a.csv", listed))  # via url_map
    assert mapped.error is None and Path(str(mapped.path)).read_bytes() == b"a,b\r\n"
    meta = fetch_resource(cfg, ctx, resource(listed, listed, "metadata"))  # under the configured base_url
    assert meta.error is None

    open_cfg = load_config(
        write_config(
            {
                "fetch": {"backoff_s": 0.01, "allow_private": True, "allow_hosts": ["127.0.0.1"]},
                "sources": [{"kind": "datagovtw", "base_url": "https://data.gov.tw", "datasets": ["1"]}],
            },
            name="open.yaml",
        )
    )
    assert fetch_resource(open_cfg, make_context(open_cfg), resource(listed, listed)).error is None


def test_allow_hosts_entries_are_validated(write_config):
    from pipeline.config import ConfigError

    sources = [{"kind": "datagovtw", "datasets": ["1"]}]
    with pytest.raises(ConfigError, match=r"fetch\.allow_hosts.*'https://data.gov.tw/' is not a host name"):
        load_config(write_config({"fetch": {"allow_hosts": ["https://data.gov.tw/"]}, "sources": sources}))
    cfg = load_config(write_config({"fetch": {"allow_hosts": ["Data.Gov.TW.", "*.gov.tw"]}, "sources": sources}))
    assert cfg.corpus.fetch.allow_hosts == ["data.gov.tw", "*.gov.tw"]


# --- credentials ------------------------------------------------------------------------------------------

SECRET_URL_QUERY = "?api_key=SEKRET1&apikey=SEKRET2&token=SEKRET3&access_token=SEKRET4&password=SEKRET5"
SECRET_URL_QUERY += "&secret=SEKRET6&key=SEKRET7&page=2"


def test_redact_hides_userinfo_and_secret_query_values():
    url = "https://alice:pa55w0rd@data.gov.tw/api/x" + SECRET_URL_QUERY + "#top"
    clean = redact(url)
    assert clean.startswith("https://***@data.gov.tw/api/x?api_key=***&apikey=***&token=***")
    assert "SEKRET" not in clean and "pa55w0rd" not in clean and "alice" not in clean
    assert clean.endswith("&page=2#top")
    assert redact("https://s3.example.com/b?X-Amz-Signature=abc123&X-Amz-Credential=AK%2F1") == (
        "https://s3.example.com/b?X-Amz-Signature=***&X-Amz-Credential=***"
    )
    assert redact("https://data.gov.tw/a.csv") == "https://data.gov.tw/a.csv"


def test_no_error_or_log_line_carries_credentials(http, make_fetcher, caplog):
    http.add("/busy", (503, {}, b""))
    http.add("/hop", redirect("http://169.254.169.254/x?access_token=SEKRET9"))
    fetcher = make_fetcher(retries=1)
    messages = []
    with caplog.at_level(logging.WARNING, logger="pipeline.fetch.http"):
        for path in ("/missing", "/busy", "/hop"):
            url = f"http://alice:pa55w0rd@127.0.0.1:{http.port}{path}{SECRET_URL_QUERY}"
            with pytest.raises(FetchError) as err:
                fetcher.fetch(url)
            messages.append(str(err.value))
        with pytest.raises(FetchError) as err:
            fetcher.fetch(f"http://bob:hunter22@127.0.0.1:{free_port()}/x?token=SEKRET8")
        messages.append(str(err.value))
        with pytest.raises(FetchError) as err:
            fetcher.fetch(f"http://bob:hunter22@localhost:{http.port}/x?token=SEKRET8", untrusted=True)
        messages.append(str(err.value))
    assert http.auth[0] is not None  # the credentials were used for the request ...
    logged = [r.getMessage() for r in caplog.records]
    assert logged and any("/busy" in line for line in logged)
    for text in messages + logged:  # ... and appear in no message
        assert "SEKRET" not in text and "pa55w0rd" not in text and "hunter22" not in text, text
    assert "/missing?api_key=***" in messages[0] and "page=2: HTTP 404" in messages[0]
    assert json.dumps(messages).count("***@127.0.0.1") >= 3


def test_temp_files_of_abandoned_downloads_are_swept_and_live_ones_kept(tmp_path):
    import os
    import time

    from pipeline.fetch import RawStore

    store = RawStore(tmp_path / "raw")
    (tmp_path / "raw/ab").mkdir(parents=True)
    old = [tmp_path / "raw/.tmp-killed", tmp_path / "raw/ab/.tmp-killed"]
    live = tmp_path / "raw/.tmp-downloading"
    kept = tmp_path / "raw/ab/ab12"
    for path in [*old, live, kept]:
        path.write_bytes(b"partial")
    hours_ago = time.time() - 3 * 3600
    for path in [*old, kept]:
        os.utime(path, (hours_ago, hours_ago))
    assert store.sweep(older_than_s=2 * 3600) == 2
    assert not any(p.exists() for p in old) and live.exists() and kept.exists()
