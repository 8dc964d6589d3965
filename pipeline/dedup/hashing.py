"""The hashing view: what dedup compares. Never published; folds what readers do not see as a difference.

NFKC (widths), lower case, Simplified script (OpenCC t2s), and no whitespace, punctuation or symbols, so that
a copy re-flowed, re-spaced, re-punctuated in another width or half-converted to Simplified hashes the same.
"""

from __future__ import annotations

import re
import unicodedata

import xxhash

from pipeline.normalize.chinese import fold_script

VERSION = 2  # part of the staged-file key: a change here changes every exact key and signature
_DROP = {"P", "S", "Z", "C"}


def _drop_pattern() -> re.Pattern[str]:
    """Runs of BMP code points of those categories, as one character class (astral ones are letters, kept)."""
    ranges: list[list[int]] = []
    for cp in range(0x10000):
        if unicodedata.category(chr(cp))[0] in _DROP:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    body = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return re.compile(f"[{body}]+")


_STRIP = _drop_pattern()


def hashing_view(text: str) -> str:
    """Punctuation, symbols, spaces and controls go first: what remains of normalised Chinese text is then
    usually NFKC already (a quick check, 2.7x faster than normalising every text). A symbol NFKC expands
    (˙ -> space + combining dot) is dropped whole instead of leaving a stray mark."""
    text = _STRIP.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _STRIP.sub("", fold_script(text.lower()))


def hashing_line_views(lines: list[str]) -> list[str]:
    """`hashing_view` of each line, in order ("" for a line with nothing left), with one script conversion for
    all of them instead of one per line (the conversion is most of the cost)."""
    cleaned = []
    for line in lines:
        view = _STRIP.sub("", line)
        if view and not unicodedata.is_normalized("NFKC", view):
            view = unicodedata.normalize("NFKC", view)
        cleaned.append(view.lower())
    folded = fold_script("\n".join(cleaned)).split("\n")
    if len(folded) != len(lines):  # the conversion kept every line break so far; never pair views wrongly
        return [hashing_view(line) for line in lines]
    return [_STRIP.sub("", line) for line in folded]


def hashing_lines(text: str) -> list[str]:
    """The hashing view line by line, empty lines left out."""
    return [view for view in hashing_line_views(text.split("\n")) if view]


PREFIX_CHARS = 48


def prefix_key(view: str) -> int:
    """Hash of the view's first PREFIX_CHARS characters: a copy cut short (50-95% kept) or with chrome removed
    still begins alike, where its Jaccard with the whole may be far below any threshold."""
    return xxhash.xxh3_64_intdigest(view[:PREFIX_CHARS].encode("utf-8"))


def key_of_view(view: str) -> str:
    return xxhash.xxh3_128_hexdigest(view.encode("utf-8"))


def exact_key(text: str) -> str:
    return key_of_view(hashing_view(text))


TITLE_MAX = 60  # a first line this short is a title (law name, notice heading)
