"""One module per source family. Each turns its config into Resources and a resource's records into drafts."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.config import DataGovTwSource, LoadedConfig, LocalSource, MojLawsSource
from pipeline.fetch import Fetcher
from pipeline.readers.records import BadRecord
from pipeline.sources import datagovtw, local, moj_laws
from pipeline.sources.base import Draft, Resource
from pipeline.sources.files import SourceError


def discover(
    cfg: LoadedConfig,
    fetcher: Fetcher,
    change_urls: dict[int, list[str]] | None = None,
    known_changes: dict[int, tuple[set[str], set[str]]] | None = None,
) -> list[Resource]:
    """All resources of all sources, in config order then path order: the order documents are published in.
    Per datagovtw source index: `change_urls`, the change exports this run reads; `known_changes`, what they
    say when already read."""
    resources: list[Resource] = []
    for index, source in enumerate(cfg.corpus.sources):
        if isinstance(source, LocalSource):
            resources += local.discover(cfg, index, source)
        elif isinstance(source, MojLawsSource):
            resources += moj_laws.discover(cfg, index, source)
        elif isinstance(source, DataGovTwSource):
            urls, known = (change_urls or {}).get(index), (known_changes or {}).get(index)
            resources += datagovtw.discover(cfg, index, source, fetcher, urls, known)
    _names_unique(cfg, resources)
    return resources


def _names_unique(cfg: LoadedConfig, resources: list[Resource]) -> None:
    """Two files of one dataset known by the same name would give their documents the same ids."""
    seen: dict[tuple[str, str, str], Resource] = {}
    for r in resources:
        if r.source_kind not in ("local", "moj_laws"):
            continue
        key = (r.source_kind, r.dataset.id, r.url)
        first = seen.setdefault(key, r)
        if first is not r and first.fetch_url != r.fetch_url:
            raise SourceError(
                f"{cfg.path}: sources[{first.source_index}] and sources[{r.source_index}] both read a file named "
                f"{r.url!r} into dataset {r.dataset.id!r} ({first.fetch_url}, {r.fetch_url}): their documents "
                "would share ids; give the sources different dataset ids"
            )


def drafts(cfg: LoadedConfig, resource: Resource, text: str) -> Iterator[Draft | BadRecord]:
    """The records of one decoded resource, mapped to drafts by the resource's own source."""
    source = cfg.corpus.sources[resource.source_index]
    if isinstance(source, LocalSource):
        return local.drafts(source, resource, text)
    if isinstance(source, MojLawsSource):
        return moj_laws.drafts(source, resource, text)
    if isinstance(source, DataGovTwSource):
        return datagovtw.drafts(source, resource, text)
    raise TypeError(f"unknown source type {type(source).__name__}")


__all__ = ["Draft", "Resource", "discover", "drafts"]
