"""The hashing view: what dedup compares. Never published; folds what readers do not see as a difference.

NFKC (widths), lower case, Simplified script (OpenCC t2s), and no whitespace, punctuation or symbols, so that
a copy re-flowed, re-spaced, re-punctuated in another width or half-converted to Simplified hashes the same.
The view of each line (what verification aligns, and what the boilerplate keys hash) is cut from the
conversion of the whole text (`views_of`): a phrase a wrapped line splits (計 / 畫) converts as it does
unwrapped (计划), so a re-wrapped copy's line views join to the same view. Extraction makes both in one
conversion and stores the line views.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

import xxhash

from pipeline.chars import ClassRemover
from pipeline.normalize.chinese import fold_script

VERSION = 2  # part of the staged-file key: a change here changes every exact key and signature
_DROP = {"P", "S", "Z", "C"}


def _drop_pattern(keep: str = "") -> re.Pattern[str]:
    """Runs of BMP code points of those categories but `keep`, as one character class (astral ones are letters,
    kept)."""
    ranges: list[list[int]] = []
    for cp in range(0x10000):
        if unicodedata.category(chr(cp))[0] in _DROP and chr(cp) not in keep:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    body = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return re.compile(f"[{body}]+")


_STRIP = _drop_pattern()
_STRIP_IN_LINES = _drop_pattern(keep="\n")
_STRIP_LINES_KEPT = ClassRemover(_STRIP_IN_LINES)  # the same strip, by table lookup


def hashing_view(text: str) -> str:
    """Punctuation, symbols, spaces and controls go first: what remains of normalised Chinese text is then
    usually NFKC already (a quick check, 2.7x faster than normalising every text). A symbol NFKC expands
    (˙ -> space + combining dot) is dropped whole instead of leaving a stray mark."""
    text = _STRIP.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _STRIP.sub("", fold_script(text.lower()))


def views_of(text: str) -> tuple[str, list[str]]:
    """`hashing_view(text)` and the view of each of its lines (split at "\n"; "" for a line with nothing left),
    from one conversion: the lines are cut from the converted text where their characters end in it. Where
    normalising, lower-casing or converting changes the length of the text (rare: NFKC of a text not yet in
    it, or a phrase converted to one of another length), the lines are converted one by one instead."""
    kept = _STRIP_LINES_KEPT(text)
    pieces = kept.split("\n")
    joined = "".join(pieces)
    if unicodedata.is_normalized("NFKC", joined):
        lowered = joined.lower()
        folded = fold_script(lowered)
        if len(folded) == len(lowered) == len(joined):
            ends = list(accumulate(map(len, pieces)))
            lines = [_STRIP.sub("", folded[start:end]) for start, end in zip([0, *ends[:-1]], ends, strict=True)]
            return "".join(lines), lines  # the lines cut the whole text: stripped one by one, they join to it
    return hashing_view(text), [hashing_view(line) for line in text.split("\n")]


def line_views(text: str) -> list[str]:
    """The view of each line of `text` (see `views_of`)."""
    return views_of(text)[1]


def hashing_lines(text: str) -> list[str]:
    """The hashing view line by line, empty lines left out."""
    return [view for view in line_views(text) if view]


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
