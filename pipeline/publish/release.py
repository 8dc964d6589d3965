"""Releases on disk: swapped in whole, recovered after a crash, kept when nothing they depend on changed.

A release is assembled in a hidden sibling folder and swapped in by an atomic exchange of the two folders
(two renames where the filesystem cannot exchange), so readers never see half a corpus; a crash between the
two renames is repaired at the start of the next publish. The state file
remembers which inputs built the release in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from pipeline.atomic import atomic_write_bytes, exchange
from pipeline.config import LoadedConfig
from pipeline.dedup.index import PublishedIndex
from pipeline.document import DOCUMENT_SCHEMA
from pipeline.extract.staged import DECISION_FIELDS, StagedResource
from pipeline.paths import RunContext
from pipeline.publish.digest import SCHEME as DIGEST_SCHEME


def recover(output_dir: Path) -> None:
    """Undo a swap interrupted between its two renames; drop abandoned temp releases."""
    parent, name = output_dir.parent, output_dir.name
    if not parent.exists():
        return
    olds = sorted(parent.glob(f".{name}.old-*"))
    if olds and not output_dir.exists():
        olds[-1].rename(output_dir)
        olds = olds[:-1]
    for stale in olds + sorted(parent.glob(f".{name}.tmp-*")):
        shutil.rmtree(stale, ignore_errors=True)


def swap_in(tmp: Path, output_dir: Path, run_id: str) -> None:
    """Put the release in `tmp` in place of `output_dir`: one atomic exchange where the system has it (the old
    release is then in `tmp`, removed here or by the next recover), else two renames that recover() repairs."""
    if output_dir.exists() and exchange(tmp, output_dir):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = output_dir.parent / f".{output_dir.name}.old-{run_id}"
    if output_dir.exists():
        os.rename(output_dir, old)
    os.rename(tmp, output_dir)
    shutil.rmtree(old, ignore_errors=True)


def input_digest(
    cfg: LoadedConfig,
    ctx: RunContext,
    staged: list[StagedResource],
    published: list[PublishedIndex] | None = None,
    out: Path | None = None,
    removals: str = "",
) -> str:
    """Everything a release depends on: the staged files (their keys cover bytes and extraction settings) with
    what their datasets say of themselves, every decision setting (the run's and each source's), what is
    counted (segmentation, tokenizer), the licence table, the published corpora deduplicated against, the output
    folder and the version."""
    corpus = cfg.corpus
    blob = json.dumps(
        {
            "staged": [[sc.key, sc.dataset.model_dump(mode="json"), sc.modified_at] for sc in staged],
            "against": [index.digest() for index in published or []],
            "license_table": cfg.license_table().digest,
            "sources": [
                s.model_dump(mode="json", include=set(DECISION_FIELDS) - {"paths", "name"}) for s in corpus.sources
            ],
            "settings": corpus.model_dump(
                mode="json", include={"licenses", "dedup", "publish", "quality", "min_chars", "private_use"}
            ),
            # words and tokens are counted at publish (`publish.counts`)
            "counts": {"segment": corpus.normalize.segment, "tokenizer": cfg.token_label()},
            "output": str(out or ctx.paths.output_dir),
            "version": ctx.pipeline_version,
            "digest": DIGEST_SCHEME,
            "removals": removals,  # the removal ledger's digest: a new request is a new release
            "columns": [f"{f.name}:{f.type}" for f in DOCUMENT_SCHEMA],  # a new column is a new release
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _release_state(ctx: RunContext, out: Path) -> Path:
    """One state file per release folder (the public corpus and the restricted one)."""
    name = "release.json" if out == ctx.paths.output_dir else f"release-{out.name}.json"
    return ctx.paths.state_dir / name


def unchanged_release(ctx: RunContext, digest: str, out: Path) -> dict[str, Any] | None:
    """The manifest of the release in place, when it was built from exactly these inputs and is intact."""
    state_path, manifest_path = _release_state(ctx, out), out / "manifest.json"
    if not state_path.exists() or not manifest_path.exists():
        return None
    state = json.loads(state_path.read_text(encoding="utf-8"))
    current = json.loads(manifest_path.read_text(encoding="utf-8"))
    saved = state.get("manifest", {})
    if state.get("input_digest") != digest or current.get("run_id") != saved.get("run_id"):
        return None
    for entry in current["shards"] + current["rejected_files"]:
        path = out / entry["path"]
        if not path.exists() or path.stat().st_size != entry["bytes"]:
            return None
    return {**saved, "reused_release": True}


def remember_release(
    ctx: RunContext, digest: str, manifest: dict[str, Any], out: Path, staged: list[str] | None = None
) -> None:
    """Note what the release in `out` was built from: its input digest, manifest and staged files (by key), so
    that a later run can keep it and a removal can publish it again without extracting anything."""
    state = {"input_digest": digest, "manifest": manifest, "staged": staged or []}
    atomic_write_bytes(_release_state(ctx, out), json.dumps(state, ensure_ascii=False).encode("utf-8"))


def staged_keys(ctx: RunContext, out: Path) -> list[str]:
    """The staged files (keys) the release in `out` was last published from; [] when unknown."""
    path = _release_state(ctx, out)
    return list(json.loads(path.read_text(encoding="utf-8")).get("staged", [])) if path.exists() else []


def previous_manifest(output_dir: Path) -> dict[str, Any] | None:
    path = output_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
