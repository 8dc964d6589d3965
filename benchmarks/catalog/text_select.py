"""What `select: {text_only: true}` and `select: {formats: [...]}` pick from a data.gov.tw catalogue export.

Reads a catalogue export (全站資料集匯出, CSV or JSON, as https://data.gov.tw/api/front/dataset/export serves it)
and prints, per rule of pipeline/sources/text_datasets.py, how many datasets it picks, by resource format, and a
seeded sample of picked and of rejected titles to judge by eye. Nothing is downloaded but the export itself.

    .venv/bin/python benchmarks/catalog/text_select.py export.csv --sample 40
    .venv/bin/python benchmarks/catalog/text_select.py export.json --formats PDF ODT DOCX
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

from pipeline.config import CatalogSelect
from pipeline.readers.encoding import decode_bytes
from pipeline.sources.datagovtw_catalog import matches, parse_catalog
from pipeline.sources.text_datasets import text_reason


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export", type=Path, help="catalogue export, CSV or JSON")
    ap.add_argument("--formats", nargs="*", default=[], help="also count `select: {formats: [...]}`")
    ap.add_argument("--sample", type=int, default=20, help="titles shown per group")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    started = time.perf_counter()
    entries = parse_catalog(decode_bytes(args.export.read_bytes()).text)
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    reasons = {e.id: text_reason(e) for e in entries}
    judged = time.perf_counter() - started
    picked = [e for e in entries if reasons[e.id]]
    by_rule = Counter(str(reasons[e.id]).split(" ")[0] for e in picked)
    by_word = Counter(str(reasons[e.id]) for e in picked)
    formats = Counter(r.format or "?" for e in entries for r in e.resources)

    print(f"{args.export}: {len(entries):,} datasets, {sum(formats.values()):,} resources (parsed in {parsed:.1f} s)")
    print(f"resource formats: {', '.join(f'{f} {n:,}' for f, n in formats.most_common(16))}")
    print(f"text_only picks {len(picked):,} ({len(picked) / max(len(entries), 1):.1%}), judged in {judged:.2f} s:")
    for rule, n in by_rule.most_common():
        words = [(w.split(" ", 1)[1], k) for w, k in by_word.most_common() if w.startswith(rule + " ")]
        print(f"  by {rule:<7} {n:>6,}   {', '.join(f'{w} {k:,}' for w, k in words[:12])}")
    left = [e for e in entries if not reasons[e.id]]
    vetoed = [e for e in left if any(g in (e.title or "") for g in ("新聞", "問答", "法規", "會議紀錄", "宣導"))]
    print(f"  titles naming a text genre but vetoed by a figures word: {len(vetoed):,}")
    if args.formats:
        chosen = [e for e in entries if matches(e, CatalogSelect(formats=args.formats))]
        print(f"formats {args.formats}: {len(chosen):,} datasets")

    rng = random.Random(args.seed)
    for label, group in (
        ("picked", picked),
        ("vetoed by a figures word", vetoed),
        ("not picked", left),
    ):
        print(f"\n-- sample of {label} --")
        for e in rng.sample(group, min(args.sample, len(group))):
            print(f"  {e.id:>8}  {reasons[e.id] or '':<16} {e.agency or ''} | {e.title or ''}")


if __name__ == "__main__":
    main()
