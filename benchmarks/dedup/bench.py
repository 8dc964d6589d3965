"""Labelled near-duplicate benchmark built from the real MOJ laws and orders (../shared/realdata).

Base documents are ~1,000-character pieces of laws and orders (title line, then whole articles); past the
real pieces, more bases are composed from random articles of random laws under a title of their own.
Planted copies (a share of the documents) carry one government-realistic edit each: re-flowed lines and
spaces, half-width punctuation, every other line in Simplified, three character edits, an agency footer,
the last 10% cut, two articles swapped. Everything else is a negative -- notably a law and its 施行細則,
the templated organisation rules of different agencies, year-specific acts, and pieces of one law.

The code under test is the pipeline's own: Normalizer -> hashing view -> MinHash signatures (processes) ->
LSH bands x rows -> verification (title line, Jaccard; exact check near the threshold) -> union-find.
Pairwise precision/recall come from the cluster contingency table, so 500k documents need no pair lists.

    .venv/bin/python benchmarks/dedup/bench.py --docs 5000 --docs 50000
    .venv/bin/python benchmarks/dedup/bench.py --docs 500000 --no-normalise
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.config import DedupConfig, NormalizeConfig, PiiConfig  # noqa: E402
from pipeline.dedup.boilerplate import nonempty  # noqa: E402
from pipeline.dedup.cluster import Candidates, NearSettings, cluster  # noqa: E402
from pipeline.dedup.hashing import key_of_view, prefix_key, views_of  # noqa: E402
from pipeline.dedup.signing import signature_matrix  # noqa: E402
from pipeline.dedup.view import Stored  # noqa: E402
from pipeline.normalize import Normalizer  # noqa: E402
from pipeline.normalize.chinese import converter  # noqa: E402
from pipeline.sources.moj_laws import view  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata" / "moj_laws"
FOOTERS = [
    "\n（本資料由法務部全國法規資料庫提供）",
    "\n資料來源：行政院公報資訊網",
    "\n本文轉載自政府資料開放平臺，依政府資料開放授權條款提供。",
]
KINDS = ["whitespace", "width", "simplified", "chars", "footer", "truncate", "reorder"]


def laws() -> list[tuple[str, list[str]]]:
    """(name, articles as '第 X 條\\ncontent') of every law and order with 3+ articles."""
    out = []
    for folder in ("split_ch_law", "split_ch_order_sample"):
        for p in sorted((REAL / folder).glob("[A-Z]*.json")):
            v = view(json.loads(p.read_text(encoding="utf-8")))
            if v and len(v.articles) >= 3:
                arts = [f"{num.strip()}\n{content.strip()}" for kind, num, content in v.articles if kind != "C"]
                out.append((v.name.strip(), [a for a in arts if a.strip()]))
    return out


def pieces(source: list[tuple[str, list[str]]], target: int) -> list[str]:
    """Each law cut into pieces of about `target` characters at article boundaries, each under a title line."""
    out = []
    for name, articles in source:
        part, size, k = [], 0, 0
        for art in articles:
            part.append(art)
            size += len(art)
            if size >= target:
                out.append("\n".join([name if k == 0 else f"{name}（第{k + 1}部分）", *part]))
                part, size, k = [], 0, k + 1
        if size >= target // 2:
            out.append("\n".join([name if k == 0 else f"{name}（第{k + 1}部分）", *part]))
    return out


def composed(source: list[tuple[str, list[str]]], target: int, i: int, rng: random.Random) -> str:
    """A negative no real law contains: random articles of random laws under a title of its own."""
    name = rng.choice(source)[0]
    part, size = [], 0
    while size < target:
        art = rng.choice(rng.choice(source)[1])
        part.append(art)
        size += len(art)
    return "\n".join([f"{name}彙編第{i}號", *part])


def edit(text: str, kind: str, rng: random.Random) -> str:
    if kind == "whitespace":
        return "\n\n".join(line.strip() + " " * rng.randint(0, 2) for line in text.split("\n"))
    if kind == "width":
        return text.translate({ord("，"): ",", ord("。"): ".", ord("："): ":", ord("；"): ";"}) + "　"
    if kind == "simplified":
        t2s = converter("t2s")
        return "\n".join(t2s.convert(ln) if i % 2 else ln for i, ln in enumerate(text.split("\n")))
    if kind == "chars":
        chars = list(text)
        for _ in range(3):
            chars[rng.randrange(len(chars))] = rng.choice("之與及或並於其")
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


def build(n_docs: int, target: int, dup_share: float, seed: int = 5) -> tuple[list[str], list[int]]:
    """Documents (shuffled) and their true group (the base they came from)."""
    rng = random.Random(seed)
    source = laws()
    real = pieces(source, target)
    rng.shuffle(real)
    n_bases = max(1, round(n_docs * (1 - dup_share)))
    bases = real[:n_bases] + [composed(source, target, i, rng) for i in range(max(0, n_bases - len(real)))]
    docs = list(bases)
    groups = list(range(len(bases)))
    while len(docs) < n_docs:
        g = rng.randrange(len(bases))
        docs.append(edit(bases[g], rng.choice(KINDS), rng))
        groups.append(g)
    order = list(range(n_docs))
    rng.shuffle(order)
    return [docs[i] for i in order], [groups[i] for i in order]


def pair_count(counts: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def score(truth: list[int], predicted: list[int]) -> tuple[float, float, float, int, int]:
    """Pairwise precision, recall, F1 from the contingency table (no pair lists)."""
    tp = pair_count(Counter(zip(truth, predicted, strict=True)))
    true_pairs, pred_pairs = pair_count(Counter(truth)), pair_count(Counter(predicted))
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), true_pairs, pred_pairs


def bench_config(work: Path, workers: int, segment: bool) -> Path:
    """work/bench.yaml: a `local` source over work/in/*.jsonl ({id, text}), outputs under work."""
    body = {
        "data_dir": str(work / "data"),
        "output_dir": str(work / "corpus"),
        "workers": workers,
        "normalize": {"segment": segment},
        "sources": [
            {
                "kind": "local",
                "paths": ["in/*.jsonl"],
                "format": "jsonl",
                "text_field": "text",
                "id_field": "id",
                "dataset": {"id": "bench", "title": "bench", "agency": "bench", "license": "OGDL-Taiwan-1.0"},
            }
        ],
    }
    path = work / "bench.yaml"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def release_labels(corpus: Path, n_docs: int) -> list[str]:
    """Each document's cluster in a published release (documents written with ids doc0..docN-1)."""
    from score import release_clusters

    predicted = release_clusters(corpus)
    return [predicted[f"doc{i}"] for i in range(n_docs)]


def rss_mib() -> tuple[float, float]:
    """(anonymous, file-backed) resident memory of this process: memory-mapped files count as the second."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:")):
                name, value, _unit = line.split()
                fields[name] = int(value) / 1024
    return fields["RssAnon:"], fields["RssFile:"]


class PeakRss:
    """Samples this process's resident memory every 10 ms while the block runs (anonymous and total)."""

    def __enter__(self) -> PeakRss:
        anon, file = rss_mib()
        self.start, self.peak, self.peak_total = anon, anon, anon + file
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _take(self) -> None:
        anon, file = rss_mib()
        self.peak, self.peak_total = max(self.peak, anon), max(self.peak_total, anon + file)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self._take()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()


def run(n_docs: int, cfg: DedupConfig, args: argparse.Namespace) -> None:
    docs, groups = build(n_docs, args.chars, args.dup_share)
    t0 = time.perf_counter()
    if args.normalise:
        norm = Normalizer(NormalizeConfig(), PiiConfig(), unwrap=True)
        docs = [norm(d).text for d in docs]
    t_norm = time.perf_counter() - t0
    t0 = time.perf_counter()
    # as extraction does: the view of each line, kept for verification, and the whole view their join
    views, stored = [], []
    for t in docs:
        view, every_line = views_of(t)
        views.append(view)
        stored.append("\n".join(nonempty(t, every_line)))
    keys = [key_of_view(v) for v in views]
    t_view = time.perf_counter() - t0
    chars = sum(len(t) for t in docs)
    near = NearSettings(
        cfg.bands, cfg.rows, cfg.threshold, cfg.ngram, args.margin, cfg.containment, cfg.containment_min_chars
    )
    with PeakRss() as mem:
        t0 = time.perf_counter()
        sigs = signature_matrix(views, num_perm=cfg.num_perm, ngram=cfg.ngram, seed=cfg.seed, workers=args.workers)
        t_sig = time.perf_counter() - t0
        t0 = time.perf_counter()
        candidates = Candidates(
            ids=[str(i) for i in range(n_docs)],
            hash_keys=keys,
            priority=np.full(n_docs, 100),
            n_chars=np.fromiter((len(t) for t in docs), dtype=np.int64, count=n_docs),
            signatures=sigs,
            view_len=np.fromiter((len(v) for v in views), dtype=np.int64, count=n_docs),
            prefix_keys=np.fromiter((prefix_key(v) for v in views), dtype=np.uint64, count=n_docs),
        )
        result = cluster(
            candidates, near, lambda idx: {i: Stored(docs[i], stored[i]) for i in idx}, workers=args.workers
        )
        t_cluster = time.perf_counter() - t0
    p, r, f1, true_pairs, pred_pairs = score(groups, result.representative.tolist())
    dedup_s = t_sig + t_cluster
    print(
        f"docs {n_docs:>7}  mean chars {chars / n_docs:6.0f}  true pairs {true_pairs:>8}  predicted {pred_pairs:>8}  "
        f"candidates {result.candidate_pairs}  checked exactly {result.checked_exactly}"
    )
    print(f"  precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}")
    norm_rate = f"{n_docs / t_norm:7.0f} docs/s" if args.normalise else "skipped"
    print(
        f"  normalise {norm_rate} | hashing view + keys {n_docs / t_view:7.0f} docs/s | "
        f"signatures ({args.workers} threads) {n_docs / t_sig:7.0f} docs/s | LSH+verify+clusters "
        f"{n_docs / t_cluster:7.0f} docs/s"
    )
    print(
        f"  dedup stage {n_docs / dedup_s:7.0f} docs/s ({dedup_s:.2f} s, {chars / dedup_s / 1e6:.1f} M chars/s)  |  "
        f"memory at stage start {mem.start:.0f} MiB, stage peak {mem.peak:.0f} MiB (+{mem.peak - mem.start:.0f} MiB)"
    )


def run_pipeline(n_docs: int, args: argparse.Namespace) -> None:
    """The same documents through `twcorpus run` (a `local` JSONL source with `id_field`), scored from the
    published and rejected shards by `source_record_id` + `dup_cluster`."""
    import subprocess
    import tempfile

    docs, groups = build(n_docs, args.chars, args.dup_share)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        with open(work / "in" / "docs.jsonl", "w", encoding="utf-8") as f:
            for i, text in enumerate(docs):
                f.write(json.dumps({"id": f"doc{i}", "text": text}, ensure_ascii=False) + "\n")
        bench_config(work, workers=1, segment=args.segment)
        t0 = time.perf_counter()
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "twcorpus"), "run", "--config", str(work / "bench.yaml")],
            cwd=work,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t0
        labels = release_labels(work / "corpus", n_docs)
        report = json.loads((work / "data" / "reports" / "latest" / "report.json").read_text(encoding="utf-8"))
    p, r, f1, true_pairs, pred_pairs = score(groups, labels)
    print(f"twcorpus run, docs {n_docs:>7} (jieba word counts {'on' if args.segment else 'off'})")
    print(f"  precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}  (true pairs {true_pairs}, predicted {pred_pairs})")
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in report.get("timings_s", {}).items())
    print(f"  wall {wall:.1f} s = {n_docs / wall:.0f} docs/s end to end ({timings})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, action="append")
    parser.add_argument("--chars", type=int, default=1000, help="target characters per base document")
    parser.add_argument("--dup-share", type=float, default=0.35, help="share of documents that are planted copies")
    parser.add_argument("--workers", type=int, default=2, help="processes computing signatures")
    parser.add_argument("--margin", type=float, default=DedupConfig().verify_margin)
    parser.add_argument("--no-normalise", dest="normalise", action="store_false")
    parser.add_argument("--pipeline", action="store_true", help="run the documents through `twcorpus run`")
    parser.add_argument("--no-segment", dest="segment", action="store_false", help="pipeline without jieba")
    args = parser.parse_args()
    if not REAL.is_dir():
        print(f"skipped: {REAL} not found")
        return
    cfg = DedupConfig()
    print(
        f"num_perm {cfg.num_perm}, char {cfg.ngram}-grams, {cfg.bands} bands x {cfg.rows} rows, Jaccard >= "
        f"{cfg.threshold} (exact check within {args.margin} of it), {args.dup_share:.0%} planted copies, "
        f"~{args.chars}-char bases, {os.cpu_count()} cores\n"
    )
    for n in args.docs or [5000]:
        if args.pipeline:
            run_pipeline(n, args)
        else:
            run(n, cfg, args)


if __name__ == "__main__":
    main()
