"""Licence strings as publishers write them -> canonical licence -> policy, and the attribution they require.

The table lives in configs/licenses.yaml (a config may name another). OGDL-Taiwan-1.0 voids the grant when the
attribution statement is missing, so every published document carries its dataset's statement and the release
carries a NOTICE listing them all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

OGDL = "OGDL-Taiwan-1.0"
UNKNOWN = "LicenseRef-Unknown"
DEFAULT_TABLE = Path(__file__).resolve().parents[1] / "configs" / "licenses.yaml"
CLASSES = (
    "public-domain",
    "attribution",
    "share-alike",
    "no-derivatives",
    "non-commercial",
    "restricted",
    "unknown",
)
POLICIES = ("allow", "deny", "review")
Policy = Literal["allow", "deny", "review"]

_DASHES = re.compile(r"[‐‑‒–—―－﹣]")
_SPACES = re.compile(r"[\s\u3000]+")


class LicenseTableError(ValueError):
    """A licence table that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class License:
    id: str
    name: str
    url: str | None
    name_en: str | None = None
    version: str | None = None
    license_class: str = "unknown"
    policy: Policy = "review"
    spdx: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Resolved:
    """A dataset's licence as publish applies it."""

    license: License
    url: str | None
    attribution: str | None
    policy: Policy

    @property
    def id(self) -> str:
        return self.license.id


def _key(raw: str) -> str:
    """Spaces (any width) removed, dashes unified, case folded: 「第 1 版」 == 「第1版」."""
    return _SPACES.sub("", _DASHES.sub("-", raw.strip())).lower()


class LicenseTable:
    """Canonical licences and every alias that maps to them."""

    def __init__(self, licenses: dict[str, License], aliases: dict[str, str], path: Path, digest: str) -> None:
        self.licenses, self.aliases, self.path, self.digest = licenses, aliases, path, digest

    @classmethod
    def load(cls, path: Path) -> LicenseTable:
        raw_bytes = path.read_bytes()
        try:
            data = yaml.safe_load(raw_bytes) or {}
        except yaml.YAMLError as exc:
            raise LicenseTableError(f"{path}: not valid YAML: {exc}") from exc
        entries = data.get("licenses") if isinstance(data, dict) else None
        if not isinstance(entries, dict) or UNKNOWN not in entries:
            raise LicenseTableError(f"{path}: expected a `licenses:` mapping that includes {UNKNOWN}")
        licenses: dict[str, License] = {}
        aliases: dict[str, str] = {}
        for lid, entry in entries.items():
            licenses[lid] = _entry(path, str(lid), entry or {})
            for alias in [lid, *(entry or {}).get("aliases", [])]:
                k = _key(str(alias))
                if aliases.setdefault(k, lid) != lid:
                    raise LicenseTableError(f"{path}: alias {alias!r} of {lid} is already an alias of {aliases[k]}")
        return cls(licenses, aliases, path, hashlib.sha256(raw_bytes).hexdigest()[:16])

    def canonical(self, raw: str | None) -> License:
        """Unknown strings map to LicenseRef-Unknown: they are never guessed into an open licence."""
        lid = self.aliases.get(_key(raw)) if raw else None
        return self.licenses[lid or UNKNOWN]

    def get(self, license_id: str | None) -> License:
        return self.licenses.get(license_id or UNKNOWN, self.licenses[UNKNOWN])

    def policy(self, license_id: str | None, overrides: Any = None) -> Policy:
        """The table's policy, unless the run's `licenses: {allow|deny|review: [...]}` lists the id."""
        lic = self.get(license_id)
        if overrides is not None:
            for name in ("deny", "review", "allow"):
                if lic.id in getattr(overrides, name):
                    return name  # type: ignore[return-value]
        return lic.policy

    def resolve(
        self,
        raw: str | None,
        *,
        dataset_id: str,
        dataset_title: str | None,
        agency: str | None,
        raw_url: str | None = None,
        overrides: Any = None,
    ) -> Resolved:
        """Everything a dataset's licence string decides, in one place: the canonical licence, its link, the
        attribution statement it requires and the policy (the table's, or the run's override)."""
        lic = self.canonical(raw)
        return Resolved(
            license=lic,
            url=lic.url or raw_url,
            attribution=attribution(lic, agency, dataset_title, dataset_id),
            policy=self.policy(lic.id, overrides),
        )

    def unknown_ids(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i not in self.licenses]


def _entry(path: Path, lid: str, entry: dict[str, Any]) -> License:
    where = f"{path}: licenses.{lid}"
    if not entry.get("name"):
        raise LicenseTableError(f"{where}.name: missing")
    cls = entry.get("class", "unknown")
    if cls not in CLASSES:
        raise LicenseTableError(f"{where}.class: {cls!r} is not one of {', '.join(CLASSES)}")
    policy = entry.get("policy", "review")
    if policy not in POLICIES:
        raise LicenseTableError(f"{where}.policy: {policy!r} is not one of {', '.join(POLICIES)}")
    version = entry.get("version")
    return License(
        id=lid,
        name=str(entry["name"]),
        url=entry.get("url"),
        name_en=entry.get("name_en"),
        version=None if version is None else str(version),
        license_class=cls,
        policy=policy,
        spdx=bool(entry.get("spdx", False)),
        note=entry.get("note"),
    )


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> LicenseTable:
    return LicenseTable.load(Path(path))


def load_table(path: Path | None = None) -> LicenseTable:
    """The table at `path` (default configs/licenses.yaml), re-read when the file changes."""
    p = (path or DEFAULT_TABLE).resolve()
    if not p.exists():
        raise LicenseTableError(f"{p}: licence table not found")
    return _load_cached(str(p), p.stat().st_mtime_ns)


def canonical(raw: str | None) -> License:
    """Against the default table (for callers without a config, e.g. the catalogue reader)."""
    return load_table().canonical(raw)


def attribution(lic: License, agency: str | None, dataset_title: str | None, dataset_id: str) -> str | None:
    """The statement the licence asks for: providing agency, dataset name, licence name and version, and link.

    OGDL-Taiwan-1.0 section 4 asks for exactly these; CC licences ask for the same elements. Public-domain
    texts need none, but their source is stated all the same; an unknown licence gets no statement.
    """
    if lic.id == UNKNOWN:
        return None
    who = agency or "（提供機關未載明）"
    what = f"「{dataset_title}」" if dataset_title else ""
    version = f"（版本 {lic.version}）" if lic.version and lic.version not in lic.name else ""
    link = f"，授權條款網址 {lic.url}" if lic.url else ""
    return f"{who}{what}（資料集 {dataset_id}），依「{lic.name}」{version}提供{link}。"
