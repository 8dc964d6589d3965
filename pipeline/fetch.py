"""Bytes into a content-addressed raw store, with a ledger of every retrieval.

Local files are hashed in place (no copy); remote files are downloaded once and kept under their sha256.
The ledger remembers validators (ETag, Last-Modified) so an unchanged remote file is not downloaded again,
and remembers when a given content was first seen, so `retrieved_at` is stable across re-runs.

Remote servers are not trusted to behave: a download is streamed into a temp file beside the store while it
is hashed, and only a complete body (as long as its Content-Length, within `max_bytes`, inside the per-download
deadline) is renamed into place, so a truncated, oversized or half-retried body never enters the store. URLs
that come from remote metadata, and every redirect target, pass a host policy before anything is requested.
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import logging
import os
import random
import re
import socket
import sqlite3
import tempfile
import threading
import time
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urljoin, urlparse, urlsplit, urlunsplit

import httpx

from pipeline import __version__
from pipeline.atomic import sha256_file

USER_AGENT = f"twcorpus/{__version__} (+https://github.com/twcorpus/twcorpus)"
MAX_BYTES = 2 * 1024**3
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
_WEB_SCHEMES = ("http", "https")
# Formats that are markup themselves; for any other, an HTML page served instead is an error page.
_MARKUP_FORMATS = {"html", "htm", "xml"}
_SECRET_PARAM = re.compile(
    r"(?i)^(key|sig|signature|code|auth)$|[_-](key|sig|signature)$|token|secret|passw|pwd|apikey|credential"
)

log = logging.getLogger(__name__)


class FetchError(RuntimeError):
    """A resource that could not be retrieved; the message names the URL and the cause."""


class _Retryable(Exception):
    """A failure of one attempt that another attempt may not repeat (reset, timeout, short body)."""


@dataclass(frozen=True)
class Fetched:
    url: str
    path: Path  # where the bytes are now (raw store or the local file itself)
    sha256: str
    size: int
    retrieved_at: datetime
    downloaded: bool  # False when served from the store (304 or unchanged local file)
    content_type: str | None = None  # as the server declared it (None for local files)


def rewrite_url(url: str, url_map: dict[str, str], base_dir: Path) -> str:
    """Apply the longest matching prefix rewrite; a relative local target resolves against base_dir."""
    for prefix in sorted(url_map, key=len, reverse=True):
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            target = url_map[prefix]
            target = target.replace("{rest}", rest) if "{rest}" in target else target + rest
            if "://" not in target and not os.path.isabs(target):
                target = str(base_dir / target)
            return target
    return url


def is_remote(url: str) -> bool:
    return urlparse(url).scheme in _WEB_SCHEMES


def local_path(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path, errors="surrogateescape"))  # %FF: a file name byte that is not UTF-8
    if parsed.scheme and len(parsed.scheme) > 1:
        raise FetchError(f"{redact(url)}: unsupported URL scheme {parsed.scheme!r} (http, https, file or a path)")
    return Path(url)


def _secret_param(name: str) -> bool:
    return bool(_SECRET_PARAM.search(unquote(name)))


def redact(url: str) -> str:
    """The URL fit for a log or an error: no userinfo, and no value of a query parameter named like a secret."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "&".join(
        f"{name}=***" if sep and _secret_param(name) else f"{name}{sep}{value}"
        for name, sep, value in (piece.partition("=") for piece in parts.query.split("&"))
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _scrub(text: str, *urls: str) -> str:
    """`text` (e.g. an exception message) without the credentials of any of `urls`."""
    for url in urls:
        text = text.replace(url, redact(url))
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        values = [parts.username or "", parts.password or ""]
        for piece in parts.query.split("&"):
            name, sep, value = piece.partition("=")
            if sep and _secret_param(name):
                values.append(value)
        for value in values:
            for form in {value, unquote(value)}:
                if len(form) >= 3:
                    text = text.replace(form, "***")
    return text


def _address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public one, or None. IPv4-mapped IPv6 addresses are judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-global"
    return None


@dataclass(frozen=True)
class HostPolicy:
    """Where URLs the config did not name may lead: http(s) only, hosts in `allow_hosts` (when set; a leading
    `*.` matches any subdomain), and public addresses only unless `allow_private`."""

    allow_hosts: tuple[str, ...] | None = None
    allow_private: bool = False

    def host_allowed(self, host: str) -> bool:
        if self.allow_hosts is None:
            return True
        host = _idna(host.lower().rstrip("."))
        for entry in self.allow_hosts:
            entry = _idna(entry.strip().lower().rstrip(".").strip("[]"))
            if entry.startswith("*."):
                if host.endswith(entry[1:]) and len(host) > len(entry) - 1:
                    return True
            elif host == entry:
                return True
        return False

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched, or None. A name that does not resolve is not refused here: the request
        then fails as any unreachable host does."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            return f"malformed URL ({exc})"
        if parts.scheme.lower() not in _WEB_SCHEMES:
            return f"scheme {parts.scheme or '(none)'!r} is not fetched (http or https only)"
        host = parts.hostname
        if not host:
            return "no host in the URL"
        if not self.host_allowed(host):
            return f"host {host} is not in fetch.allow_hosts"
        if self.allow_private:
            return None
        for address in _resolve(host, port or (443 if parts.scheme.lower() == "https" else 80)):
            problem = _address_problem(address)
            if problem:
                return f"host {host} resolves to {address}, a {problem} address (fetch.allow_private is off)"
        return None


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    out = []
    for info in infos:
        try:
            out.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return out


def proxy_configured() -> bool:
    """With a proxy the peer of a connection is the proxy, so the peer address says nothing about the target."""
    return bool({"http", "https", "all"} & set(urllib.request.getproxies()))


def _looks_like_html_page(content_type: str | None, head: bytes) -> bool:
    """An error or landing page: markup declared as HTML, or a body that opens as an HTML document whatever the
    declared type. Publishers label real CSV files text/html, so the declared type alone decides nothing."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return True
    return "html" in (content_type or "").lower() and start.startswith(b"<")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (a past date is 0); None if absent or bad."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Incoming:
    """A download in progress: a temp file in the store, hashed as it is written; renamed in whole or removed."""

    HEAD = 512

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=root, prefix=".tmp-")
        self.path = Path(name)
        self._fh: IO[bytes] = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        self._fh.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)
        if len(self.head) < self.HEAD:
            self.head += chunk[: self.HEAD - len(self.head)]

    def finish(self) -> str:
        self._fh.close()
        return self._hash.hexdigest()

    def discard(self) -> None:
        self._fh.close()
        self.path.unlink(missing_ok=True)


class RawStore:
    """Files named by their sha256 under raw/<2 hex>/<sha256>; a download enters as a complete temp file, renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def incoming(self) -> Incoming:
        return Incoming(self.root)

    def sweep(self, older_than_s: float) -> int:
        """Remove temp files of downloads abandoned by a killed run (not written to for `older_than_s`: longer
        than any download may last, so a live one is never touched). Returns how many were removed."""
        if not self.root.exists():
            return 0
        cutoff = time.time() - older_than_s
        removed = 0
        for tmp in [*self.root.glob(".tmp-*"), *self.root.glob("*/.tmp-*")]:
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def adopt(self, incoming: Incoming) -> tuple[str, Path]:
        """Move a complete download into place under its hash, after checking the file on disk hashes the same
        as the bytes received; the temp file is gone afterwards either way."""
        try:
            sha = incoming.finish()
            if sha256_file(incoming.path) != sha:
                raise FetchError(f"{incoming.path}: the bytes on disk differ from the bytes received")
            dest = self.path_for(sha)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                os.replace(incoming.path, dest)
            return sha, dest
        finally:
            incoming.discard()


class Ledger:
    """SQLite log of retrievals; safe for concurrent writers (WAL, short transactions).

    One connection per thread, kept: opening one per call cost more than the call (0.8 ms of CPU per
    resource, 5 s over the 2,926 real-data files). synchronous=NORMAL, SQLite's setting for WAL: a power
    cut may lose the last few records (those files are fetched again), never corrupt the ledger.
    """

    COLUMNS = ("url", "status", "etag", "last_modified", "size", "sha256", "fetched_at", "downloaded", "content_type")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._open()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS fetches (url TEXT, status INTEGER, etag TEXT, last_modified TEXT,"
                " size INTEGER, sha256 TEXT, fetched_at TEXT, downloaded INTEGER, content_type TEXT)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url)")
            have = {row[1] for row in db.execute("PRAGMA table_info(fetches)")}
            if "content_type" not in have:  # a ledger written before the column existed
                db.execute("ALTER TABLE fetches ADD COLUMN content_type TEXT")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection (closed with the ledger object)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._open()
        return db

    def last(self, url: str) -> dict[str, object] | None:
        cursor = self._connect().execute(
            "SELECT * FROM fetches WHERE url=? AND sha256 IS NOT NULL ORDER BY rowid DESC LIMIT 1", (url,)
        )
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def first_seen(self, url: str, sha: str) -> datetime | None:
        db = self._connect()
        row = db.execute("SELECT MIN(fetched_at) FROM fetches WHERE url=? AND sha256=?", (url, sha)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def record(
        self,
        url: str,
        status: int,
        sha: str | None,
        size: int | None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        downloaded: bool = False,
        content_type: str | None = None,
    ) -> datetime:
        now = datetime.now(UTC)
        with self._connect() as db:  # one transaction, committed
            db.execute(
                f"INSERT INTO fetches ({','.join(self.COLUMNS)}) VALUES ({','.join('?' * len(self.COLUMNS))})",
                (url, status, etag, last_modified, size, sha, now.isoformat(), int(downloaded), content_type),
            )
        return now

    def downloads(self) -> int:
        return self._connect().execute("SELECT COUNT(*) FROM fetches WHERE downloaded=1").fetchone()[0]


_HOST_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_HOST_SLOTS_LOCK = threading.Lock()


def host_slot(url: str, limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore that caps concurrent requests to the URL's host."""
    key = (urlsplit(url).netloc.rpartition("@")[2].lower(), limit)
    with _HOST_SLOTS_LOCK:
        if key not in _HOST_SLOTS:
            _HOST_SLOTS[key] = threading.BoundedSemaphore(limit)
        return _HOST_SLOTS[key]


@dataclass
class _Answer:
    """The outcome of one attempt: a final status, and for a 200 the complete body waiting in the store."""

    status: int
    headers: httpx.Headers
    body: Incoming | None = None


class Fetcher:
    """Retrieves one URL or path at a time; shared by discovery (metadata) and the fetch stage."""

    def __init__(
        self,
        store: RawStore,
        ledger: Ledger,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_bytes: int = MAX_BYTES,
        per_host: int = 4,
        deadline: float = 3600.0,
        max_retry_after: float = 120.0,
        max_redirects: int = 5,
        allow_hosts: list[str] | tuple[str, ...] | None = None,
        allow_private: bool = False,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.per_host = per_host
        self.deadline = deadline
        self.max_retry_after = max_retry_after
        self.max_redirects = max_redirects
        self.policy = HostPolicy(tuple(allow_hosts) if allow_hosts is not None else None, allow_private)

    def fetch(
        self, url: str, fetch_url: str | None = None, *, untrusted: bool = False, expect: str | None = None
    ) -> Fetched:
        """`url` is the identity recorded in provenance; `fetch_url` (after rewrites) is where bytes come from.

        `untrusted`: the location came from remote metadata (not from the config), so it must pass the host
        policy. Redirect targets pass it whatever the origin. `expect`: the format the caller will read; an
        HTML page served as such for a format that never starts with markup is refused as an error page.
        """
        source = fetch_url or url
        if untrusted:
            refused = self.policy.refusal(source)
            if refused:
                raise FetchError(f"{redact(url)}: refused: {refused}")
        if is_remote(source):
            return self._fetch_remote(url, source, checked=untrusted, expect=expect)
        return self._fetch_local(url, local_path(source))

    def _fetch_local(self, url: str, path: Path) -> Fetched:
        if not path.is_file():
            raise FetchError(f"{redact(url)}: no such file {path}")
        sha = sha256_file(path)
        size = path.stat().st_size
        seen = self.ledger.first_seen(url, sha)
        now = self.ledger.record(url, 200, sha, size)
        return Fetched(url, path, sha, size, seen or now, downloaded=False)

    def _fetch_remote(self, url: str, source: str, *, checked: bool, expect: str | None) -> Fetched:
        prev = self.ledger.last(url)
        headers = {"User-Agent": USER_AGENT}
        if prev and self.store.path_for(str(prev["sha256"])).exists():
            if prev.get("etag"):
                headers["If-None-Match"] = str(prev["etag"])
            if prev.get("last_modified"):
                headers["If-Modified-Since"] = str(prev["last_modified"])
        answer, attempts = self._get_with_retries(url, source, headers, checked=checked, expect=expect)
        content_type = answer.headers.get("content-type")
        if answer.status == 304 and prev:
            sha, size = str(prev["sha256"]), int(prev["size"] or 0)
            kept = {k: str(prev.get(k) or "") or None for k in ("etag", "last_modified", "content_type")}
            self.ledger.record(url, 304, sha, size, **kept)
            seen = self.ledger.first_seen(url, sha)
            return Fetched(
                url,
                self.store.path_for(sha),
                sha,
                size,
                seen or datetime.now(UTC),
                downloaded=False,
                content_type=kept["content_type"],
            )
        if answer.status != 200 or answer.body is None:
            self.ledger.record(url, answer.status, None, None, content_type=content_type)
            after = f" after {attempts} attempts" if attempts > 1 else ""
            raise FetchError(f"{redact(url)}: HTTP {answer.status}{after}")
        size = answer.body.size
        sha, path = self.store.adopt(answer.body)
        seen = self.ledger.first_seen(url, sha)
        now = self.ledger.record(
            url,
            200,
            sha,
            size,
            etag=answer.headers.get("etag"),
            last_modified=answer.headers.get("last-modified"),
            downloaded=True,
            content_type=content_type,
        )
        return Fetched(url, path, sha, size, seen or now, downloaded=True, content_type=content_type)

    def _get_with_retries(
        self, url: str, source: str, headers: dict[str, str], *, checked: bool, expect: str | None
    ) -> tuple[_Answer, int]:
        """The final answer and the number of attempts it took. Connection errors, timeouts, short bodies and
        the statuses in _RETRY_STATUS are retried; the deadline bounds the whole download, waits included."""
        deadline = time.monotonic() + self.deadline
        last_error = ""
        with httpx.Client(follow_redirects=False, timeout=self.timeout) as client:
            for attempt in range(self.retries + 1):
                try:
                    answer = self._attempt(client, url, source, headers, deadline, checked=checked, expect=expect)
                except _Retryable as exc:
                    last_error = str(exc)
                    wait = self._delay(attempt, None)
                else:
                    if answer.status not in _RETRY_STATUS or attempt == self.retries:
                        return answer, attempt + 1
                    last_error = f"HTTP {answer.status}"
                    wait = self._delay(attempt, answer.headers.get("retry-after"))
                if attempt == self.retries:
                    break
                if time.monotonic() + wait > deadline:
                    raise FetchError(
                        f"{redact(url)}: deadline of {self.deadline:g} s would pass before the next attempt"
                        f" ({attempt + 1} attempts; last: {last_error})"
                    )
                log.warning(
                    "%s: %s; attempt %d of %d in %.2f s", redact(url), last_error, attempt + 2, self.retries + 1, wait
                )
                time.sleep(wait)  # outside the host slot, so other requests to the host can go on
        raise FetchError(f"{redact(url)}: gave up after {self.retries + 1} attempts ({last_error})")

    def _attempt(
        self,
        client: httpx.Client,
        url: str,
        source: str,
        headers: dict[str, str],
        deadline: float,
        *,
        checked: bool,
        expect: str | None,
    ) -> _Answer:
        """One request, following redirects by hand so that every target passes the host policy."""
        target = source
        for hop in range(self.max_redirects + 1):
            if hop:
                refused = self.policy.refusal(target)
                if refused:
                    raise FetchError(f"{redact(url)}: redirect to {redact(target)} refused: {refused}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"{redact(url)}: deadline of {self.deadline:g} s passed")
            try:
                with (
                    host_slot(target, self.per_host),
                    client.stream("GET", target, headers=headers, timeout=min(self.timeout, remaining)) as response,
                ):
                    if checked or hop:
                        self._check_peer(url, target, response)
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECT_STATUS and location:
                        target = urljoin(str(response.url), location.strip())
                        continue
                    if response.status_code != 200:
                        return _Answer(response.status_code, response.headers)
                    return _Answer(200, response.headers, self._receive(url, response, deadline, expect))
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise _Retryable(_scrub(f"{type(exc).__name__}: {exc}", url, source, target)) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(
                    f"{redact(url)}: {_scrub(f'{type(exc).__name__}: {exc}', url, source, target)}"
                ) from None
        raise FetchError(f"{redact(url)}: more than {self.max_redirects} redirects (last to {redact(target)})")

    def _check_peer(self, url: str, target: str, response: httpx.Response) -> None:
        """The address actually connected to must pass too: a name can resolve differently on the second lookup."""
        if self.policy.allow_private or proxy_configured():
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:
            return
        try:
            address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
        except ValueError:
            return
        problem = _address_problem(address)
        if problem:
            raise FetchError(f"{redact(url)}: {redact(target)} connected to {address}, a {problem} address")

    def _receive(self, url: str, response: httpx.Response, deadline: float, expect: str | None) -> Incoming:
        """The whole body into a temp file in the store, or an error and no file."""
        declared = response.headers.get("content-length")
        length = int(declared) if declared and declared.strip().isdigit() else None
        if length is not None and length > self.max_bytes:
            raise FetchError(f"{redact(url)}: response larger than {self.max_bytes} bytes ({length} declared)")
        body = self.store.incoming()
        try:
            for chunk in response.iter_bytes():
                body.write(chunk)
                if body.size > self.max_bytes:
                    raise FetchError(f"{redact(url)}: response larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{redact(url)}: deadline of {self.deadline:g} s passed after {body.size} bytes of the body"
                    )
            if length is not None and response.num_bytes_downloaded != length:
                raise _Retryable(f"body of {response.num_bytes_downloaded} bytes, Content-Length {length}: incomplete")
            ctype = response.headers.get("content-type")
            if expect and expect.lower() not in _MARKUP_FORMATS and _looks_like_html_page(ctype, body.head):
                raise FetchError(
                    f"{redact(url)}: served an HTML page ({ctype or 'no Content-Type'}) where a {expect} file"
                    " was expected"
                )
        except BaseException:
            body.discard()
            raise
        return body

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.max_retry_after)
        return self.backoff * (2**attempt) * (0.5 + random.random() / 2)
