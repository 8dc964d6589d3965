"""Refreshing a corpus from data.gov.tw's daily change export.

A datagovtw source with `changes:` reads only the datasets that export lists as added or modified. A `{date}`
in the export's URL is filled with each Taipei date since the last run's (one export per day, up to
MAX_DAYS; today's alone the first time), so a run scheduled weekly still sees every day's changes. The other
datasets it had in the last run are carried over -- their resources and the bytes fetched then (still in the
raw store) go straight to extraction, which reuses their staged files -- so the release still holds them;
the datasets the export lists as deleted drop out. Nothing of a carried dataset is downloaded again.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.atomic import atomic_write_bytes
from pipeline.config import DataGovTwSource, LoadedConfig
from pipeline.fetch import FetchedRef, Fetcher, FetchError, local_path
from pipeline.paths import RunContext
from pipeline.readers.encoding import DecodeFailure
from pipeline.sources import Resource
from pipeline.sources.datagovtw import change_sets

TAIPEI = ZoneInfo("Asia/Taipei")
MAX_DAYS = 31


def _state(ctx: RunContext) -> Path:
    return ctx.paths.state_dir / "last_run.json"


def _dates_state(ctx: RunContext) -> Path:
    return ctx.paths.state_dir / "change_exports.json"


def run_date(ctx: RunContext) -> date:
    """The Taipei calendar date of this run (from its id, which is stamped in UTC)."""
    started = datetime.strptime(ctx.run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return started.astimezone(TAIPEI).date()


def change_sources(cfg: LoadedConfig) -> dict[int, DataGovTwSource]:
    """The datagovtw sources that refresh from change exports (`changes:`), by their index in the config."""
    return {i: s for i, s in enumerate(cfg.corpus.sources) if isinstance(s, DataGovTwSource) and s.changes is not None}


def change_urls(cfg: LoadedConfig, ctx: RunContext) -> dict[int, list[str]]:
    """Per change-export source, the exports this run reads, oldest first."""
    seen = json.loads(_dates_state(ctx).read_text(encoding="utf-8")) if _dates_state(ctx).exists() else {}
    today = run_date(ctx)
    out: dict[int, list[str]] = {}
    for i, source in change_sources(cfg).items():
        template = source.changes or ""
        if "{date}" not in template:
            out[i] = [template]
            continue
        last = seen.get(template)
        first = date.fromisoformat(last) + timedelta(days=1) if last else today
        first = max(first, today - timedelta(days=MAX_DAYS - 1))
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)] or [today]
        out[i] = [template.replace("{date}", d.isoformat()) for d in days]
    return out


def remember_exports(cfg: LoadedConfig, ctx: RunContext) -> None:
    """The date up to which change exports have been read, for sources whose export URL has a `{date}`."""
    path = _dates_state(ctx)
    seen = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for source in change_sources(cfg).values():
        if source.changes and "{date}" in source.changes:
            seen[source.changes] = run_date(ctx).isoformat()
    atomic_write_bytes(path, json.dumps(seen, indent=1).encode("utf-8"))


def remember_run(ctx: RunContext, resources: list[Resource], fetched: list[FetchedRef]) -> None:
    """What this run read and where its bytes are: the next run's carry-over."""
    rows = [
        {"resource": r.model_dump(mode="json"), "fetched": asdict(f)} for r, f in zip(resources, fetched, strict=True)
    ]
    atomic_write_bytes(_state(ctx), json.dumps(rows, ensure_ascii=False).encode("utf-8"))


def read_changes(
    cfg: LoadedConfig, fetcher: Fetcher, urls: dict[int, list[str]]
) -> dict[int, tuple[set[str], set[str]]]:
    """(added or modified, deleted) ids per change-export source from its exports `urls` (change_urls), read
    once for discovery and carry-over alike. An unreadable export is left out: discovery tries it again and
    reports it, and nothing is carried away."""
    out: dict[int, tuple[set[str], set[str]]] = {}
    for i, source in change_sources(cfg).items():
        try:
            out[i] = change_sets(cfg, i, source, fetcher, urls[i])
        except (FetchError, DecodeFailure, ValueError):
            continue
    return out


def carried_over(
    cfg: LoadedConfig, ctx: RunContext, discovered: list[Resource], changes: dict[int, tuple[set[str], set[str]]]
) -> tuple[list[Resource], list[FetchedRef], list[Resource]]:
    """Resources of the last run that stay: those of change-export sources' datasets that this run did not
    rediscover and that the exports (`changes`, from read_changes) do not list as deleted. Returns them with
    their fetched bytes, plus the ones whose bytes are gone from the raw store (to be fetched again)."""
    path = _state(ctx)
    sources = change_sources(cfg)
    if not sources or not path.exists():
        return [], [], []
    excluded: dict[int, set[str]] = {}
    for i in sources:
        live, deleted = changes.get(i, (set(), set()))  # unreadable: the corpus stays as it was
        excluded[i] = live | deleted | {r.dataset.id for r in discovered if r.source_index == i}
    resources: list[Resource] = []
    fetched: list[FetchedRef] = []
    refetch: list[Resource] = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        resource = Resource.model_validate(row["resource"])
        i = resource.source_index
        if i in sources and resource.source_kind == "datagovtw" and resource.dataset.id not in excluded[i]:
            ref = FetchedRef(**row["fetched"])
            if ref.path is None or local_path(ref.path).exists():
                resources.append(resource)
                fetched.append(ref)
            else:
                refetch.append(resource)
    return resources, fetched, refetch
