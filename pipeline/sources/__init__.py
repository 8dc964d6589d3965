"""One module per source family. Each turns its config into Resources and a resource's records into drafts."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.config import DataGovTwSource, LoadedConfig, LocalSource, MojLawsSource
from pipeline.fetch import Fetcher
from pipeline.readers.records import BadRecord
from pipeline.sources import datagovtw, local, moj_laws
from pipeline.sources.base import Draft, Resource


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
    return resources


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
