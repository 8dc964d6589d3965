"""Licence strings as publishers write them -> canonical id -> policy, and the attribution they require.

OGDL-Taiwan-1.0 voids the grant when the attribution statement is missing, so every published document
carries its dataset's statement and the release carries a NOTICE listing them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OGDL = "OGDL-Taiwan-1.0"
UNKNOWN = "LicenseRef-Unknown"


@dataclass(frozen=True)
class License:
    id: str
    name: str
    url: str | None


KNOWN: dict[str, License] = {
    OGDL: License(OGDL, "政府資料開放授權條款－第1版", "https://data.gov.tw/license"),
    "CC0-1.0": License("CC0-1.0", "CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-4.0": License(
        "CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"
    ),
    "CC-BY-ND-3.0-TW": License(
        "CC-BY-ND-3.0-TW", "創用CC 姓名標示-禁止改作 3.0 臺灣", "https://creativecommons.org/licenses/by-nd/3.0/tw/"
    ),
    "LicenseRef-TW-Copyright-Act-Art9": License(
        "LicenseRef-TW-Copyright-Act-Art9", "著作權法第9條（不得為著作權之標的）", None
    ),
    UNKNOWN: License(UNKNOWN, "unknown", None),
}

# Keys are compared after removing spaces and unifying dashes, so 「政府資料開放授權條款－第 1 版」 matches.
_ALIASES: dict[str, str] = {
    "ogdl-taiwan-1.0": OGDL,
    "政府資料開放授權條款-第1版": OGDL,
    "政府資料開放授權條款第1版": OGDL,
    "1": OGDL,  # data.gov.tw v2 licence code
    "cc0": "CC0-1.0",
    "cc0-1.0": "CC0-1.0",
    "ccby4.0": "CC-BY-4.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-nd-3.0-tw": "CC-BY-ND-3.0-TW",
    "創用cc姓名標示-禁止改作3.0臺灣": "CC-BY-ND-3.0-TW",
    "licenseref-tw-copyright-act-art9": "LicenseRef-TW-Copyright-Act-Art9",
    "著作權法第9條": "LicenseRef-TW-Copyright-Act-Art9",
}

_DASHES = re.compile(r"[‐‑‒–—―－﹣]")
_SPACES = re.compile(r"[\s\u3000]+")


def _key(raw: str) -> str:
    return _SPACES.sub("", _DASHES.sub("-", raw)).lower()


def canonical(raw: str | None) -> License:
    """Unknown strings map to LicenseRef-Unknown: they are never guessed into an open licence."""
    if not raw:
        return KNOWN[UNKNOWN]
    lid = _ALIASES.get(_key(raw))
    return KNOWN[lid] if lid else KNOWN[UNKNOWN]


DENY = {"CC-BY-ND-3.0-TW"}  # no derivatives: normalising and deduplicating are adaptations


def policy(license_id: str, allow: list[str]) -> str:
    """allow | deny | review: only allowed licences reach the published corpus."""
    if license_id in allow:
        return "allow"
    return "deny" if license_id in DENY else "review"


def attribution(lic: License, agency: str | None, dataset_title: str | None, dataset_id: str) -> str | None:
    """The statement the licence asks for: providing agency, dataset name and version, licence and link."""
    if lic.id == UNKNOWN:
        return None
    who = agency or "（提供機關未載明）"
    what = f"「{dataset_title}」" if dataset_title else ""
    link = f"（{lic.url}）" if lic.url else ""
    return f"{who}{what}（資料集 {dataset_id}），依{lic.name}{link}提供。"
