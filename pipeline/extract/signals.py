"""Quality signals, computed apart from the keep/drop decision, so thresholds can be re-tuned without recomputing.

Signals go into the `quality` column of every document; `decide` applies the configured thresholds and names
the reason of a drop. Thresholds are tuned for government prose, tables and lists: numbers and short lines are
normal there, so only clear junk (pages of repeated lines, one phrase over and over, digit dumps, navigation
boilerplate, text in no language of the corpus) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np

from pipeline.config import QualityConfig

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # runs, not characters: 5x fewer matches
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
_BOILERPLATE = re.compile(
    r"^(?:回首頁|回上頁|首頁|網站導覽|列印|友善列印|分享|加入書籤|字級[:：]?.*|瀏覽人次.*|最後更新(?:日期|時間)?[:：].*|"
    r"版權所有.*|copyright.*|all rights reserved.*|隱私權(?:及資訊安全)?政策|政府網站資料開放宣告|"
    r"本網站.*(?:瀏覽器|解析度).*|(?:上一頁|下一頁|top|go top|:::)|.*無障礙.*標章.*)$",
    re.IGNORECASE,
)
# Taiwanese romanisation (Tâi-lô / POJ): tone diacritics on vowels and the nasal/ending letters they use.
_TAILO = re.compile(r"[\u0300\u0301\u0302\u0304\u030b\u030d\u0358]|(?:\b\w+-\w+\b.*){3,}")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def dup_line_fraction(lines: list[str]) -> float:
    if not lines:
        return 0.0
    seen: set[str] = set()
    dup_chars = 0
    for ln in lines:
        if ln in seen:
            dup_chars += len(ln)
        seen.add(ln)
    return dup_chars / sum(len(ln) for ln in lines)


NGRAM_WINDOW = 20_000  # characters examined: enough to see repetition, bounded cost on long laws


_MIX = np.uint64(0x9E3779B97F4A7C15)


def top_ngram_fraction(chars: str, n: int = 5) -> float:
    """Share of the text covered by its most frequent character n-gram (repetition of one phrase).

    The n-grams are counted as 64-bit hashes of their code points in numpy (8x faster than a Counter of
    substrings); two different n-grams sharing a hash would need a 64-bit collision."""
    chars = chars[:NGRAM_WINDOW]
    if len(chars) < 4 * n:
        return 0.0
    points = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    m = len(points) - n + 1
    grams = np.zeros(m, dtype=np.uint64)
    for k in range(n):
        grams = (grams ^ points[k : k + m]) * _MIX
        grams ^= grams >> np.uint64(29)
    _, counts = np.unique(grams, return_counts=True)
    return min(1.0, int(counts.max()) * n / len(chars))


def language(text: str, han: int, letters: int) -> str:
    """zh, en, nan-Latn (Taiwanese romanisation), or other -- by script evidence, not a model."""
    if han and han >= 0.3 * letters:
        return "zh"
    if letters < 3:
        return "other"
    decomposed = unicodedata.normalize("NFD", text)
    latin = sum(1 for ch in decomposed if "a" <= ch.lower() <= "z")
    if latin < 0.5 * letters:
        return "other"
    return "nan-Latn" if _TAILO.search(decomposed) else "en"


def signals(text: str, traditional_ratio: float | None = None) -> dict[str, Any]:
    """All quality signals of one document (the `quality` column).

    Repetition is measured on letters, digits and Han only: box-drawing tables (編制表 in laws) and rules of
    dashes are layout, not a repeated phrase.
    """
    chars = _SPACE.sub("", text)
    wordy = _NOT_ALNUM.sub("", chars)
    lines = _lines(text)
    han = sum(map(len, _HAN_RUN.findall(chars)))
    digits = len(_DIGIT.findall(chars))
    letters = len(wordy) - digits
    boiler = sum(len(ln) for ln in lines if _BOILERPLATE.match(ln))
    total = max(len(chars), 1)
    return {
        "han_ratio": han / total,
        "traditional_ratio": traditional_ratio,
        "dup_line_fraction": dup_line_fraction(lines),
        "top_ngram_fraction": top_ngram_fraction(wordy),
        "digit_fraction": digits / total,
        "boilerplate_fraction": boiler / total,
        "language": language(text, han, letters),
    }


def decide(quality: dict[str, Any], n_chars: int, cfg: QualityConfig) -> tuple[str, str] | None:
    """(reason, detail) when the document is dropped; None when it is kept."""
    if not cfg.enabled:
        return None
    long_enough = n_chars >= cfg.min_chars_for_ratios  # short records (a phone number, a holiday name) are not judged
    if not long_enough:
        return None
    if quality["digit_fraction"] > cfg.max_digit_fraction:
        return "quality_numeric", f"digit_fraction {quality['digit_fraction']:.2f} > {cfg.max_digit_fraction}"
    if quality["language"] not in cfg.languages:
        return "quality_language", f"language {quality['language']} not in {cfg.languages}"
    checks = (
        ("quality_duplicate_lines", "dup_line_fraction", cfg.max_dup_line_fraction),
        ("quality_repetition", "top_ngram_fraction", cfg.max_top_ngram_fraction),
        ("quality_boilerplate", "boilerplate_fraction", cfg.max_boilerplate_fraction),
    )
    for reason, key, limit in checks:
        if quality[key] > limit:
            return reason, f"{key} {quality[key]:.2f} > {limit}"
    return None
