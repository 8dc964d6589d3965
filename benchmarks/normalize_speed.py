"""Normalisation speed on the real MOJ laws (../shared/realdata), one core: MB/s of UTF-8 text per step.

    .venv/bin/python benchmarks/normalize_speed.py [--repeat 3]

Prints one line per step and the whole stage as twcorpus runs it (Unicode + layout, script detection and
conversion, PII, quality signals, hashing view, jieba word counts).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import NormalizeConfig, PiiConfig  # noqa: E402
from pipeline.dedup.hashing import exact_key  # noqa: E402
from pipeline.extract.signals import signals  # noqa: E402
from pipeline.normalize import Normalizer, normalize  # noqa: E402
from pipeline.normalize.chinese import to_traditional  # noqa: E402
from pipeline.normalize.pii import redact  # noqa: E402
from pipeline.normalize.segment import count_words, tokenizer  # noqa: E402
from pipeline.normalize.unicode import steps  # noqa: E402
from pipeline.sources.moj_laws import law_text  # noqa: E402

LAWS = ROOT.parent / "shared" / "realdata" / "moj_laws" / "split_ch_law"


def load() -> list[str]:
    return [law_text(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(LAWS.glob("[A-Z]*.json"))]


def measure(label: str, fn: Callable[[str], object], texts: list[str], mb: float, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<34} {best:7.2f} s {mb / best:8.2f} MB/s {len(texts) / best:9.0f} docs/s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not LAWS.is_dir():
        print(f"skipped: {LAWS} not found")
        return
    texts = load()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} laws, {chars:,} characters, {mb:.1f} MB UTF-8; best of {args.repeat}, one core\n")
    tokenizer()  # build the jieba dictionary outside the timings (~0.5 s, once per process)
    unicode_steps = steps(fold=True, unwrap=True)
    measure("unicode + layout (with unwrap)", lambda t: normalize(t, unicode_steps), texts, mb, args.repeat)
    measure("script detection + OpenCC", to_traditional, texts, mb, args.repeat)
    measure("PII redaction", redact, texts, mb, args.repeat)
    measure("quality signals", signals, texts, mb, args.repeat)
    measure("hashing view + xxh3", exact_key, texts, mb, args.repeat)
    measure("jieba words (Traditional dict)", count_words, texts, mb, args.repeat)
    full = Normalizer(NormalizeConfig(), PiiConfig(), unwrap=True)

    def stage(t: str) -> None:
        n = full(t)
        signals(n.text, n.traditional_ratio)
        exact_key(n.text)
        count_words(n.text)

    print()
    measure("normalisation stage (all of it)", stage, texts, mb, args.repeat)


if __name__ == "__main__":
    main()
