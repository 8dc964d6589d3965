"""The record decisions publish applies to the attributes extraction stored, in order; dedup comes after them.

Each rule looks at one staged row (its flags, length, quality signals, private-use record) with the settings of
the run and of the row's source, and says why the row is not published, or nothing. Rules are registered in
RULES: adding one is one function here and its test. The first rule that speaks decides the row's reason;
every rule's documents in and out and CPU time are counted for the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.config import CorpusConfig, QualityConfig, Source

Verdict = tuple[str, str] | None  # (reason, detail) or None: the rule lets the row through


@dataclass(frozen=True)
class RowFacts:
    """What a rule may look at: one staged row's attributes, and where it comes from."""

    flags: list[str]
    n_chars: int
    quality: dict[str, Any] | None
    private_use: list[dict[str, Any]]
    source: Source


@dataclass(frozen=True)
class Rule:
    name: str
    decide: Callable[[RowFacts, CorpusConfig], Verdict]


def abolished(row: RowFacts, corpus: CorpusConfig) -> Verdict:
    """A law the publisher marks abolished, unless its source says include_abolished."""
    if "abolished_law" in row.flags and not getattr(row.source, "include_abolished", True):
        return "abolished_law", "the publisher marks this law abolished (include_abolished is off)"
    return None


def private_use(row: RowFacts, corpus: CorpusConfig) -> Verdict:
    """Under `private_use: quarantine`, a record holding a 造字 no table maps (it was published as 〓)."""
    policy = row.source.private_use or corpus.private_use
    unmapped = sorted({r["code"] for r in row.private_use if r.get("basis") == "unmapped"})
    if policy == "quarantine" and unmapped:
        return "private_use_chars", f"private-use code points (造字) no table maps: {', '.join(unmapped[:20])}"
    return None


def too_short(row: RowFacts, corpus: CorpusConfig) -> Verdict:
    if row.n_chars < corpus.min_chars:
        return "too_short", f"{row.n_chars} characters < min_chars {corpus.min_chars}"
    return None


def quality(row: RowFacts, corpus: CorpusConfig) -> Verdict:
    return quality_verdict(row.quality, row.n_chars, corpus.quality) if row.quality else None


def quality_verdict(signals: dict[str, Any], n_chars: int, cfg: QualityConfig) -> Verdict:
    """(reason, detail) when the signals say clear junk; None otherwise. Short records (a phone number, a
    holiday name) are not judged by ratios."""
    if not cfg.enabled or n_chars < cfg.min_chars_for_ratios:
        return None
    if signals["digit_fraction"] > cfg.max_digit_fraction:
        return "quality_numeric", f"digit_fraction {signals['digit_fraction']:.2f} > {cfg.max_digit_fraction}"
    if signals["language"] not in cfg.languages:
        return "quality_language", f"language {signals['language']} not in {cfg.languages}"
    checks = (
        ("quality_duplicate_lines", "dup_line_fraction", cfg.max_dup_line_fraction),
        ("quality_repetition", "top_ngram_fraction", cfg.max_top_ngram_fraction),
        ("quality_boilerplate", "boilerplate_fraction", cfg.max_boilerplate_fraction),
    )
    for reason, key, limit in checks:
        if signals[key] > limit:
            return reason, f"{key} {signals[key]:.2f} > {limit}"
    return None


RULES: list[Rule] = [
    Rule("abolished", abolished),
    Rule("private_use", private_use),
    Rule("min_chars", too_short),
    Rule("quality", quality),
]
