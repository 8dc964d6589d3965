"""Script detection (Traditional / Simplified / mixed / other) and audited OpenCC conversion.

Evidence comes from characters, not phrases: a Traditional-only character is one OpenCC `t2s` changes, a
Simplified-only character one `s2t` changes that Big5 (CP950) cannot encode. Big5 was built from the Ministry
of Education's lists of standard characters (常用 and 次常用國字標準字體表), so a character it holds is standard
in Taiwan -- 台, 里, 准, 于, 万, 云, 几 ... -- and is never evidence of Simplified text, whatever OpenCC's tables
say. One such character decides nothing: a text or sentence needs at least MIN_EVIDENCE Simplified-only
characters to count as Simplified. Conversion runs over Simplified documents, or over the Simplified sentences
of a mixed one, never over text already Traditional (s2t also rewrites Taiwan words: 公布 -> 公佈), and
reports how many characters it changed, with a sample of before/after pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import opencc

from pipeline.chars import HAN_RUN, ClassCounter

MIN_EVIDENCE = 2  # Simplified-only characters a text or sentence needs before it counts as Simplified
_SPAN = re.compile(r"[^。！？!?\n]*[。！？!?\n]?")


@lru_cache(maxsize=8)
def converter(config: str) -> Any:
    """One OpenCC converter per configuration and process (they cannot be pickled)."""
    return opencc.OpenCC(f"{config}.json")


@lru_cache(maxsize=1)
def _char_sets() -> tuple[frozenset[str], frozenset[str]]:
    chars = [chr(c) for c in range(0x4E00, 0xA000)] + [chr(c) for c in range(0x3400, 0x4DC0)]
    joined = "\n".join(chars)  # one character a line: no phrase can match across characters
    to_simp = converter("t2s").convert(joined).split("\n")
    to_trad = converter("s2t").convert(joined).split("\n")
    trad_only = frozenset(c for c, s in zip(chars, to_simp, strict=True) if s != c)
    simp_only = frozenset(c for c, t in zip(chars, to_trad, strict=True) if t != c and not _in_big5(c))
    return trad_only, simp_only


def _in_big5(char: str) -> bool:
    """Standard in Taiwan: one of the characters Big5 (from the Ministry of Education's lists) encodes."""
    try:
        char.encode("cp950")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class ScriptStats:
    han: int
    traditional: int  # Traditional-only characters
    simplified: int  # Simplified-only characters

    @property
    def traditional_ratio(self) -> float | None:
        evidence = self.traditional + self.simplified
        return self.traditional / evidence if evidence else None


@lru_cache(maxsize=1)
def _char_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    trad_only, simp_only = _char_sets()
    as_class = lambda chars: re.compile("[" + "".join(sorted(chars)) + "]+")  # noqa: E731 - two uses, one line
    return as_class(trad_only), as_class(simp_only)


def script_stats(text: str) -> ScriptStats:
    return _script_counts(text)[0]


def classify(stats: ScriptStats, letters: int) -> str:
    """hant | hans | mixed | other. Han text with no script-specific character counts as Traditional."""
    if stats.han < 2 or stats.han < 0.2 * letters:
        return "other"
    ratio = stats.traditional_ratio
    if ratio is None or ratio >= 0.9 or stats.simplified < MIN_EVIDENCE:
        return "hant"
    if ratio <= 0.1:
        return "hans"
    return "mixed"


_LETTER_RUN = re.compile(r"[^\W\d_]+")  # letters (Han included): word characters other than digits and _


@lru_cache(maxsize=1)
def _counter() -> ClassCounter:
    trad, simp = _char_patterns()
    return ClassCounter(HAN_RUN, trad, simp, _LETTER_RUN)


def _script_counts(text: str) -> tuple[ScriptStats, int]:
    """The text's script statistics and its count of letters, from one pass over it."""
    han, trad, simp, letters = _counter()(text)
    return ScriptStats(han, trad, simp), letters


@dataclass
class ScriptResult:
    text: str
    script: str  # of the input
    traditional_ratio: float | None
    changed_chars: int = 0
    samples: list[dict[str, str]] = field(default_factory=list)


def _diff_count(a: str, b: str) -> int:
    return sum(1 for x, y in zip(a, b, strict=False) if x != y) + abs(len(a) - len(b))


def _sample(before: str, after: str) -> dict[str, str]:
    return {"before": before.strip()[:80], "after": after.strip()[:80]}


def to_traditional(text: str, config: str = "s2twp", variants: str | None = None) -> ScriptResult:
    """Classify, then convert only what is Simplified: a whole hans document, or the hans spans of a mixed one."""
    stats, letters = _script_counts(text)
    script = classify(stats, letters)
    result = ScriptResult(text, script, stats.traditional_ratio)
    if config != "none" and script in ("hans", "mixed"):
        conv = converter(config)
        parts: list[str] = []
        for span in _SPAN.findall(text):
            span_script = classify(*_script_counts(span)) if script == "mixed" else "hans"
            new = conv.convert(span) if span_script in ("hans", "mixed") and span else span
            if new != span:
                result.changed_chars += _diff_count(span, new)
                if len(result.samples) < 3:
                    result.samples.append(_sample(span, new))
            parts.append(new)
        result.text = "".join(parts)
    elif variants and script == "hant":
        new = converter(variants).convert(text)
        if new != text:
            result.changed_chars = _diff_count(text, new)
            result.samples.append(_sample(text, new))
            result.text = new
    return result


def fold_script(text: str) -> str:
    """Simplified form, for the hashing view only: half-converted copies then hash alike."""
    return converter("t2s").convert(text)
