"""What the decision settings would publish, beside the release in place, without writing anything: the tool
a maintainer tunes thresholds and licence policies with (`twcorpus plan`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import LoadedConfig
from pipeline.dedup.index import FOLDER as INDEX_FOLDER
from pipeline.extract.staged import StagedResource
from pipeline.publish.decisions import decide, open_published
from pipeline.publish.removals import load_ledger, read_tombstones


@dataclass
class Side:
    """One side of the comparison: documents published and rejected by reason, in total and per dataset."""

    published: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    by_dataset: Counter[str] = field(default_factory=Counter)  # "source/dataset_id" -> published


@dataclass
class Plan:
    output_dir: Path
    would: Side
    in_place: Side | None  # None: no release there yet
    in_place_run_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        def side(s: Side | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {"published": s.published, "rejected": dict(s.rejected), "by_dataset": dict(s.by_dataset)}

        return {
            "output_dir": str(self.output_dir),
            "would": side(self.would),
            "in_place": side(self.in_place),
            "in_place_run_id": self.in_place_run_id,
        }

    def reasons(self) -> list[tuple[str, int, int | None]]:
        """(reason, would, in place) for every reason on either side, most frequent first."""
        names = set(self.would.rejected) | set(self.in_place.rejected if self.in_place else ())
        rows = [(r, self.would.rejected[r], self.in_place.rejected[r] if self.in_place else None) for r in names]
        return sorted(rows, key=lambda row: (-row[1], row[0]))

    def datasets(self) -> list[tuple[str, int, int | None]]:
        """(dataset, would publish, published in place) for the datasets whose count changes."""
        before = self.in_place.by_dataset if self.in_place else Counter()
        names = set(self.would.by_dataset) | set(before)
        rows = [(d, self.would.by_dataset[d], before[d] if self.in_place else None) for d in names]
        return sorted((r for r in rows if r[1] != r[2]), key=lambda row: row[0])


def plan(cfg: LoadedConfig, staged: list[StagedResource], output_dir: Path) -> Plan:
    """The public release the staged files and the decision settings would make, and the one in place."""
    sources = cfg.corpus.sources
    public = [sc for sc in staged if not sources[sc.source_index].is_restricted(sc.dataset_id)]
    ledger = load_ledger(cfg.removals_path())
    tombstones = read_tombstones(output_dir / INDEX_FOLDER)
    decisions = decide(cfg, public, open_published(cfg), removals=ledger, tombstones=tombstones)
    would = Side()
    for sc in public:
        for reason in decisions.reasons[sc.key]:
            if reason is None:
                would.published += 1
                would.by_dataset[f"{sc.source}/{sc.dataset_id}"] += 1
            else:
                would.rejected[reason] += 1
    manifest = _manifest(output_dir)
    return Plan(output_dir, would, _side_of(manifest), manifest.get("run_id") if manifest else None)


def _manifest(output_dir: Path) -> dict[str, Any] | None:
    path = output_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _side_of(manifest: dict[str, Any] | None) -> Side | None:
    if manifest is None:
        return None
    side = Side(published=int(manifest.get("documents", 0)))
    for r in manifest.get("resources", []):
        side.rejected.update(r.get("rejected", {}))
        if r.get("published"):
            side.by_dataset[f"{r['source']}/{r['dataset_id']}"] += r["published"]
    return side
