"""Two releases compared document by document: per dataset, the ids added, removed and changed, and why a
document left when the newer release says (its rejected row: removed by request, licence, duplicate, ...;
no row at all: its source is gone)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

_WHY = {
    "removed": "removed by request",
    "license_denied": "licence",
    "license_review": "licence",
    "exact_duplicate": "dedup",
    "near_duplicate": "dedup",
}


def _published(folder: Path) -> dict[str, tuple[str, str]]:
    """id -> (source/dataset, digest of what a reader sees of it: text, title, licence)."""
    if not any((folder / "data").rglob("*.parquet")):
        return {}
    table = pq.read_table(folder / "data", columns=["id", "source", "dataset_id", "text", "title", "license"])
    out = {}
    for row in table.to_pylist():
        seen = "\x1f".join(str(row[k] or "") for k in ("text", "title", "license"))
        out[row["id"]] = (f"{row['source']}/{row['dataset_id']}", hashlib.sha256(seen.encode("utf-8")).hexdigest())
    return out


def _rejected(folder: Path) -> dict[str, str]:
    if not any((folder / "rejected").rglob("*.parquet")):
        return {}
    table = pq.read_table(folder / "rejected", columns=["id", "reason"])
    return dict(zip(table["id"].to_pylist(), table["reason"].to_pylist(), strict=True))


def document_diff(old: Path, new: Path) -> dict[str, Any]:
    """Per dataset: added, removed (with reasons) and changed document ids, and the totals."""
    before, after, rejected = _published(old), _published(new), _rejected(new)
    datasets: dict[str, dict[str, Any]] = {}

    def entry(dataset: str) -> dict[str, Any]:
        return datasets.setdefault(dataset, {"added": [], "removed": [], "changed": [], "removed_because": Counter()})

    for doc_id, (dataset, _) in after.items():
        if doc_id not in before:
            entry(dataset)["added"].append(doc_id)
    for doc_id, (dataset, digest) in before.items():
        if doc_id not in after:
            reason = rejected.get(doc_id)
            why = _WHY.get(reason or "", reason) if reason else "source gone"
            e = entry(dataset)
            e["removed"].append({"id": doc_id, "why": why, "reason": reason})
            e["removed_because"][why] += 1
        elif after[doc_id][1] != digest:
            entry(dataset)["changed"].append(doc_id)
    for e in datasets.values():
        e["added"].sort()
        e["changed"].sort()
        e["removed"].sort(key=lambda r: r["id"])
        e["removed_because"] = dict(e["removed_because"].most_common())
    return {
        "old": str(old),
        "new": str(new),
        "datasets": dict(sorted(datasets.items())),
        "added": sum(len(e["added"]) for e in datasets.values()),
        "removed": sum(len(e["removed"]) for e in datasets.values()),
        "changed": sum(len(e["changed"]) for e in datasets.values()),
    }
