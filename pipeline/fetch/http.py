"""The Fetcher: bytes of a URL or path into the raw store, with a ledger of every retrieval.

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
import ipaddress
import logging
import random
import stat
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline import __version__
from pipeline.atomic import sha256_file
from pipeline.config import FetchConfig
from pipeline.fetch.ledger import Ledger
from pipeline.fetch.policy import HostPolicy, address_problem, proxy_configured
from pipeline.fetch.store import Incoming, RawStore
from pipeline.fetch.types import Fetched, FetchError
from pipeline.fetch.urls import is_remote, local_path, redact, scrub

USER_AGENT = f"twcorpus/{__version__} (+https://github.com/twcorpus/twcorpus)"
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
# Formats that are markup themselves; for any other, an HTML page served instead is an error page.
_MARKUP_FORMATS = {"html", "htm", "xml"}

log = logging.getLogger(__name__)


class _Retryable(Exception):
    """A failure of one attempt that another attempt may not repeat (reset, timeout, short body)."""


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

    def __init__(self, store: RawStore, ledger: Ledger, settings: FetchConfig | None = None) -> None:
        self.store = store
        self.ledger = ledger
        self.settings = settings = settings or FetchConfig()
        self.policy = HostPolicy(
            tuple(settings.allow_hosts) if settings.allow_hosts is not None else None, settings.allow_private
        )

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
        """A local file's sha256, read again only when the file changed: its size, modification and change
        times and inode as the ledger last saw them (kept in the ledger's validator column) say it did not."""
        try:
            st = path.stat()
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            raise FetchError(f"{redact(url)}: no such file {path}")
        stamp = f"stat:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
        prev = self.ledger.last(url)
        if prev and prev.get("etag") == stamp and prev.get("sha256"):
            sha = str(prev["sha256"])
            seen = self.ledger.first_seen(url, sha)
            return Fetched(url, path, sha, st.st_size, seen or datetime.now(UTC), downloaded=False)
        sha = sha256_file(path)
        seen = self.ledger.first_seen(url, sha)
        now = self.ledger.record(url, 200, sha, st.st_size, etag=stamp)
        return Fetched(url, path, sha, st.st_size, seen or now, downloaded=False)

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
        deadline = time.monotonic() + self.settings.deadline_s
        last_error = ""
        with httpx.Client(follow_redirects=False, timeout=self.settings.timeout_s) as client:
            for attempt in range(self.settings.retries + 1):
                try:
                    answer = self._attempt(client, url, source, headers, deadline, checked=checked, expect=expect)
                except _Retryable as exc:
                    last_error = str(exc)
                    wait = self._delay(attempt, None)
                else:
                    if answer.status not in _RETRY_STATUS or attempt == self.settings.retries:
                        return answer, attempt + 1
                    last_error = f"HTTP {answer.status}"
                    wait = self._delay(attempt, answer.headers.get("retry-after"))
                if attempt == self.settings.retries:
                    break
                if time.monotonic() + wait > deadline:
                    raise FetchError(
                        f"{redact(url)}: deadline of {self.settings.deadline_s:g} s would pass before the next attempt"
                        f" ({attempt + 1} attempts; last: {last_error})"
                    )
                log.warning(
                    "%s: %s; attempt %d of %d in %.2f s",
                    redact(url),
                    last_error,
                    attempt + 2,
                    self.settings.retries + 1,
                    wait,
                )
                time.sleep(wait)  # outside the host slot, so other requests to the host can go on
        raise FetchError(f"{redact(url)}: gave up after {self.settings.retries + 1} attempts ({last_error})")

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
        for hop in range(self.settings.max_redirects + 1):
            if hop:
                refused = self.policy.refusal(target)
                if refused:
                    raise FetchError(f"{redact(url)}: redirect to {redact(target)} refused: {refused}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"{redact(url)}: deadline of {self.settings.deadline_s:g} s passed")
            try:
                with (
                    host_slot(target, self.settings.per_host),
                    client.stream(
                        "GET", target, headers=headers, timeout=min(self.settings.timeout_s, remaining)
                    ) as response,
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
                raise _Retryable(scrub(f"{type(exc).__name__}: {exc}", url, source, target)) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(
                    f"{redact(url)}: {scrub(f'{type(exc).__name__}: {exc}', url, source, target)}"
                ) from None
        raise FetchError(f"{redact(url)}: more than {self.settings.max_redirects} redirects (last to {redact(target)})")

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
        problem = address_problem(address)
        if problem:
            raise FetchError(f"{redact(url)}: {redact(target)} connected to {address}, a {problem} address")

    def _receive(self, url: str, response: httpx.Response, deadline: float, expect: str | None) -> Incoming:
        """The whole body into a temp file in the store, or an error and no file."""
        declared = response.headers.get("content-length")
        length = int(declared) if declared and declared.strip().isdigit() else None
        if length is not None and length > self.settings.max_bytes:
            raise FetchError(f"{redact(url)}: response larger than {self.settings.max_bytes} bytes ({length} declared)")
        body = self.store.incoming()
        try:
            for chunk in response.iter_bytes():
                body.write(chunk)
                if body.size > self.settings.max_bytes:
                    raise FetchError(f"{redact(url)}: response larger than {self.settings.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{redact(url)}: deadline of {self.settings.deadline_s:g} s passed after {body.size} bytes"
                        " of the body"
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
            return min(asked, self.settings.max_retry_after_s)
        return self.settings.backoff_s * (2**attempt) * (0.5 + random.random() / 2)


def fetcher_for(settings: FetchConfig, raw_dir: Path, ledger_path: Path) -> Fetcher:
    """A Fetcher over a run's raw store and ledger, with the config's HTTP settings."""
    return Fetcher(RawStore(raw_dir), Ledger(ledger_path), settings)
