"""Labelled near-duplicate benchmark built from the real MOJ laws and orders (../shared/realdata).

Base documents are laws and orders; planted copies carry government-realistic edits (re-flowed lines and
whitespace, full/half width, partial Simplified conversion, a few character edits, an agency footer, a
truncated tail, reordered articles). Different laws -- a law and its 施行細則, the templated organisation
rules of different agencies -- are the negatives. The dedup code under test is twcorpus's own: Normalizer ->
hashing view -> MinHash (datasketch) -> LSH bands x rows -> exact-Jaccard verification -> union-find.

    .venv/bin/python benchmarks/dedup/bench.py --docs 5000 [--docs 50000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.config import DedupConfig, NormalizeConfig, PiiConfig  # noqa: E402
from pipeline.dedup.cluster import Candidate, NearSettings, cluster, view_of  # noqa: E402
from pipeline.dedup.minhash import signatures  # noqa: E402
from pipeline.normalize import Normalizer  # noqa: E402
from pipeline.normalize.chinese import converter  # noqa: E402
from pipeline.normalize.hashing import hashing_view, key_of_view  # noqa: E402
from pipeline.sources.moj_laws import law_text, view  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata" / "moj_laws"
FOOTERS = [
    "\n（本資料由法務部全國法規資料庫提供）",
    "\n資料來源：行政院公報資訊網",
    "\n本文轉載自政府資料開放平臺，依政府資料開放授權條款提供。",
]


def bases() -> list[str]:
    out = []
    for folder in ("split_ch_law", "split_ch_order_sample"):
        for p in sorted((REAL / folder).glob("[A-Z]*.json")):
            v = view(json.loads(p.read_text(encoding="utf-8")))
            if v and len(v.articles) >= 3:
                out.append(law_text(v))
    return out


def edit(text: str, kind: str, rng: random.Random) -> str:
    if kind == "whitespace":
        return "\n\n".join(line.strip() + " " * rng.randint(0, 2) for line in text.split("\n"))
    if kind == "width":
        return text.translate({ord("，"): ",", ord("。"): ".", ord("："): ":", ord("；"): ";"}) + "　"
    if kind == "simplified":
        lines = text.split("\n")
        t2s = converter("t2s")
        return "\n".join(t2s.convert(ln) if i % 2 else ln for i, ln in enumerate(lines))
    if kind == "chars":
        chars = list(text)
        for _ in range(3):
            i = rng.randrange(len(chars))
            chars[i] = rng.choice("之與及或並於其")
        return "".join(chars)
    if kind == "footer":
        return text + rng.choice(FOOTERS)
    if kind == "truncate":
        return text[: int(len(text) * 0.9)]
    if kind == "reorder":
        parts = text.split("\n第 ")
        if len(parts) > 3:
            i = rng.randrange(1, len(parts) - 1)
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
        return "\n第 ".join(parts)
    raise ValueError(kind)


KINDS = ["whitespace", "width", "simplified", "chars", "footer", "truncate", "reorder"]


def build(n_docs: int, seed: int = 5) -> tuple[list[str], list[int]]:
    """Documents and their true group (the base they came from)."""
    rng = random.Random(seed)
    base = bases()
    docs, groups = [], []
    copies_per_base = max(1, n_docs // len(base) - 1)
    for g, text in enumerate(base):
        docs.append(text)
        groups.append(g)
        if len(docs) >= n_docs:
            break
        for _ in range(copies_per_base if rng.random() < 0.6 else 0):
            docs.append(edit(text, rng.choice(KINDS), rng))
            groups.append(g)
    while len(docs) < n_docs:  # top up with more copies
        g = rng.randrange(len(base))
        docs.append(edit(base[g], rng.choice(KINDS), rng))
        groups.append(g)
    return docs[:n_docs], groups[:n_docs]


def pairs_of(labels: list[int] | list[str]) -> set[tuple[int, int]]:
    by: dict[object, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by[lab].append(i)
    return {p for members in by.values() for p in itertools.combinations(members, 2)}


def run(n_docs: int, cfg: DedupConfig) -> None:
    docs, groups = build(n_docs)
    norm = Normalizer(NormalizeConfig(), PiiConfig(), unwrap=True)
    t0 = time.perf_counter()
    texts = [norm(d).text for d in docs]
    t_norm = time.perf_counter() - t0
    t0 = time.perf_counter()
    views = [hashing_view(t) for t in texts]
    sigs = signatures(views, num_perm=cfg.num_perm, ngram=cfg.ngram, seed=cfg.seed)
    t_sig = time.perf_counter() - t0
    cands = [
        Candidate(str(i), key_of_view(v), 100, i, len(t), s)
        for i, (t, v, s) in enumerate(zip(texts, views, sigs, strict=True))
    ]
    t0 = time.perf_counter()
    near = NearSettings(cfg.bands, cfg.rows, cfg.threshold, cfg.ngram)
    members = cluster(cands, near, lambda idx: {i: view_of(texts[i]) for i in idx})
    t_cluster = time.perf_counter() - t0
    truth, predicted = pairs_of(groups), pairs_of([m.cluster for m in members])
    tp = len(truth & predicted)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    chars = sum(len(t) for t in texts)
    dedup_s = t_sig + t_cluster
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"docs {n_docs:>7}  mean chars {chars / n_docs:7.0f}  true pairs {len(truth):>8}  predicted {len(predicted):>8}"
    )
    print(f"  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    print(
        f"  normalise {n_docs / t_norm:8.0f} docs/s | signatures {n_docs / t_sig:8.0f} docs/s | "
        f"LSH+verify+clusters {n_docs / t_cluster:8.0f} docs/s | dedup stage {n_docs / dedup_s:8.0f} docs/s"
    )
    print(f"  peak RSS {peak:.0f} MiB (process, incl. inputs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, action="append")
    args = parser.parse_args()
    if not REAL.is_dir():
        print(f"skipped: {REAL} not found")
        return
    cfg = DedupConfig()
    print(
        f"num_perm {cfg.num_perm}, char {cfg.ngram}-grams, {cfg.bands} bands x {cfg.rows} rows, "
        f"verified Jaccard >= {cfg.threshold}, scheme affine32 + xxh32\n"
    )
    for n in args.docs or [5000]:
        run(n, cfg)


if __name__ == "__main__":
    main()
