"""OpenLineage events for every run: what the release came from and what it is, for lineage tools (Marquez,
DataHub, OpenMetadata) to show.

A run emits START when it begins and COMPLETE (or FAIL) when it ends. COMPLETE names the inputs -- one
dataset per resource read, named by its URL or path in the namespace of its source, with the sha256 of the
bytes as its version -- and the outputs: each release folder, with its content digest as its version and the
documents and tokens it holds. By default the events are appended, one JSON object per line, to
<data_dir>/lineage/events.jsonl; `lineage: {transport: {...}}` hands them to any transport openlineage-python
knows (http to Marquez, kafka, console, ...), configured as that library documents.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    documentation_dataset,
    output_statistics_output_dataset,
)
from openlineage.client.transport.file import FileConfig, FileTransport

from pipeline import __version__
from pipeline.config import LoadedConfig
from pipeline.extract.staged import StagedResource
from pipeline.paths import RunContext

PRODUCER = f"https://github.com/twcorpus/twcorpus/tree/v{__version__}"
EVENTS_FILE = "lineage/events.jsonl"


_CLIENTS: dict[str, OpenLineageClient] = {}  # one per run and transport: building one reads its settings


def _client(cfg: LoadedConfig, ctx: RunContext) -> OpenLineageClient | None:
    settings = cfg.corpus.lineage
    if not settings.enabled:
        return None
    key = f"{ctx.run_id}:{settings.transport!r}:{events_path(ctx)}"
    if key not in _CLIENTS:
        if settings.transport:
            _CLIENTS[key] = OpenLineageClient(config={"transport": settings.transport})
        else:
            path = events_path(ctx)
            path.parent.mkdir(parents=True, exist_ok=True)
            transport = FileTransport(FileConfig(log_file_path=str(path), append=True))
            _CLIENTS[key] = OpenLineageClient(transport=transport)
    return _CLIENTS[key]


def events_path(ctx: RunContext) -> Path:
    return ctx.paths.data_dir / EVENTS_FILE


def run_uuid(ctx: RunContext) -> str:
    """OpenLineage wants a UUID per run: derived from the run id, so every event of a run carries the same."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"twcorpus:{ctx.run_id}"))


def _job(cfg: LoadedConfig) -> Job:
    return Job(namespace=cfg.corpus.lineage.namespace, name=f"build-corpus:{cfg.path.stem}")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _input(sc: StagedResource) -> InputDataset:
    facets: dict[str, Any] = {}
    if sc.raw_sha256:
        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=sc.raw_sha256)
    title = " / ".join(x for x in (sc.agency, sc.dataset_title, sc.dataset_id) if x)
    facets["documentation"] = documentation_dataset.DocumentationDatasetFacet(description=title)
    return InputDataset(namespace=f"twcorpus-source:{sc.source}", name=sc.resource_url, facets=facets)


def _output(folder: str, release: dict[str, Any]) -> OutputDataset:
    stats = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
        rowCount=int(release.get("documents") or 0)
    )
    facets: dict[str, Any] = {}
    if release.get("content_sha256"):
        version = release["content_sha256"]
        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=version)
    return OutputDataset(
        namespace="twcorpus-release", name=folder, facets=facets, outputFacets={"outputStatistics": stats}
    )


def emit(
    cfg: LoadedConfig,
    ctx: RunContext,
    state: str,
    sidecars: list[StagedResource] | None = None,
    manifest: dict[str, Any] | None = None,
) -> None:
    """Emit one event of this run: START, COMPLETE (with inputs and outputs) or FAIL."""
    client = _client(cfg, ctx)
    if client is None:
        return
    inputs = [_input(sc) for sc in sidecars or []]
    outputs = []
    if manifest is not None and not manifest.get("refused"):
        outputs.append(_output(str(ctx.paths.output_dir), manifest))
    restricted = (manifest or {}).get("restricted")
    if restricted and not restricted.get("refused"):
        outputs.append(_output(str(restricted["output_dir"]), restricted))
    event = RunEvent(
        eventType=RunState[state],
        eventTime=_now(),
        run=Run(runId=run_uuid(ctx)),
        job=_job(cfg),
        producer=PRODUCER,
        inputs=inputs,
        outputs=outputs,
    )
    client.emit(event)
