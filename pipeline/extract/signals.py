"""Quality signals of a document, computed once at extraction into its `quality` column; the thresholds are
applied at publish (publish/rules.py), so they can be re-tuned without recomputing anything. They are tuned for
government prose, tables and lists: numbers and short lines are normal there, so only clear junk (pages of
repeated lines, one phrase over and over, digit dumps, navigation boilerplate, text in no language of the
corpus) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.chars import HAN_RUN, ClassCounter, ClassRemover

_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
_NO_SPACE, _ONLY_ALNUM = ClassRemover(_SPACE), ClassRemover(_NOT_ALNUM)
_HAN_AND_DIGITS = ClassCounter(HAN_RUN, _DIGIT)
_BOILERPLATE = re.compile(
    r"^(?:回首頁|回上頁|首頁|網站導覽|列印|友善列印|分享|加入書籤|字級[:：]?.*|瀏覽人次.*|最後更新(?:日期|時間)?[:：].*|"
    r"版權所有.*|copyright.*|all rights reserved.*|隱私權(?:及資訊安全)?政策|政府網站資料開放宣告|"
    r"本網站.*(?:瀏覽器|解析度).*|(?:上一頁|下一頁|top|go top|:::)|.*無障礙.*標章.*)$",
    re.IGNORECASE,
)
# Taiwanese romanisation (Tâi-lô, POJ): words of hyphen-joined syllables, tone marks on their vowels. English
# hyphenates too ("so-called", "non-profit") and borrows accents ("café"), so a word counts only if each of its
# syllables is one Taiwanese has -- an initial, a vowel (or syllabic m, ng), a nasal or stop ending, a tone
# number or a two-digit tone value ("a33 lu55 mih3": the MOE dictionary's loanwords) -- and the text is
# romanised Taiwanese when a good share of its words are such words. Pinyin's caron (ǎ) is no Taiwanese mark.
_TONE_MARKS = "\u0300\u0301\u0302\u0304\u0306\u030b\u030d\u0358"  # NFD: á à â ā ă a̋ a̍ o͘
_WORD_PART = "[A-Za-z\u207f\\d" + _TONE_MARKS + "]+"  # ⁿ: POJ's nasal
_LATIN_WORD = re.compile(f"{_WORD_PART}(?:-{{1,2}}{_WORD_PART})*")  # "--": POJ's neutral tone
_SYLLABLE = re.compile(
    r"(?:tsh|chh|ts|ch|ph|th|kh|ng|[pbmtnlkghsj])?(?:[aeiou]+r?|ng|m)(?:nn|\u207f)?(?:ng|[mnptkh])?[0-9]{0,2}"
)
_NO_MARKS = str.maketrans("", "", _TONE_MARKS)
ROMANISED_SHARE = 0.3  # of a text's Latin words


def _fits(word: str) -> bool:
    """Every syllable of the word is one Taiwanese has."""
    return all(_SYLLABLE.fullmatch(s) for s in word.translate(_NO_MARKS).lower().split("-") if s)


def _tone_marked(word: str) -> bool:
    """A tone mark, POJ's ⁿ, or a tone number after lower-case letters (gua2, a33; not A1, PM2 or NO2)."""
    if "\u207f" in word or any(ch in _TONE_MARKS for ch in word):
        return True
    return word[-1].isdigit() and any(ch.islower() for ch in word)


def romanised_words(words: list[str]) -> int:
    """How many of the words are Taiwanese romanisation: marked as such and made of its syllables. A hyphenated
    word without marks counts only beside marked ones: English reduplications (ping-pong) and the Wade-Giles
    names of Taiwan's places and people (Tai-chung, Teng-hui) are hyphenated syllables too."""
    fitting = [w for w in words if _fits(w)]
    marked = sum(1 for w in fitting if _tone_marked(w))
    return marked + (sum(1 for w in fitting if "-" in w and not _tone_marked(w)) if marked else 0)


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
    words = [w for w in _LATIN_WORD.findall(decomposed) if any(ch.isalpha() for ch in w)]
    return "nan-Latn" if words and romanised_words(words) >= ROMANISED_SHARE * len(words) else "en"


@dataclass(frozen=True)
class Measured:
    """What every signal reads: the text, without whitespace, letters and digits only, its lines and counts."""

    text: str
    chars: str  # no whitespace
    wordy: str  # letters, digits and Han only
    lines: list[str]
    han: int
    digits: int

    @property
    def letters(self) -> int:
        return len(self.wordy) - self.digits

    @property
    def total(self) -> int:
        return max(len(self.chars), 1)


def measure(text: str) -> Measured:
    chars = _NO_SPACE(text)
    wordy = _ONLY_ALNUM(chars)
    han, digits = _HAN_AND_DIGITS(chars)
    return Measured(text, chars, wordy, _lines(text), han, digits)


# Registered signals: name -> function of the measured text. Each is a field of the `quality` struct
# (document.QUALITY_TYPE); thresholds on them are rules of publish (publish/rules.py). Repetition is measured
# on letters, digits and Han only: box-drawing tables (編制表 in laws) and rules of dashes are layout.
SIGNALS: dict[str, Callable[[Measured], Any]] = {
    "han_ratio": lambda m: m.han / m.total,
    "dup_line_fraction": lambda m: dup_line_fraction(m.lines),
    "top_ngram_fraction": lambda m: top_ngram_fraction(m.wordy),
    "digit_fraction": lambda m: m.digits / m.total,
    "boilerplate_fraction": lambda m: sum(len(ln) for ln in m.lines if _BOILERPLATE.match(ln)) / m.total,
    "language": lambda m: language(m.text, m.han, m.letters),
}


def signals(text: str, traditional_ratio: float | None = None) -> dict[str, Any]:
    """All quality signals of one document (the `quality` column); `traditional_ratio` comes from script
    detection in normalisation."""
    m = measure(text)
    return {"traditional_ratio": traditional_ratio, **{name: signal(m) for name, signal in SIGNALS.items()}}
