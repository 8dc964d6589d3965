"""The hashing view: what dedup compares. Never published; folds what readers do not see as a difference.

NFKC (widths), lower case, Simplified script (OpenCC t2s), and no whitespace, punctuation or symbols, so that
a copy re-flowed, re-spaced, re-punctuated in another width or half-converted to Simplified hashes the same.
"""

from __future__ import annotations

import unicodedata

import xxhash

from pipeline.normalize.chinese import fold_script

_DROP = {"P", "S", "Z", "C"}
# Every BMP code point of those categories, deleted in one str.translate pass (astral ones are letters, kept).
_DELETE = {cp: None for cp in range(0x10000) if unicodedata.category(chr(cp))[0] in _DROP}


def hashing_view(text: str) -> str:
    return fold_script(unicodedata.normalize("NFKC", text).lower()).translate(_DELETE)


def key_of_view(view: str) -> str:
    return xxhash.xxh3_128_hexdigest(view.encode("utf-8"))


def exact_key(text: str) -> str:
    return key_of_view(hashing_view(text))
