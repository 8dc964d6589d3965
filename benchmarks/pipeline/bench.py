"""The whole pipeline at scale: law-text corpora of 10k / 100k / 1M documents through `twcorpus run`.

Documents are the dedup benchmark's (~1,000-character pieces of the MOJ laws and orders, 35% planted
near-copies; benchmarks/dedup/bench.py), written as JSONL files of --per-file documents read by a `local`
source, so extraction spreads over the worker processes. The real command runs (Prefect included); the
figures per stage come from the run's report (wall and CPU over the run's process tree), memory from
sampling the process tree every 0.1 s, dedup quality from the shards' dup_cluster against the planted truth.

    .venv/bin/python benchmarks/pipeline/bench.py --docs 10000 --docs 100000
    .venv/bin/python benchmarks/pipeline/bench.py --docs 50000 --per-file 50000   # one big file
    .venv/bin/python benchmarks/pipeline/bench.py --docs 1000000 --work /var/tmp/twbench   # ~15 GB of disk

Side by side (`--versus DIR`, repeatable; DIR is a benchmarks/dedup/generate.py set: docs.jsonl + labels.jsonl):
the whole `twcorpus run` (every stage, word and token counts included, 2 workers) and datasketch's bulk MinHash
+ LSH dedup alone (peers.py's datasketch worker, run with this project's datasketch and xxhash) on the same
single file, alternating, --rounds times each; prints each wall, the medians, their ratio and both F1 scores.

    .venv/bin/python benchmarks/pipeline/bench.py --versus /var/tmp/twdedup2/30k --versus /var/tmp/twdedup2/50k
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "dedup"))

from bench import REAL, bench_config, build, release_labels, score  # noqa: E402

CORES = os.cpu_count() or 1


def write_corpus(work: Path, n_docs: int, per_file: int) -> tuple[list[int], float]:
    """JSONL files under work/in; returns the true groups and the megabytes of text written."""
    docs, groups = build(n_docs, 1000, 0.35)
    (work / "in").mkdir(parents=True)
    text_bytes = 0
    for start in range(0, n_docs, per_file):
        with open(work / "in" / f"part-{start // per_file:05d}.jsonl", "w", encoding="utf-8") as f:
            for i in range(start, min(start + per_file, n_docs)):
                f.write(json.dumps({"id": f"doc{i}", "text": docs[i]}, ensure_ascii=False) + "\n")
                text_bytes += len(docs[i].encode("utf-8"))
    return groups, text_bytes / 1e6


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """Run `cmd`; returns (wall seconds, peak RSS of the process tree summed, peak RSS of one process) in MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak_tree = peak_one = 0
    while proc.poll() is None:
        try:
            rss = [p.memory_info().rss for p in [root, *root.children(recursive=True)]]
        except psutil.Error:
            rss = []
        if rss:
            peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"twcorpus run failed:\n{proc.stderr.read().decode()[-3000:] if proc.stderr else ''}")
    return wall, peak_tree / 2**20, peak_one / 2**20


def dedup_score(work: Path, groups: list[int]) -> tuple[float, float, float]:
    p, r, f1, _, _ = score(groups, release_labels(work / "corpus", len(groups)))
    return p, r, f1


def one_size(n_docs: int, args: argparse.Namespace, base: Path) -> dict:
    work = base / f"docs-{n_docs}"
    shutil.rmtree(work, ignore_errors=True)
    t0 = time.perf_counter()
    groups, text_mb = write_corpus(work, n_docs, args.per_file)
    print(f"\n{n_docs:,} documents, {text_mb:,.1f} MB of UTF-8 text (written in {time.perf_counter() - t0:.0f} s)")
    cmd = [str(ROOT / ".venv/bin/twcorpus"), "run", "--config", str(bench_config(work, args.workers, args.segment))]
    wall, peak_tree, peak_one = run_measured(cmd, work)
    report = json.loads((work / "data/reports/latest/report.json").read_text(encoding="utf-8"))
    stages, cpu = report["timings_s"], report["cpu_s"]
    p, r, f1 = dedup_score(work, groups)
    print(f"{'stage':<15}{'wall s':>9}{'cpu s':>9}{'cores':>7}{'docs/s':>10}{'MB/s':>8}{'MB/s/core':>11}")
    for name, seconds in stages.items():
        if seconds < 1:
            print(f"{name:<15}{seconds:9.1f}{cpu.get(name, 0):9.1f}")
            continue
        busy = cpu.get(name, 0.0) / seconds if seconds else 0.0
        per_core = text_mb / cpu[name] if cpu.get(name) else 0.0
        print(
            f"{name:<15}{seconds:9.1f}{cpu.get(name, 0):9.1f}{busy:7.2f}{n_docs / seconds:10,.0f}"
            f"{text_mb / seconds:8.2f}{per_core:11.2f}"
        )
    work_s = sum(stages.values())
    overhead = wall - work_s
    print(
        f"{'whole run':<15}{wall:9.1f}{'':>9}{'':>7}{n_docs / wall:10,.0f}{text_mb / wall:8.2f}"
        f"{text_mb / wall / CORES:11.2f}  (per core = MB/s over the machine's {CORES} cores)"
    )
    print(
        f"outside the stages (interpreter, Prefect start-up, report, shutdown): {overhead:.1f} s | "
        f"peak RSS {peak_tree:,.0f} MiB over the process tree, {peak_one:,.0f} MiB in one process | "
        f"dedup P {p:.4f} R {r:.4f} F1 {f1:.4f} | published {report['totals']['published']:,}"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return {"docs": n_docs, "wall": wall, "work": work_s, "stages": stages, "peak_tree_mib": peak_tree, "f1": f1}


def versus(sets: list[Path], rounds: int, base: Path) -> None:
    """twcorpus run vs datasketch alone on each set's one JSONL file, alternating; medians and ratio."""
    import statistics

    from peers import run_tool
    from score import load_labels
    from score import score as score_set

    env = ROOT / ".venv"  # datasketch and xxhash are this project's own dependencies
    head = ["set", "docs", "twcorpus walls s", "datasketch walls s", "median ratio", "twcorpus F1", "datasketch F1"]
    print("| " + " | ".join([*head, "peak MiB"]) + " |")
    print("|---|---|---|---|---|---|---|---|")
    for folder in sets:
        labels = load_labels(folder / "labels.jsonl")
        walls: dict[str, list[float]] = {"twcorpus": [], "datasketch": []}
        f1: dict[str, float] = {}
        peak: dict[str, float] = {}
        for _ in range(rounds):
            for name in walls:
                info, clusters = run_tool(name, folder, base / name, env, timeout=3600)
                if clusters is None:
                    raise SystemExit(f"{name} on {folder}: {info['status']}")
                walls[name].append(info["wall"])
                peak[name] = max(peak.get(name, 0.0), info["peak"])
                f1[name] = score_set(labels, clusters).f1
                print(f"  {folder.name} {name}: {info['wall']:.1f} s, {info['peak']:.0f} MiB", file=sys.stderr)
        ours, theirs = (statistics.median(walls[k]) for k in ("twcorpus", "datasketch"))
        print(
            f"| {folder.name} | {len(labels):,} | {' / '.join(f'{w:.1f}' for w in walls['twcorpus'])} "
            f"| {' / '.join(f'{w:.1f}' for w in walls['datasketch'])} | **{ours / theirs:.2f}x** "
            f"| {f1['twcorpus']:.4f} | {f1['datasketch']:.4f} "
            f"| {peak['twcorpus']:,.0f} / {peak['datasketch']:,.0f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--workers", type=int, default=CORES, help="extraction processes")
    parser.add_argument("--per-file", type=int, default=2000, help="documents per JSONL file")
    parser.add_argument("--no-segment", dest="segment", action="store_false", help="without word counts")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and outputs")
    parser.add_argument("--versus", type=Path, action="append", help="generate.py set: twcorpus vs datasketch")
    parser.add_argument("--rounds", type=int, default=3, help="--versus: runs of each tool, alternating")
    args = parser.parse_args()
    if args.versus:
        versus(args.versus, args.rounds, args.work or Path(tempfile.mkdtemp(prefix="twversus-")))
        return
    if not REAL.is_dir():
        print("skipped: ../shared/realdata is not present")
        return
    base = args.work or Path(tempfile.mkdtemp(prefix="twbench-"))
    print(f"{CORES} cores, {args.workers} extraction processes, word counts {'on' if args.segment else 'off'}")
    results = [one_size(n, args, base) for n in sorted(args.docs or [10_000])]
    for a, b in itertools.pairwise(results):
        ratio = math.log(b["docs"] / a["docs"])
        print(
            f"scaling {a['docs']:,} -> {b['docs']:,}: exponent {math.log(b['wall'] / a['wall']) / ratio:.2f} "
            f"(whole run), {math.log(b['work'] / a['work']) / ratio:.2f} (stages only)"
        )


if __name__ == "__main__":
    main()
