"""URLs and paths: rewrites to mirrors, local or remote, and the form fit for a log (no credentials)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit, urlunsplit

from pipeline.fetch.types import FetchError

WEB_SCHEMES = ("http", "https")
_SECRET_PARAM = re.compile(
    r"(?i)^(key|sig|signature|code|auth)$|[_-](key|sig|signature)$|token|secret|passw|pwd|apikey|credential"
)


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
    return urlparse(url).scheme in WEB_SCHEMES


def local_path(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path, errors="surrogateescape"))  # %FF: a file name byte that is not UTF-8
    if parsed.scheme and len(parsed.scheme) > 1:
        raise FetchError(f"{redact(url)}: unsupported URL scheme {parsed.scheme!r} (http, https, file or a path)")
    return Path(url)


def secret_param(name: str) -> bool:
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
        f"{name}=***" if sep and secret_param(name) else f"{name}{sep}{value}"
        for name, sep, value in (piece.partition("=") for piece in parts.query.split("&"))
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def scrub(text: str, *urls: str) -> str:
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
            if sep and secret_param(name):
                values.append(value)
        for value in values:
            for form in {value, unquote(value)}:
                if len(form) >= 3:
                    text = text.replace(form, "***")
    return text
