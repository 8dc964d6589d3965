"""Document readers per format: files, records, rejections by reason, characters per second, peak memory.

Every file under the given folders (default: the office documents of ../shared/realdata and the project's
sample documents) is sniffed by its bytes, as a `format: auto` source does, and read by the reader the
pipeline uses. Each format runs in a process of its own so that its peak RSS is its own.

    .venv/bin/python benchmarks/formats/bench.py
    .venv/bin/python benchmarks/formats/bench.py /path/to/more/pdfs /path/to/office/files
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDERS = [ROOT.parent / "shared/realdata/external/office_documents", ROOT / "data/sample/documents"]


def _format_of(data: bytes) -> str | None:
    from pipeline.readers.sniff import ole2_kind, sniff

    kind = sniff(data)
    return ole2_kind(data) if kind == "ole2" else kind


def measure(fmt: str, paths: list[str]) -> dict:
    """Read every file of one format; runs in the child process."""
    from pipeline.readers import DOCUMENT_READERS, read_records
    from pipeline.readers.records import Record

    out = {"format": fmt, "files": 0, "records": 0, "files_published": 0, "chars": 0, "seconds": 0.0}
    rejected: Counter[str] = Counter()
    for path in paths:
        data = Path(path).read_bytes()
        if fmt not in DOCUMENT_READERS:
            continue
        out["files"] += 1
        started = time.perf_counter()
        records = list(read_records(fmt, data))
        out["seconds"] += time.perf_counter() - started
        good = [r for r in records if isinstance(r, Record)]
        out["records"] += len(good)
        out["files_published"] += bool(good)
        out["chars"] += sum(len(v) for r in good for v in r.fields.values() if isinstance(v, str))
        rejected.update(r.reason for r in records if not isinstance(r, Record))
    out["rejected"] = dict(rejected.most_common())
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--child", nargs=2, metavar=("FORMAT", "LIST"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fmt, listing = args.child
        print(json.dumps(measure(fmt, Path(listing).read_text(encoding="utf-8").splitlines())))
        return

    folders = args.folders or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    if not folders:
        print("skipped: no folder given and ../shared/realdata is absent")
        return
    by_format: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            fmt = _format_of(path.read_bytes())  # the whole file: an OLE2 names its streams anywhere
            if fmt:
                by_format.setdefault(fmt, []).append(str(path))
    print(f"folders: {', '.join(map(str, folders))}")
    print("| format | files | published files | records | rejected | characters | chars/s | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    scratch = Path(tempfile.mkdtemp(prefix="twformats-"))
    for fmt, paths in sorted(by_format.items()):
        listing = scratch / f"{fmt}.list"
        listing.write_text("\n".join(paths), encoding="utf-8")
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", fmt, str(listing)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
        finally:
            listing.unlink()
            if fmt == sorted(by_format)[-1]:
                scratch.rmdir()
        r = json.loads(done.stdout.strip().splitlines()[-1])
        if not r["files"]:
            continue
        rejected = ", ".join(f"{k} {v}" for k, v in r["rejected"].items()) or "-"
        speed = r["chars"] / r["seconds"] if r["seconds"] else 0
        print(
            f"| {fmt} | {r['files']:,} | {r['files_published']:,} | {r['records']:,} | {rejected} | "
            f"{r['chars']:,} | {speed:,.0f} | {r['peak_rss_mib']:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
