"""Run twcorpus over real folders and show what came out, per source: the tool to look at real output with.

    .venv/bin/python benchmarks/realworld.py configs/realdata-external.yaml
    .venv/bin/python benchmarks/realworld.py --folder /data/news::json::content --folder /data/pages
    .venv/bin/python benchmarks/realworld.py my.yaml --samples 5 --work /tmp/rw --json summary.json

Each config (or each `--folder PATH[::format[::text_field]]`, read by a `local` source; the format is guessed
from the file names and the text field from the records when not given) is run by `twcorpus run` into a
scratch folder. Then, per source and dataset: records read, published, rejected by reason; personal-data
redactions by category, script conversions, private-use (造字) replacements, languages, decoders; and a sample
of published and of rejected documents (the start of their text, the reason and its detail), so you read real
documents before calling anything done. Exit 1 when a run fails.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parents[1]
TWCORPUS = Path(sys.executable).with_name("twcorpus")
FORMATS = {".jsonl": "jsonl", ".json": "json", ".csv": "csv", ".xml": "xml", ".html": "html", ".htm": "html"}
# Documents and spreadsheets: read with `format: auto`, sniffed per file; no text field to find.
DOCUMENTS = (".pdf", ".odt", ".odp", ".ods", ".docx", ".xlsx", ".xls", ".doc")
FORMATS.update(dict.fromkeys(DOCUMENTS, "auto"))


def folder_config(spec: str, work: Path, n: int) -> Path:
    """A config with one `local` source over a folder, from PATH[::format[::text_field]]."""
    path, fmt, field = [*spec.split("::"), None, None][:3]
    folder = Path(path).resolve()
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS]
    if not files:
        raise SystemExit(f"{folder}: no file with a known extension ({', '.join(FORMATS)})")
    fmt = fmt or Counter(FORMATS[p.suffix.lower()] for p in files).most_common(1)[0][0]
    source: dict[str, Any] = {
        "kind": "local",
        "name": folder.name,
        "paths": [str(folder / "**" / f"*{ext}") for ext, f in FORMATS.items() if f == fmt],
        "format": fmt,
        "optional": True,
        "dataset": {"id": folder.name, "title": folder.name, "license": "OGDL-Taiwan-1.0"},
    }
    if fmt not in ("html", "auto"):
        source["text_field"] = field or guess_text_field([p for p in files if FORMATS[p.suffix.lower()] == fmt])
    config = work / f"folder-{n}.yaml"
    config.write_text(yaml.safe_dump({"sources": [source]}, allow_unicode=True), encoding="utf-8")
    return config


def guess_text_field(files: list[Path]) -> str:
    """The field with the most Han characters per record over a few files (as data.gov.tw columns are found)."""
    from pipeline.readers import ReadOptions, read_records
    from pipeline.readers.encoding import decode_bytes
    from pipeline.sources.datagovtw import detect_text_fields

    records = []
    for path in files[:20]:
        fmt = FORMATS[path.suffix.lower()]
        try:
            text = decode_bytes(path.read_bytes()).text
            options = ReadOptions(record_tag="Record" if fmt == "xml" else None)
            records += [r for r in read_records(fmt, text, options) if hasattr(r, "fields")]
        except Exception:  # a sample file that does not read: the run will say why
            continue
    fields = detect_text_fields(records[:500])
    if not fields:
        raise SystemExit(f"no text field found in {files[0].parent}; give it as PATH::format::field")
    return fields[0]


def run(config: Path, out: Path) -> tuple[dict[str, Any], Path]:
    """`twcorpus run` into `out`; the report and the corpus folder."""
    cmd = [str(TWCORPUS), "run", "--config", str(config), "--output", str(out / "corpus")]
    done = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
    reports = sorted(out.glob("**/reports/latest/report.json"))  # under the config's data_dir, relative to `out`
    if done.returncode not in (0, 2) or not reports:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError(f"twcorpus run failed on {config} (exit {done.returncode})")
    return json.loads(reports[0].read_text(encoding="utf-8")), out / "corpus"


def _rows(folder: Path) -> list[dict[str, Any]]:
    if not folder.is_dir() or not any(folder.rglob("*.parquet")):
        return []
    columns = ["source", "dataset_id", "resource_url", "title", "text", "language", "private_use", "pii_redactions"]
    table = pq.read_table(folder, columns=None)
    have = [c for c in [*columns, "reason", "reason_detail", "converted_chars"] if c in table.column_names]
    return table.select(have).to_pylist()


def summarise(report: dict[str, Any], corpus: Path, samples: int, seed: int) -> list[dict[str, Any]]:
    """Per (source, dataset): the numbers and a sample of documents from both sides."""
    published, rejected = _rows(corpus / "data"), _rows(corpus / "rejected")
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in report["resources"]:
        key = (r["source"], r["dataset_id"])
        g = groups.setdefault(
            key,
            {"source": key[0], "dataset": key[1], "resources": 0, "records": 0, "published": 0, "rejected": Counter()},
        )
        g["resources"] += 1
        g["records"] += r["records_read"]
        g["published"] += r["published"]
        g["rejected"].update(r["rejected"])
        g.setdefault("decoders", Counter())[r.get("decoder") or "-"] += 1
    for d in report["datasets"]:
        g = groups.get((d["source"], d["dataset_id"]))
        if g is not None:
            g["pii"] = d.get("pii_redactions") or d.get("pii") or {}
            g["converted_docs"] = d.get("converted_docs", 0)
    rng = random.Random(seed)
    for key, g in groups.items():
        mine = [r for r in published if (r["source"], r["dataset_id"]) == key]
        theirs = [r for r in rejected if (r["source"], r["dataset_id"]) == key]
        g["languages"] = Counter(r.get("language") or "-" for r in mine)
        g["private_use"] = Counter(x["basis"] for r in mine for x in (r.get("private_use") or []))
        g["published_sample"] = rng.sample(mine, min(samples, len(mine)))
        by_reason: dict[str, list[dict[str, Any]]] = {}
        for r in theirs:
            by_reason.setdefault(r["reason"], []).append(r)
        g["rejected_sample"] = [rng.choice(rows) for _, rows in sorted(by_reason.items())][: max(samples, 1) * 3]
    return list(groups.values())


def show(groups: list[dict[str, Any]], width: int = 110) -> None:
    for g in groups:
        rejected = ", ".join(f"{k} {v:,}" for k, v in g["rejected"].most_common()) or "none"
        print(f"\n== {g['source']} / {g['dataset']}: {g['resources']:,} resources, {g['records']:,} records")
        print(f"   published {g['published']:,}; rejected: {rejected}")
        print(f"   decoders {dict(g['decoders'])}; languages {dict(g['languages'])}")
        pii = {k: v for k, v in (g.get("pii") or {}).items() if v}
        print(f"   PII redacted {pii or 0}; converted docs {g.get('converted_docs', 0)}; 造字 {dict(g['private_use'])}")
        for r in g["published_sample"]:
            head = " ".join((r["text"] or "").split())[:width]
            print(f"   + {r['resource_url']} | {r.get('title') or ''}\n     {head}")
        for r in g["rejected_sample"]:
            head = " ".join((r["text"] or "(text withheld)").split())[: width // 2]
            print(f"   - {r['reason']}: {textwrap.shorten(r['reason_detail'] or '', width)}\n     {head}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="*", type=Path, help="twcorpus configs to run")
    parser.add_argument("--folder", action="append", default=[], help="PATH[::format[::text_field]]")
    parser.add_argument("--samples", type=int, default=2, help="documents shown per dataset and per reason")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, help="keep the runs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the numbers (without samples) here")
    args = parser.parse_args()
    if not args.configs and not args.folder:
        parser.error("give a config or a --folder")
    work = args.work or Path(tempfile.mkdtemp(prefix="realworld-"))
    work.mkdir(parents=True, exist_ok=True)
    configs = [c.resolve() for c in args.configs] + [folder_config(s, work, i) for i, s in enumerate(args.folder)]
    everything = []
    for i, config in enumerate(configs):
        out = work / f"run-{i}-{config.stem}"
        out.mkdir(exist_ok=True)
        report, corpus = run(config, out)
        totals = report["totals"]
        print(f"\n#### {config}: {totals['records_read']:,} records, {totals['published']:,} published")
        for why in report.get("refused", []):
            print(f"#### not published: {why}")
        groups = summarise(report, corpus, args.samples, args.seed)
        show(groups)
        everything += [
            {k: v for k, v in g.items() if not k.endswith("_sample")} | {"config": str(config)} for g in groups
        ]
    if args.json:
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1, default=dict), encoding="utf-8")
    print(f"\nruns kept in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
