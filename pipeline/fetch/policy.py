"""Where URLs that remote metadata or a redirect hand us may lead: http(s), allowed hosts, public addresses."""

from __future__ import annotations

import ipaddress
import socket
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.fetch.urls import WEB_SCHEMES


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
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
        if parts.scheme.lower() not in WEB_SCHEMES:
            return f"scheme {parts.scheme or '(none)'!r} is not fetched (http or https only)"
        host = parts.hostname
        if not host:
            return "no host in the URL"
        if not self.host_allowed(host):
            return f"host {host} is not in fetch.allow_hosts"
        if self.allow_private:
            return None
        for address in _resolve(host, port or (443 if parts.scheme.lower() == "https" else 80)):
            problem = address_problem(address)
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
