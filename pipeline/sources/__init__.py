"""Stage 1, discover: one module per source family, registered in FAMILIES by its `kind`. Each turns its config
into Resources (discover) and a decoded resource's records into drafts (drafts). Adding a family is its module,
its config model, one entry here and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import LoadedConfig
from pipeline.fetch import Fetcher
from pipeline.readers import Content
from pipeline.readers.pdf import PdfLimits
from pipeline.readers.records import BadRecord
from pipeline.sources import datagovtw, local, moj_laws
from pipeline.sources.base import Draft, Resource
from pipeline.sources.files import SourceError


@dataclass
class Discovery:
    """What discovering a source may need beyond its config: a fetcher for remote metadata and, per datagovtw
    source index, the change exports this run reads and what they say when already read."""

    cfg: LoadedConfig
    fetcher: Fetcher
    change_urls: dict[int, list[str]] = field(default_factory=dict)
    known_changes: dict[int, tuple[set[str], set[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Family:
    discover: Callable[[Discovery, int, Any], list[Resource]]
    drafts: Callable[[LoadedConfig, Any, Resource, str | bytes], Iterator[Draft | BadRecord]]


def pdf_limits(cfg: LoadedConfig) -> PdfLimits:
    return PdfLimits(cfg.corpus.max_pages, cfg.corpus.max_document_seconds)


FAMILIES: dict[str, Family] = {
    "local": Family(
        lambda d, i, source: local.discover(d.cfg, i, source),
        lambda cfg, source, resource, content: local.drafts(source, resource, content, pdf_limits(cfg)),
    ),
    "moj_laws": Family(
        lambda d, i, source: moj_laws.discover(d.cfg, i, source),
        lambda cfg, source, resource, content: moj_laws.drafts(source, resource, _text(resource, content)),
    ),
    "datagovtw": Family(
        lambda d, i, source: datagovtw.discover(
            d.cfg, i, source, d.fetcher, d.change_urls.get(i), d.known_changes.get(i)
        ),
        lambda cfg, source, resource, content: datagovtw.drafts(source, resource, content, pdf_limits(cfg)),
    ),
}


def _text(resource: Resource, content: Content) -> str:
    if isinstance(content, bytes):
        raise ValueError(f"{resource.url}: a document where law data (JSON) was expected")
    return content


def discover(
    cfg: LoadedConfig,
    fetcher: Fetcher,
    change_urls: dict[int, list[str]] | None = None,
    known_changes: dict[int, tuple[set[str], set[str]]] | None = None,
) -> list[Resource]:
    """All resources of all sources, in config order then path order: the order documents are published in."""
    context = Discovery(cfg, fetcher, change_urls or {}, known_changes or {})
    resources: list[Resource] = []
    for index, source in enumerate(cfg.corpus.sources):
        resources += FAMILIES[source.kind].discover(context, index, source)
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


def drafts(cfg: LoadedConfig, resource: Resource, content: Content) -> Iterator[Draft | BadRecord]:
    """The records of one decoded resource (or of a document's bytes), mapped to drafts by the resource's own
    source family."""
    source = cfg.corpus.sources[resource.source_index]
    return FAMILIES[source.kind].drafts(cfg, source, resource, content)


__all__ = ["FAMILIES", "Discovery", "Draft", "Resource", "discover", "drafts"]
