"""Files named by globs: which files a source reads, the stable name each is known by, and the globs that
match nothing.

A file's name is its path below the glob's fixed root -- the leading folders of the pattern that hold no
wildcard (for a pattern without one, the file's own folder); with several patterns, the folder their roots
share. `laws/*.json` names `laws/A0000001.json` `A0000001.json`; `pages/**/*.html` names
`pages/01031/x.html` `01031/x.html`; `ch/*.json` with `en/*.json` names `ch/A0000001.json` as it is. That name is the
`resource_url` of the file's documents and part of their `id`, so ids depend on the data and the dataset, not
on where the config file, the data or the shell happen to be.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

from pipeline.config import LoadedConfig, LocalSource, MojLawsSource

_WILDCARD = re.compile(r"[*?[]")


class SourceError(ValueError):
    """A source that cannot be expanded into resources (e.g. a glob that matches nothing)."""


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path  # where the bytes are
    name: str  # the path below the glob's fixed root, '/'-separated: the file's identity in provenance


def glob_root(pattern: Path) -> Path:
    """The folder a pattern's matches are named below: its leading components without a wildcard."""
    parts = pattern.parts
    fixed = list(takewhile(lambda part: not _WILDCARD.search(part), parts))
    if len(fixed) == len(parts):  # no wildcard: the pattern names one file
        fixed = fixed[:-1]
    return Path(*fixed) if fixed else Path(".")


def _storable(name: str) -> str:
    """File name bytes that are not UTF-8 shown as \\xNN: a name must be storable text."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _matches(cfg: LoadedConfig, pattern: str) -> tuple[Path, list[Path]]:
    full = cfg.resolve_input(pattern)
    return full, [Path(p) for p in sorted(glob.glob(str(full), recursive=True)) if Path(p).is_file()]


def expand_paths(cfg: LoadedConfig, patterns: list[str], label: str, optional: bool = False) -> list[InputFile]:
    """Globs relative to the config file, sorted for a deterministic order; a pattern that matches nothing is an
    error unless the source is optional. Files are named below the fixed root their patterns share, so the
    names of one source's files never collide."""
    matched: list[tuple[Path, list[Path]]] = []
    for pattern in patterns:
        full, files = _matches(cfg, pattern)
        if not files and not optional:
            raise SourceError(f"{cfg.path}: {label}: pattern {pattern!r} matches no file (looked for {full})")
        if files:
            matched.append((full, files))
    if not matched:
        return []
    root = os.path.commonpath([os.path.normpath(glob_root(full)) for full, _ in matched])
    found: dict[str, InputFile] = {}
    for _, files in matched:
        for path in files:
            name = _storable(Path(os.path.relpath(path, root)).as_posix())
            found.setdefault(name, InputFile(path, name))
    return list(found.values())


def unmatched_inputs(cfg: LoadedConfig) -> list[str]:
    """One line per file source (local, moj_laws) a pattern of which matches no file, unless it is optional."""
    problems = []
    for index, source in enumerate(cfg.corpus.sources):
        if not isinstance(source, LocalSource | MojLawsSource) or source.optional:
            continue
        empty = [(pattern, full) for pattern in source.paths for full, files in [_matches(cfg, pattern)] if not files]
        if empty:
            label = f"sources[{index}]" + (f" ({source.name})" if source.name else "")
            shown = "; ".join(f"{pattern!r} (looked for {full})" for pattern, full in empty)
            problems.append(
                f"{cfg.path}: {label}: no file matches {shown} -- fix the path (relative to the config file) "
                "or mark the source `optional: true`"
            )
    return problems


def fetch_location(path: Path) -> str:
    """Where a local file's bytes are read from, as storable text: the path, or a file: URI with the name's
    bytes %-encoded when they are not UTF-8 (fetch.local_path reads both)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return path.absolute().as_uri()
    return text
