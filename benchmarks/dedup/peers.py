"""Runs other near-duplicate tools and twcorpus on the same generate.py set and prints one table.

Each peer runs in its own venv (peers-requirements.txt says how to make it) as a subprocess of this script:
`peers.py --worker NAME` loads DIR/docs.jsonl there, clusters it and writes {doc id: cluster}, which
score.score() scores exactly as it scores twcorpus. Wall time and peak memory (the sum of the resident
memory of the tool's whole process tree, sampled every 50 ms) are measured from here, one tool at a time.
twcorpus itself runs through `twcorpus run` on a config with one local JSONL source, scored from its release.

Settings: Jaccard threshold 0.8, 128 permutations, 5-character shingles wherever a tool lets them be
chosen, otherwise the tool's documented defaults; LSH bands x rows where a tool wants them: 9 x 13, the
bands datasketch picks for 0.8 at 128 permutations. SETTINGS says per tool what it used.

    .venv/bin/python benchmarks/dedup/peers.py --set /var/tmp/twdedup/5k [--set DIR ...] [--tools a,b]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
THRESHOLD, NUM_PERM, NGRAM, BANDS, ROWS = 0.8, 128, 5, 9, 13

SETTINGS = {
    "datasketch": "MinHash.bulk (xxh32) of 5-char shingles of the raw text, 128 perm; MinHashLSH(threshold=0.8) "
    "(9 x 13); every LSH candidate pair joined (union-find)",
    "datasketch+check": "as datasketch, a candidate pair joined only when its estimated Jaccard >= 0.8",
    "rensa": "RMinHash.from_token_sets of 5-char shingles, 128 perm, seed 42; RMinHashLSH(0.8, 128, 16 bands: "
    "it wants a divisor of 128); "
    "candidates joined when RMinHash.jaccard >= 0.8 (as its deduplicator checks them)",
    "datatrove-chars": "MinhashDedupSignature/Buckets/Cluster, 9 buckets x 13 hashes, its text normalisation "
    "(lowercase, no punctuation, digits -> 0), n_grams 5 over characters (word tokenizer replaced: no char option)",
    "datatrove-jieba": "as datatrove-chars with its own zh word tokenizer (spaCy + jieba), n_grams 5 words",
    "text-dedup": "text_dedup.minhash CLI defaults (sha1, tokens split on \\W, ngram 5 tokens, min_length 5) with "
    "--num_perm 128 --threshold 0.8 (its optimal bands); clusters from its union-find",
    "text-dedup-chars": "as text-dedup, the text given with a space between characters, so ngram 5 = 5 characters",
    "twcorpus": "`twcorpus run` with the repo's default dedup config at run time (hashing view, char 5-grams, "
    "128 perm, 16 x 8 bands, Jaccard 0.8 or containment 0.85, equal title lines), 2 worker processes; wall and "
    "memory are the whole pipeline's (normalise, PII, quality, words, tokens, Parquet)",
}
PEERS = [k for k in SETTINGS if k != "twcorpus"]


# ---------------------------------------------------------------------------------------------------------
# workers: run inside the peers venv


def _docs(path: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d["text"])
    return ids, texts


def _char_shingles(text: str) -> set[str]:
    return {text[i : i + NGRAM] for i in range(max(1, len(text) - NGRAM + 1))}


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def clusters(self, ids: list[str]) -> dict[str, str]:
        return {doc: ids[self.find(i)] for i, doc in enumerate(ids)}


def run_datasketch(docs: Path, check: bool) -> dict[str, str]:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    ids, texts = _docs(docs)
    sets = ([s.encode("utf-8") for s in _char_shingles(t)] for t in texts)
    mhs = MinHash.bulk(sets, num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, m in enumerate(mhs):
            session.insert(i, m)
    uf = _UnionFind(len(ids))
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            if j != i and (not check or m.jaccard(mhs[j]) >= THRESHOLD):
                uf.union(i, j)
    return uf.clusters(ids)


def run_rensa(docs: Path) -> dict[str, str]:
    from rensa import RMinHash, RMinHashLSH

    ids, texts = _docs(docs)
    mhs = []
    for at in range(0, len(texts), 2000):  # batches: all shingle lists at once would hold GBs of strings
        batch = [list(_char_shingles(t)) for t in texts[at : at + 2000]]
        mhs.extend(RMinHash.from_token_sets(batch, num_perm=NUM_PERM, seed=42))
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16)  # bands must divide num_perm
    lsh.insert_many(mhs)
    uf = _UnionFind(len(ids))
    for i, candidates in enumerate(lsh.query_all(mhs)):
        for j in candidates:
            if j != i and mhs[i].jaccard(mhs[j]) >= THRESHOLD:
                uf.union(i, j)
    return uf.clusters(ids)


def run_datatrove(docs: Path, work: Path, words: bool) -> dict[str, str]:
    import struct

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.utils.hashing import HashConfig

    class Characters:
        """A word tokenizer that yields characters: datatrove's n-grams are then character n-grams."""

        def word_tokenize(self, text: str) -> list[str]:
            return [c for c in text if not c.isspace()]

    class CharSignature(MinhashDedupSignature):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.word_tokenizer = Characters()

    ids, _texts = _docs(docs)
    cfg = MinhashConfig(n_grams=NGRAM, num_buckets=BANDS, hashes_per_bucket=ROWS, hash_config=HashConfig(precision=64))
    (work / "in").mkdir(parents=True, exist_ok=True)
    link = work / "in" / "docs.jsonl"
    if not link.exists():
        link.symlink_to(docs.resolve())
    reader = JsonlReader(str(work / "in"), glob_pattern="docs.jsonl", id_key="id", text_key="text")
    signature = (MinhashDedupSignature if words else CharSignature)(
        output_folder=str(work / "sigs"), config=cfg, language="zh"
    )
    for stage, (pipeline, tasks) in enumerate((
        ([reader, signature], 1),
        ([MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=cfg)],
         BANDS),
        ([MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "clusters"), config=cfg,
                              save_cluster_id=True)], 1),
    )):  # fmt: skip
        logs = str(work / f"logs{stage}")  # one per stage: datatrove skips tasks a log folder marks as done
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=logs).run()
    cluster_of: dict[int, int] = {}
    path = work / "clusters" / "000000.clusters"
    if path.exists():
        raw = path.read_bytes()
        for doc, cluster in struct.iter_unpack("<2I", raw):
            cluster_of[doc] = cluster
    first: dict[int, str] = {}
    out = {}
    for i, doc in enumerate(ids):
        c = cluster_of.get(i)
        out[doc] = doc if c is None else first.setdefault(c, doc)
    return out


def run_text_dedup(docs: Path, work: Path, spaced: bool) -> dict[str, str]:
    import pickle

    ids, texts = _docs(docs)
    work.mkdir(parents=True, exist_ok=True)
    data = work / "docs.jsonl"
    with open(data, "w", encoding="utf-8") as f:
        for doc, text in zip(ids, texts, strict=True):
            body = " ".join(c for c in text if not c.isspace()) if spaced else text
            f.write(json.dumps({"id": doc, "text": body}, ensure_ascii=False) + "\n")
    subprocess.run(
        [sys.executable, "-m", "text_dedup.minhash", "--path", "json", "--data_files", str(data), "--split", "train",
         "--cache_dir", str(work / "cache"), "--output", str(work / "out"), "--column", "text",
         "--num_perm", str(NUM_PERM), "--threshold", str(THRESHOLD), "--ngram", str(NGRAM), "--debug"],
        check=True, cwd=work, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with open(work / "out" / "uf.pkl", "rb") as f:
        uf = pickle.load(f)
    return {doc: ids[uf.find(i)] if i in uf.parent else doc for i, doc in enumerate(ids)}


def worker(name: str, docs: Path, work: Path, out: Path) -> None:
    if name in ("datasketch", "datasketch+check"):
        clusters = run_datasketch(docs, check=name.endswith("check"))
    elif name == "rensa":
        clusters = run_rensa(docs)
    elif name.startswith("datatrove"):
        clusters = run_datatrove(docs, work, words=name.endswith("jieba"))
    elif name.startswith("text-dedup"):
        clusters = run_text_dedup(docs, work, spaced=name.endswith("chars"))
    else:
        raise SystemExit(f"unknown tool {name}")
    out.write_text(json.dumps(clusters), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------
# orchestration: runs in the project's venv


def measured(cmd: list[str], cwd: Path, log: Path, timeout: float) -> tuple[float, float, int]:
    """(wall seconds, peak MiB of the process tree, exit code) of a command, its output into log."""
    import psutil

    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        root = psutil.Process(proc.pid)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.05):
                try:
                    total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                except psutil.Error:
                    continue
                peak = max(peak, total)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for p in root.children(recursive=True):
                p.kill()
            proc.kill()
            code = -9
        stop.set()
        thread.join()
        return time.perf_counter() - t0, peak / 2**20, code


def twcorpus_config(work: Path, docs: Path) -> Path:
    """work/bench.yaml: one local JSONL source ({id, text}) linked to `docs`, outputs under work, 2 workers."""
    from bench import bench_config

    (work / "in").mkdir(parents=True, exist_ok=True)
    link = work / "in" / "docs.jsonl"
    if not link.exists():
        link.symlink_to(docs.resolve())
    return bench_config(work, workers=2, segment=True)


def run_tool(name: str, bench: Path, work: Path, env: Path, timeout: float) -> tuple[dict, dict[str, str] | None]:
    """({wall, peak, status}, clusters or None)."""
    from score import release_clusters

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    docs = bench / "docs.jsonl"
    if name == "twcorpus":
        config = twcorpus_config(work, docs)
        cmd = [str(ROOT / ".venv" / "bin" / "twcorpus"), "run", "--config", str(config)]
    else:
        python = env / "bin" / "python"
        if not python.exists():
            return {"status": f"not installed ({python} missing)"}, None
        cmd = [str(python), str(Path(__file__).resolve()), "--worker", name, "--docs", str(docs), "--work", str(work),
               "--out", str(work / "clusters.json")]  # fmt: skip
    wall, peak, code = measured(cmd, work, work / "log.txt", timeout)
    info = {"wall": wall, "peak": peak, "status": "ok"}
    if code != 0:
        tail = (work / "log.txt").read_text(errors="replace").strip().splitlines()[-3:]
        info["status"] = f"failed (exit {code}): " + " | ".join(tail)[-300:]
        return info, None
    if name == "twcorpus":
        return info, release_clusters(work / "corpus")
    return info, json.loads((work / "clusters.json").read_text(encoding="utf-8"))


SHORT = {"header": "hdr", "footer": "ftr", "header+footer": "h+f", "contact_block": "contact",
         "truncated": "trunc", "update_stamp": "stamp", "reorder": "reord", "partly_simplified": "simp",
         "char_edits": "chars", "whitespace": "ws", "width": "width", "law_vs_enforcement_rules": "rules",
         "templated_org_acts": "org", "year_specific": "year", "successive_amendment": "amend"}  # fmt: skip


def table(rows: list[tuple[str, dict, object]]) -> str:
    from score import EDIT_KINDS, NEGATIVE_KINDS

    head = ["tool", "wall s", "peak MB", "P", "R", "F1", *(SHORT[k] for k in EDIT_KINDS),
            *(f"HN {SHORT[k]}" for k in NEGATIVE_KINDS)]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, info, s in rows:
        if s is None:
            wall = f"{info['wall']:.1f}" if "wall" in info else "-"
            lines.append(f"| {name} | {wall} | - | {info['status']} |" + " |" * (len(head) - 4))
            continue
        cells = [name, f"{info['wall']:.1f}", f"{info['peak']:.0f}", f"{s.precision:.4f}", f"{s.recall:.4f}",
                 f"{s.f1:.4f}", *(f"{s.edit_recall[k][0]:.2f}" if k in s.edit_recall else "-" for k in EDIT_KINDS),
                 *(f"{s.negative_merges[k][0]}/{s.negative_merges[k][1]}" if k in s.negative_merges else "-"
                   for k in NEGATIVE_KINDS)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, action="append", help="a generate.py output folder")
    parser.add_argument("--tools", default=",".join([*PEERS, "twcorpus"]))
    parser.add_argument("--env", type=Path, default=Path("/var/tmp/twcorpus-peers"), help="the peers' venv")
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/twdedup/work"))
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.docs, args.work, args.out)
        return
    sys.path.insert(0, str(HERE))
    from score import load_labels, score

    figures = []
    for bench in args.set or []:
        labels = load_labels(bench / "labels.jsonl")
        print(f"\n{bench}: {len(labels)} documents, {os.cpu_count()} cores; one tool at a time\n", flush=True)
        rows = []
        for name in args.tools.split(","):
            info, clusters = run_tool(name, bench, args.work / name, args.env, args.timeout)
            s = score(labels, clusters) if clusters is not None else None
            rows.append((name, info, s))
            status = f"F1 {s.f1:.4f}" if s else info["status"]
            print(f"  {name}: {info.get('wall', 0):.1f} s, {info.get('peak', 0):.0f} MB, {status}", flush=True)
            figures.append({"set": str(bench), "tool": name, **info, **({"score": s.__dict__} if s else {})})
        print()
        print(table(rows))
    print("\nsettings:")
    for name in args.tools.split(","):
        print(f"  {name}: {SETTINGS.get(name, '?')}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
