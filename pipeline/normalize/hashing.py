"""The hashing view: what dedup compares. Never published; folds what readers do not see as a difference.

NFKC (widths), lower case, and no whitespace, punctuation or symbols, so that a copy re-flowed, re-spaced or
re-punctuated in another width hashes the same.
"""

from __future__ import annotations

import unicodedata

import xxhash

_DROP = {"P", "S", "Z", "C"}


def hashing_view(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in _DROP)


def exact_key(text: str) -> str:
    return xxhash.xxh3_128_hexdigest(hashing_view(text).encode("utf-8"))
