"""Release history: the last N releases kept as immutable versioned folders, the corpus folder a pointer to the
current one that moves atomically.

With `releases: {keep: N}` the release a run writes goes to <output_dir>.versions/<run_id>/ and is never
changed again; <output_dir> becomes a symbolic link to it, replaced in one rename, so a reader sees the old
release or the new one, never a mix. Researchers load `<output_dir>` (the current release) or any version
folder by name; `twcorpus diff` compares two of them document by document. A corpus folder written before
history was kept becomes a version the first time.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

SUFFIX = ".versions"


AGENCY_HISTORY = "agency_history.jsonl"  # in the state folder: one line per release written


def remember_agencies(state_dir: Path, manifest: dict[str, Any], output_dir: Path) -> None:
    """Append the documents and tokens per agency of a release just written: the contributions over time the
    report charts and ranks, whether or not the releases themselves are kept."""
    agencies: dict[str, dict[str, int]] = {}
    for d in manifest.get("datasets", []):
        a = agencies.setdefault(d.get("agency") or "(not stated)", {"documents": 0, "tokens": 0})
        a["documents"] += int(d.get("documents") or 0)
        a["tokens"] += int(d.get("tokens") or 0)
    line = {
        "run_id": manifest["run_id"],
        "created_at": manifest["created_at"],
        "output_dir": str(output_dir),
        "agencies": agencies,
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / AGENCY_HISTORY).open("a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")


def agency_history(state_dir: Path, output_dir: Path, last: int = 12) -> list[dict[str, Any]]:
    """The last `last` releases of `output_dir`, oldest first, with documents and tokens per agency."""
    path = state_dir / AGENCY_HISTORY
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("output_dir") == str(output_dir)][-last:]


def versions_dir(output_dir: Path) -> Path:
    return output_dir.with_name(output_dir.name + SUFFIX)


def versions(output_dir: Path) -> list[str]:
    """The kept versions, oldest first (by when their manifest was written: run ids of one second tie)."""
    folder = versions_dir(output_dir)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if (p / "manifest.json").is_file()]
    return [p.name for p in sorted(found, key=lambda p: ((p / "manifest.json").stat().st_mtime_ns, p.name))]


def current(output_dir: Path) -> str | None:
    """The version the corpus folder points to, or None (no history kept)."""
    return Path(os.readlink(output_dir)).name if output_dir.is_symlink() else None


def install(tmp: Path, output_dir: Path, version: str, keep: int) -> None:
    """Make the release in `tmp` version `version` and point `output_dir` to it; keep the newest `keep`."""
    folder = versions_dir(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / version
    os.rename(tmp, target)
    if output_dir.exists() and not output_dir.is_symlink():  # a release from before history: a version too
        manifest = json.loads((output_dir / "manifest.json").read_text(encoding="utf-8"))
        os.rename(output_dir, folder / str(manifest.get("run_id") or "earlier"))
    link = output_dir.with_name(f".{output_dir.name}.link-{version}")
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(target, output_dir.parent), link)
    os.replace(link, output_dir)  # the pointer moves in one rename
    prune(output_dir, keep)


def prune(output_dir: Path, keep: int) -> None:
    """Remove the oldest versions beyond `keep`; never the current one."""
    now = current(output_dir)
    kept = versions(output_dir)
    for name in kept[: max(0, len(kept) - max(keep, 1))]:
        if name != now:
            shutil.rmtree(versions_dir(output_dir) / name, ignore_errors=True)


def recover(output_dir: Path) -> None:
    """After a crash between writing a version and moving the pointer: drop stale link files; a corpus folder
    that is missing while versions exist points to the newest again."""
    for stale in output_dir.parent.glob(f".{output_dir.name}.link-*"):
        stale.unlink(missing_ok=True)
    if not output_dir.exists() and not output_dir.is_symlink():
        kept = versions(output_dir)
        if kept:
            os.symlink(os.path.relpath(versions_dir(output_dir) / kept[-1], output_dir.parent), output_dir)


def resolve(name: str, corpus: Path | None) -> Path:
    """A release folder given as a path, or as a version name of `corpus`'s history."""
    path = Path(name)
    if (path / "manifest.json").is_file():
        return path
    if corpus is not None and (versions_dir(corpus) / name / "manifest.json").is_file():
        return versions_dir(corpus) / name
    raise FileNotFoundError(f"{name}: neither a release folder nor a version of {corpus or 'the corpus'}")
