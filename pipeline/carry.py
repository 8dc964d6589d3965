"""Refreshing a corpus from data.gov.tw's daily change export.

A datagovtw source with `changes:` reads only the datasets that export lists as added or modified. The other
datasets it had in the last run are carried over -- their resources and the bytes fetched then (still in the
raw store) go straight to extraction, which reuses their staged files -- so the release still holds them;
the datasets the export lists as deleted drop out. Nothing of a carried dataset is downloaded again.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.atomic import atomic_write_bytes
from pipeline.config import DataGovTwSource, LoadedConfig
from pipeline.extract import FetchedRef
from pipeline.fetch import Fetcher
from pipeline.paths import RunContext
from pipeline.sources import Resource
from pipeline.sources.datagovtw import change_sets


def _state(ctx: RunContext) -> Path:
    return ctx.paths.state_dir / "last_run.json"


def remember_run(ctx: RunContext, resources: list[Resource], fetched: list[FetchedRef]) -> None:
    """What this run read and where its bytes are: the next run's carry-over."""
    rows = [
        {"resource": r.model_dump(mode="json"), "fetched": asdict(f)} for r, f in zip(resources, fetched, strict=True)
    ]
    atomic_write_bytes(_state(ctx), json.dumps(rows, ensure_ascii=False).encode("utf-8"))


def carried_over(
    cfg: LoadedConfig, ctx: RunContext, fetcher: Fetcher, discovered: list[Resource]
) -> tuple[list[Resource], list[FetchedRef], list[Resource]]:
    """Resources of the last run that stay: those of change-export sources' datasets that this run did not
    rediscover and that the export does not list as deleted. Returns them with their fetched bytes, plus the
    ones whose bytes are gone from the raw store (to be fetched again)."""
    path = _state(ctx)
    sources = {
        i: s for i, s in enumerate(cfg.corpus.sources) if isinstance(s, DataGovTwSource) and s.changes is not None
    }
    if not sources or not path.exists():
        return [], [], []
    excluded: dict[int, set[str]] = {}
    for i, source in sources.items():
        live, deleted = change_sets(cfg, i, source, fetcher)
        excluded[i] = live | deleted | {r.dataset.id for r in discovered if r.source_index == i}
    resources: list[Resource] = []
    fetched: list[FetchedRef] = []
    refetch: list[Resource] = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        resource = Resource.model_validate(row["resource"])
        i = resource.source_index
        if i in sources and resource.source_kind == "datagovtw" and resource.dataset.id not in excluded[i]:
            ref = FetchedRef(**row["fetched"])
            if ref.path is None or Path(ref.path).exists():
                resources.append(resource)
                fetched.append(ref)
            else:
                refetch.append(resource)
    return resources, fetched, refetch
